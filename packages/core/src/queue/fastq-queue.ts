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
 */
export class FastqJobQueue implements JobQueue {
  readonly #concurrency: number;
  #queue: fastq.queueAsPromised<Job, void> | undefined;
  readonly #waiting = new Set<string>();
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
  }

  push(job: Job): void {
    if (!this.#queue) throw new Error('FastqJobQueue.push before start');
    this.#waiting.add(job.id);
    // The handler reports its own failures; a rejection here would be an unhandled one.
    this.#queue.push(job).catch(() => {});
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
