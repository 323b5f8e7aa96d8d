import type { SubmissionInput, SubmissionResult } from '@judgekit/core';
import type { SeedExecuteBody, SeedResult, SeedStatus } from './schemas.js';

/** The seed's body as a judgekit submission: the seed's limits are the judge's defaults. */
export function toSubmissionInput(body: SeedExecuteBody): SubmissionInput {
  return { language: body.language, source: body.source_code, stdin: body.stdin_data, ...(body.args ? { args: body.args } : {}) };
}

/**
 * How judgekit's lifecycle and verdicts map onto the seed's six statuses:
 *
 * | judgekit | seed |
 * |---|---|
 * | `queued` | `PENDING` |
 * | `running` | `PROCESSING` |
 * | `accepted` | `OK` |
 * | `time_limit_exceeded` (cpu or wall) | `TLE` |
 * | `runtime_error`, `memory_limit_exceeded`, `output_limit_exceeded`, `compile_error`, `wrong_answer` | `RE` |
 * | `internal_error`, `cancelled` | `INTERNAL_ERROR` |
 *
 * The finer verdict is kept in the extra `verdict` field and explained in `message`; for a
 * compile error, `stderr` holds the compiler's output (the program never ran).
 */
export function seedStatus(result: Pick<SubmissionResult, 'status' | 'verdict'>): SeedStatus {
  if (result.status === 'queued') return 'PENDING';
  if (result.status === 'running') return 'PROCESSING';
  if (result.status === 'cancelled') return 'INTERNAL_ERROR';
  switch (result.verdict) {
    case 'accepted':
      return 'OK';
    case 'time_limit_exceeded':
      return 'TLE';
    case 'runtime_error':
    case 'memory_limit_exceeded':
    case 'output_limit_exceeded':
    case 'compile_error':
    case 'wrong_answer':
      return 'RE';
    default:
      return 'INTERNAL_ERROR';
  }
}

const reasons: Record<string, string> = {
  time_limit_exceeded: 'time limit exceeded',
  memory_limit_exceeded: 'memory limit exceeded',
  output_limit_exceeded: 'output limit exceeded',
  compile_error: 'compilation failed; stderr holds the compiler output',
  wrong_answer: 'wrong answer',
};

/** The seed's view of a judgekit result. */
export function toSeedResult(result: SubmissionResult): SeedResult {
  const test = result.tests[0];
  const status = seedStatus(result);
  if (result.status === 'done' && result.verdict === 'compile_error') {
    const compile = result.compile;
    return {
      submission_id: result.id,
      status,
      stdout: compile?.stdout ?? '',
      stderr: compile?.stderr ?? '',
      exit_code: compile?.exitCode ?? null,
      execution_time: compile ? round(compile.wallTimeMs / 1000) : null,
      memory: compile ? Math.round(compile.memoryBytes / 1024) : null,
      verdict: result.verdict,
      message: result.message ?? reasons.compile_error!,
    };
  }
  let message: string | null = null;
  if (result.status === 'cancelled') message = 'cancelled';
  else if (result.status === 'done' && result.verdict !== 'accepted') {
    const base = reasons[result.verdict ?? ''] ?? result.message ?? result.verdict ?? null;
    const detail = test?.message ?? (result.verdict === 'internal_error' ? result.message : null);
    message = detail && detail !== base ? `${base}: ${detail}` : base;
  }
  return {
    submission_id: result.id,
    status,
    stdout: test?.stdout ?? '',
    stderr: test?.stderr ?? '',
    exit_code: test?.exitCode ?? null,
    execution_time: test ? round(test.wallTimeMs / 1000) : null,
    memory: test ? Math.round(test.memoryBytes / 1024) : null,
    verdict: result.status === 'done' ? result.verdict : result.status === 'cancelled' ? 'cancelled' : null,
    message,
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
