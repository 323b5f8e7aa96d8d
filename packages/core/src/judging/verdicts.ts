import type { LanguageDefinition } from '../languages/definition.js';
import type { ExecOutcome, LimitKind } from '../runner/contract.js';
import type { Limits } from '../runner/limits.js';
import type { TestVerdict, Verdict } from '../submission/result.js';
import type { CheckResult } from './checkers.js';

/** A run's verdict before the checker, and why. */
export interface RunVerdict {
  verdict: Exclude<TestVerdict, 'skipped' | 'wrong_answer' | 'accepted'> | null;
  message: string | null;
}

const limitVerdicts: Record<LimitKind, RunVerdict['verdict']> = {
  memory: 'memory_limit_exceeded',
  cpu: 'time_limit_exceeded',
  wall: 'time_limit_exceeded',
  output: 'output_limit_exceeded',
  filesize: 'output_limit_exceeded',
  // Writing more than the sandbox may store is output gone elsewhere: the verdict of a file too
  // large (and Judge0's, Piston's and the seed API's own statuses) already says so; the
  // limitExceeded field and the message tell the two apart.
  disk: 'output_limit_exceeded',
  processes: 'runtime_error',
};

const limitMessages: Record<LimitKind, string> = {
  memory: 'memory limit exceeded',
  cpu: 'cpu time limit exceeded',
  wall: 'wall time limit exceeded',
  output: 'output limit exceeded',
  filesize: 'file size limit exceeded',
  disk: 'disk limit exceeded: the work directory and /tmp are full (diskBytes or diskInodes)',
  processes: 'process limit reached',
};

/**
 * Classifies one run, before its output is checked. Precedence, first match wins:
 * 1. the limit the runner says ended the run (the first that tripped);
 * 2. a measured figure over its limit that the runner did not flag: memory, then cpu, then wall;
 * 3. the language's out-of-memory message on stderr of a failed run (e.g. Java's `OutOfMemoryError`);
 * 4. death by a signal, or a non-zero exit: runtime error;
 * 5. otherwise none: the checker decides.
 */
export function classifyRun(outcome: ExecOutcome, limits: Limits, language?: Pick<LanguageDefinition, 'outOfMemoryPattern'>): RunVerdict {
  if (outcome.limitExceeded) return { verdict: limitVerdicts[outcome.limitExceeded], message: limitMessages[outcome.limitExceeded] };
  if (outcome.memoryBytes > limits.memoryBytes) return { verdict: 'memory_limit_exceeded', message: limitMessages.memory };
  if (outcome.cpuTimeMs > limits.cpuTimeMs) return { verdict: 'time_limit_exceeded', message: limitMessages.cpu };
  if (outcome.wallTimeMs > limits.wallTimeMs) return { verdict: 'time_limit_exceeded', message: limitMessages.wall };
  const failed = outcome.signal !== null || outcome.exitCode !== 0;
  if (failed && language?.outOfMemoryPattern?.test(outcome.stderr)) {
    return { verdict: 'memory_limit_exceeded', message: 'the runtime ran out of its memory limit' };
  }
  if (outcome.signal !== null) return { verdict: 'runtime_error', message: `killed by ${outcome.signal}` };
  if (outcome.exitCode !== 0) return { verdict: 'runtime_error', message: `exit code ${outcome.exitCode}` };
  return { verdict: null, message: null };
}

/** The verdict of a test from its run classification and its check (when there is expected output). */
export function testVerdict(run: RunVerdict, check: CheckResult | null): { verdict: TestVerdict; message: string | null } {
  if (run.verdict) return { verdict: run.verdict, message: run.message };
  if (check && !check.ok) return { verdict: 'wrong_answer', message: check.message };
  return { verdict: 'accepted', message: null };
}

/** The submission's verdict: the first test that did not pass, else accepted. */
export function overallVerdict(tests: readonly { verdict: TestVerdict }[]): Verdict {
  for (const t of tests) if (t.verdict !== 'accepted' && t.verdict !== 'skipped') return t.verdict;
  return 'accepted';
}
