import type { StepResult, SubmissionResult, TestResult } from '../submission/result.js';

/** Lifecycle and progress events of one submission. Every event carries the submission id. */
export type JudgeEvent =
  | { type: 'queued'; id: string; result: SubmissionResult }
  | { type: 'running'; id: string; result: SubmissionResult }
  | { type: 'compiled'; id: string; compile: StepResult }
  | { type: 'test'; id: string; index: number; total: number; test: TestResult }
  | { type: 'done'; id: string; result: SubmissionResult }
  | { type: 'cancelled'; id: string; result: SubmissionResult };

/** Counters over every submission this judge has seen. */
export interface JudgeStats {
  /** Waiting to start. */
  queued: number;
  /** Being judged now. */
  running: number;
  /** Finished, by verdict. */
  finished: Record<string, number>;
  /** Cancelled before finishing. */
  cancelled: number;
  /** Sandbox or infrastructure failures (submissions that ended as internal_error). */
  sandboxFailures: number;
  /** Writes of a finished result that the store refused (the result still reached its watchers). */
  storeFailures: number;
}
