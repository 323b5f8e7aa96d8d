import type { PreparedSubmission } from '../submission/prepare.js';

/**
 * A queued job: plain JSON, so a queue in another process or on another machine can carry it.
 * It holds everything a worker needs to judge the submission; the result lives in the
 * {@link ResultStore} under the same id.
 *
 * @example
 * ```ts
 * const job: Job = { id: '3f1c…', submission: prepareSubmission(input, context), tenant: 'acme' }
 * JSON.parse(JSON.stringify(job)) // an equal job: nothing is lost in transport
 * ```
 */
export interface Job {
  /** The submission id (a UUID). */
  id: string;
  /** The submission, validated and resolved at `submit`: the judging pipeline's input. */
  submission: PreparedSubmission;
  /** The tenant that submitted it, or `null` without tenants. */
  tenant: string | null;
}

/**
 * How a shared queue hands a job to a worker: what a handler needs to know beyond the job itself.
 * An in-process queue passes none.
 */
export interface JobDelivery {
  /** How many times this job has been handed to a worker, this time included (1 the first time). */
  attempt: number;
  /**
   * Set when the queue gives up on the job (the workers that ran it stopped mid-run too often):
   * the handler ends the submission as `internal_error` with this message instead of running it.
   */
  abandoned?: string;
  /**
   * Gives the job back to the shared queue, still waiting, for another worker: the handler calls
   * it instead of judging when this worker's runner is unavailable, so a broken worker does not
   * turn the queue into `internal_error`s. Absent for a queue no other worker shares.
   */
  release?(): void;
}

/**
 * Called by the queue for each job; resolves when the job is finished (whatever its verdict) and
 * rejects only when the judge could not record an outcome. A handler is idempotent: a job whose
 * stored result is already `done` or `cancelled` is skipped, so a re-delivered job (a BullMQ
 * stalled-job retry) never makes a second result.
 */
export type JobHandler = (job: Job, delivery?: JobDelivery) => Promise<void>;

/**
 * The queue between `submit` and the workers. The default is in-process ({@link FastqJobQueue});
 * a Redis-backed queue with workers elsewhere implements the same contract. Methods may be sync
 * or async.
 *
 * A judge with `concurrency: 0` (an API node) only pushes, removes and counts: it never calls
 * {@link JobQueue.start}.
 */
export interface JobQueue {
  /** Starts consuming: the queue calls `handler` for each job, never more than its concurrency at once. */
  start(handler: JobHandler): void;
  /** Adds a job at the back (first in, first out). */
  push(job: Job): void | Promise<void>;
  /** Removes a job that is still waiting; `false` when it is not waiting (running, done or unknown). */
  remove(id: string): boolean | Promise<boolean>;
  /** Jobs waiting to start (for a shared queue: in the whole cluster). */
  waiting(): number | Promise<number>;
  /** Jobs being handled now (for a shared queue: in the whole cluster). */
  running(): number | Promise<number>;
  /**
   * Stops handing this process new jobs, keeping them queued for other workers or for later. The
   * judge calls it while its runner is unavailable, and {@link JobQueue.resume} once the runner
   * is back. A queue shared with other workers should have it, so that a worker with a broken
   * runner leaves the queue to healthy ones instead of holding jobs. Optional: without it (the
   * in-process default) jobs keep coming and each waits for the runner at most
   * `runnerFaults.maxWaitMs`, then ends as `internal_error`.
   */
  pause?(): void | Promise<void>;
  /** Resumes handing jobs after {@link JobQueue.pause}. */
  resume?(): void | Promise<void>;
  /**
   * Resolves when nothing waits and nothing runs in this process. A queue shared with other
   * workers stops handing this process new jobs (they stay queued for the others) and resolves
   * once the jobs running here have finished.
   */
  drain(): Promise<void>;
  /** Stops taking jobs; waiting jobs of an in-process queue are dropped. Idempotent. */
  close(): Promise<void>;
}
