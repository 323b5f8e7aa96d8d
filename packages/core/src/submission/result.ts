import { z } from 'zod';

/** Verdicts of a finished submission. */
export const verdicts = [
  'accepted',
  'wrong_answer',
  'time_limit_exceeded',
  'memory_limit_exceeded',
  'output_limit_exceeded',
  'runtime_error',
  'compile_error',
  'internal_error',
] as const;
/** The verdict of a finished submission. */
export type Verdict = (typeof verdicts)[number];
/** A test's verdict: a submission verdict, or `skipped` after an earlier failure with `stopOnFirstFailure`. */
export type TestVerdict = Exclude<Verdict, 'compile_error'> | 'skipped';
/** Every test verdict. */
export const testVerdicts = [
  'accepted',
  'wrong_answer',
  'time_limit_exceeded',
  'memory_limit_exceeded',
  'output_limit_exceeded',
  'runtime_error',
  'internal_error',
  'skipped',
] as const satisfies readonly TestVerdict[];
/** Lifecycle of a submission. */
export type SubmissionStatus = 'queued' | 'running' | 'done' | 'cancelled';

const limitKind = z.enum(['cpu', 'wall', 'memory', 'output', 'filesize', 'processes', 'disk']).nullable();

/** What one step (compile, a test, a checker) measured. */
export const stepResultSchema = z.object({
  exitCode: z.number().int().nullable().describe('Exit status, or null when killed by a signal.'),
  signal: z.string().nullable().describe('Signal name, e.g. SIGSEGV, or null.'),
  stdout: z.string(),
  stderr: z.string(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  cpuTimeMs: z.number().describe('CPU time in milliseconds.'),
  wallTimeMs: z.number().describe('Wall time in milliseconds.'),
  memoryBytes: z.number().describe('Peak memory in bytes.'),
  limitExceeded: limitKind.describe('The limit that ended the step, if any.'),
});
export type StepResult = z.infer<typeof stepResultSchema>;

export const testResultSchema = stepResultSchema.extend({
  name: z.string(),
  verdict: z.enum(testVerdicts),
  message: z.string().nullable().describe('Why the verdict (checker message, signal, limit).'),
});
export type TestResult = z.infer<typeof testResultSchema>;

export const submissionResultSchema = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'done', 'cancelled']),
  verdict: z.enum(verdicts).nullable().describe('Set when status is done.'),
  message: z.string().nullable().describe('For internal_error and compile_error: what failed.'),
  language: z.object({ id: z.string(), version: z.string().nullable() }),
  createdAt: z.string().describe('ISO 8601.'),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  compile: stepResultSchema.nullable().describe('The compile step, for compiled languages.'),
  tests: z.array(testResultSchema),
  summary: z.object({
    passed: z.number().int(),
    total: z.number().int(),
    maxCpuTimeMs: z.number(),
    maxWallTimeMs: z.number(),
    maxMemoryBytes: z.number(),
  }),
  metadata: z.record(z.string(), z.string()).nullable(),
});
/** The state and outcome of one submission. */
export type SubmissionResult = z.infer<typeof submissionResultSchema>;

/** @internal The result of a submission just accepted: `queued`, nothing judged yet. */
export function queuedResult(
  id: string,
  submission: { languageId: string; tests: readonly unknown[]; metadata: Record<string, string> | null },
  version: string | null,
): SubmissionResult {
  return {
    id,
    status: 'queued',
    verdict: null,
    message: null,
    language: { id: submission.languageId, version },
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    compile: null,
    tests: [],
    summary: { passed: 0, total: submission.tests.length, maxCpuTimeMs: 0, maxWallTimeMs: 0, maxMemoryBytes: 0 },
    metadata: submission.metadata,
  };
}
