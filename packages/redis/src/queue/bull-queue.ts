import type { Job, JobDelivery, JobHandler, JobQueue } from '@judgekit/core';
import { type Job as BullJob, DelayedError, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { guarded } from '../connection/connection.js';

/** Options of {@link BullJobQueue}. */
export interface BullJobQueueOptions {
  /** The connection of the producer side (push, remove, counts): fail-fast on an API node. Never closed by the queue. */
  connection: Redis;
  /**
   * The connection BullMQ's worker duplicates for its blocking reads; it must be patient
   * (`maxRetriesPerRequest: null`, see `connectRedis`). Needed to {@link BullJobQueue.start}. Never closed by the queue.
   */
  workerConnection?: Redis;
  /** Prefix of every key. @defaultValue 'judgekit' */
  prefix?: string;
  /** The BullMQ queue's name. @defaultValue 'submissions' */
  name?: string;
  /** Jobs this process runs at once. @defaultValue 1 */
  concurrency?: number;
  /**
   * How long a worker's hold on a running job lasts without being renewed, in milliseconds; it is
   * renewed every half of it while the worker lives. A killed worker's job is taken back from
   * about this long after its death (plus up to `stalledIntervalMs`). @defaultValue 15000
   */
  lockDurationMs?: number;
  /** How often each worker looks for jobs whose worker died, in milliseconds. @defaultValue 5000 */
  stalledIntervalMs?: number;
  /**
   * How many times a job whose worker died mid-run is run again by another. Past it, the next
   * worker ends it as `internal_error` saying why, without running it. @defaultValue 1
   */
  maxReruns?: number;
  /** How long a job given back by a worker whose runner is unavailable waits before it is offered again, in milliseconds. @defaultValue 1000 */
  releaseDelayMs?: number;
  /** Told about errors of the background worker (lost connections, failed lock renewals). */
  onError?: (error: Error) => void;
}

/**
 * The job queue on BullMQ, shared by every API node and worker of a cluster: first in, first
 * out; `waiting()` and `running()` count the whole cluster's jobs, so the judge's `maxQueued` is
 * the cluster's. A job carries the prepared submission and is removed once it completes.
 *
 * Crashes: a job whose worker dies (SIGKILL, a lost machine) stops having its lock renewed;
 * BullMQ's stalled-job check on another worker puts it back in the queue and it is run again, at
 * most `maxReruns` times; the next delivery ends it as `internal_error`. The store keeps the
 * first final result, so a job never ends with two different results.
 *
 * A worker whose runner is unavailable pauses (takes no new jobs) and gives back, for other
 * workers, the jobs it had taken (`JobDelivery.release`).
 *
 * @example
 * ```ts
 * const queue = new BullJobQueue({ connection, workerConnection, concurrency: 4 })
 * const worker = new Judge({ runner, queue, store, bus })
 * ```
 */
export class BullJobQueue implements JobQueue {
  /** The BullMQ queue (for a dashboard). */
  readonly queue: Queue<Job>;
  readonly #options: BullJobQueueOptions;
  readonly #prefix: string;
  readonly #name: string;
  #worker: Worker<Job> | undefined;
  #running = 0;
  /** Jobs pushed in this tick, added in one `addBulk` (one round trip for a burst of submissions). */
  #batch: { job: Job; resolve: () => void; reject: (e: unknown) => void }[] = [];
  /** One count in flight shared by every caller meanwhile (a burst of submits checking `maxQueued`). */
  #counting: Promise<number> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: BullJobQueueOptions) {
    this.#options = options;
    this.#prefix = `${options.prefix ?? 'judgekit'}:bull`;
    this.#name = options.name ?? 'submissions';
    this.queue = new Queue<Job>(this.#name, {
      connection: options.connection,
      prefix: this.#prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: { age: 86_400, count: 1000 } },
    });
    this.queue.on('error', (error) => options.onError?.(error));
  }

  start(handler: JobHandler): void {
    if (this.#worker || this.#closing) return;
    const { workerConnection } = this.#options;
    if (!workerConnection) throw new TypeError('BullJobQueue.start: a workerConnection is needed to consume the queue.');
    const maxReruns = this.#options.maxReruns ?? 1;
    const releaseDelayMs = this.#options.releaseDelayMs ?? 1000;
    this.#worker = new Worker<Job>(
      this.#name,
      async (job, token) => {
        let released = false;
        const stalls = job.stalledCounter ?? 0;
        const delivery: JobDelivery = {
          attempt: stalls + 1,
          release: () => {
            released = true;
          },
        };
        if (stalls > maxReruns) delivery.abandoned = abandonedMessage(stalls);
        this.#running++;
        try {
          await handler(job.data, delivery);
        } finally {
          this.#running--;
        }
        if (released) {
          await job.moveToDelayed(Date.now() + releaseDelayMs, token);
          throw new DelayedError();
        }
      },
      {
        connection: workerConnection,
        prefix: this.#prefix,
        concurrency: this.#options.concurrency ?? 1,
        lockDuration: this.#options.lockDurationMs ?? 15_000,
        stalledInterval: this.#options.stalledIntervalMs ?? 5000,
        // One more than the reruns: the delivery after the last rerun ends the job itself, with a message.
        maxStalledCount: maxReruns + 1,
      },
    );
    this.#worker.on('error', (error) => this.#options.onError?.(error));
    // The last resort: a job BullMQ failed for stalling once more (its ending delivery died too).
    this.#worker.on('failed', (job: BullJob<Job> | undefined, error: Error) => {
      if (!job || !/stalled/i.test(error.message)) return;
      void handler(job.data, { attempt: (job.stalledCounter ?? 0) + 1, abandoned: abandonedMessage(job.stalledCounter ?? 0) }).catch(
        () => {},
      );
    });
  }

  push(job: Job): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#batch.push({ job, resolve, reject });
      if (this.#batch.length === 1) queueMicrotask(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#batch;
    this.#batch = [];
    const add: Promise<unknown> =
      batch.length === 1
        ? this.queue.add('submission', batch[0]!.job, { jobId: batch[0]!.job.id })
        : this.queue.addBulk(batch.map(({ job }) => ({ name: 'submission', data: job, opts: { jobId: job.id } })));
    guarded('queue a submission', () => add).then(
      () => {
        for (const b of batch) b.resolve();
      },
      (error: unknown) => {
        for (const b of batch) b.reject(error);
      },
    );
  }

  /** Removes a job that waits (anywhere in the cluster); `false` when a worker holds it, or it is gone. */
  async remove(id: string): Promise<boolean> {
    return guarded('remove a queued submission', async () => {
      const job = await this.queue.getJob(id);
      if (!job) return false;
      const state = await job.getState();
      if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
      // The removal script refuses a job a worker has locked meanwhile.
      return (await this.queue.remove(id)) === 1;
    });
  }

  /** Jobs waiting in the whole cluster (given back ones included). */
  waiting(): Promise<number> {
    this.#counting ??= guarded('count waiting submissions', () =>
      this.queue.getJobCountByTypes('waiting', 'paused', 'prioritized', 'delayed'),
    ).finally(() => {
      this.#counting = undefined;
    });
    return this.#counting;
  }

  /** Jobs running in the whole cluster. */
  async running(): Promise<number> {
    return guarded('count running submissions', () => this.queue.getActiveCount());
  }

  /** Jobs running in this process. */
  get runningHere(): number {
    return this.#running;
  }

  /** Takes no new jobs in this process (the others go on). */
  async pause(): Promise<void> {
    await this.#worker?.pause(true);
  }

  resume(): void {
    this.#worker?.resume();
  }

  /** Takes no new jobs (they stay queued for other workers) and resolves once the jobs running here have finished. */
  async drain(): Promise<void> {
    await this.#worker?.close();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#worker?.close().catch(() => {});
      await this.queue.close().catch(() => {});
    })();
    return this.#closing;
  }
}

function abandonedMessage(stalls: number): string {
  return `the workers running this submission stopped before finishing it ${stalls} times (killed or crashed); it is not run again`;
}
