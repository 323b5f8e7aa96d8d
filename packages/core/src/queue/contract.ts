/** A queued job: plain data, so a queue in another process or machine can carry it. */
export interface Job {
  /** The submission id; its input and result live in the result store. */
  id: string;
}

/** Called by the queue for each job; resolves when the job is finished (whatever its verdict). */
export type JobHandler = (job: Job) => Promise<void>;

/**
 * The queue between `submit` and the workers. The default is in-process ({@link FastqJobQueue});
 * a Redis-backed queue with workers elsewhere implements the same contract.
 */
export interface JobQueue {
  /** Starts consuming: the queue calls `handler` for each job, never more than its concurrency at once. */
  start(handler: JobHandler): void;
  /** Adds a job at the back (first in, first out). */
  push(job: Job): void | Promise<void>;
  /** Removes a job that is still waiting; `false` when it is not waiting (running, done or unknown). */
  remove(id: string): boolean | Promise<boolean>;
  /** Jobs waiting to start. */
  waiting(): number | Promise<number>;
  /** Jobs being handled now. */
  running(): number | Promise<number>;
  /** Resolves when nothing waits and nothing runs. */
  drain(): Promise<void>;
  /** Stops taking jobs; waiting jobs are dropped. Idempotent. */
  close(): Promise<void>;
}
