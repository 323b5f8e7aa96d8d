import fastq from 'fastq';
import type { Job, JobHandler, JobQueue } from './contract.js';

/** Options for {@link FastqJobQueue}. */
export interface FastqJobQueueOptions {
  /** Jobs handled at once. @defaultValue 1 */
  concurrency?: number;
}

/**
 * The default, in-process queue on fastq: first in, first out, never more than `concurrency`
 * jobs at once. A removed job stays in fastq's list but is skipped when its turn comes.
 *
 * It has no `pause`: with no other worker to leave jobs for, a judge whose runner is unavailable
 * keeps taking jobs, and each waits for the runner at most `runnerFaults.maxWaitMs` (so every
 * submission still gets an answer).
 */
export class FastqJobQueue implements JobQueue {
  readonly #concurrency: number;
  #queue: fastq.queueAsPromised<Job, void> | undefined;
  readonly #waiting = new Set<string>();
  /** Jobs pushed before `start` (an API-only judge never starts; a worker may start late). */
  #early: Job[] = [];
  #running = 0;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: FastqJobQueueOptions = {}) {
    this.#concurrency = options.concurrency ?? 1;
  }

  start(handler: JobHandler): void {
    if (this.#queue) return;
    this.#queue = fastq.promise(async (job: Job) => {
      if (!this.#waiting.delete(job.id) || this.#closed) return this.#settle();
      this.#running++;
      try {
        await handler(job);
      } finally {
        this.#running--;
        this.#settle();
      }
    }, this.#concurrency);
    const early = this.#early;
    this.#early = [];
    for (const job of early) this.#enqueue(job);
  }

  push(job: Job): void {
    this.#waiting.add(job.id);
    if (this.#queue) this.#enqueue(job);
    else this.#early.push(job);
  }

  #enqueue(job: Job): void {
    // The handler reports its own failures; a rejection here would be an unhandled one.
    this.#queue!.push(job).catch(() => {});
  }

  remove(id: string): boolean {
    const removed = this.#waiting.delete(id);
    if (removed) this.#settle();
    return removed;
  }

  waiting(): number {
    return this.#waiting.size;
  }

  running(): number {
    return this.#running;
  }

  drain(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting.clear();
    this.#early = [];
    this.#settle();
  }

  #idle(): boolean {
    return this.#waiting.size === 0 && this.#running === 0;
  }

  #settle(): void {
    if (!this.#idle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
