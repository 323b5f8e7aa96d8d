import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { closeRedis, connectRedis, guarded } from './connection/connection.js';
import { registerDashboard } from './dashboard/dashboard.js';
import { RedisSubmissionBus } from './events/redis-bus.js';
import { BullJobQueue } from './queue/bull-queue.js';
import { RedisResultStore } from './store/redis-store.js';
import { type WorkerInfo, WorkerRegistry } from './workers/registry.js';

/** Options of {@link openRedisBackend}. */
export interface RedisBackendOptions {
  /** `redis://[USER:PASSWORD@]HOST[:PORT][/DB]` or `rediss://…` (TLS). */
  url: string;
  /** Prefix of every key and channel: several clusters can share one Redis under different prefixes. @defaultValue 'judgekit' */
  prefix?: string;
  /**
   * What this process is: `api` takes submissions and serves reads (its requests fail fast with
   * 503 while Redis is down) and receives every event; `worker` judges from the queue and
   * receives cancels only.
   */
  role: 'api' | 'worker';
  /** Jobs this process judges at once; 0 for an API-only node. @defaultValue 0 for `api`, 1 for `worker` */
  concurrency?: number;
  /** How long finished results are kept, in milliseconds. @defaultValue 3600000 */
  ttlMs?: number;
  /** See {@link BullJobQueueOptions.lockDurationMs}. */
  lockDurationMs?: number;
  /** See {@link BullJobQueueOptions.stalledIntervalMs}. */
  stalledIntervalMs?: number;
  /** See {@link BullJobQueueOptions.maxReruns}. */
  maxReruns?: number;
  /** A worker not heard from for this long is gone, in milliseconds. @defaultValue 15000 */
  workerTtlMs?: number;
  /** Told about background errors (lost connections, failed lock renewals). */
  onError?: (error: Error) => void;
}

/** The queue's and the workers' state, cluster-wide. */
export interface ClusterCounts {
  waiting: number;
  running: number;
  workersAlive: number;
}

/** Everything a node of a Redis cluster needs, on three connections, and how to close it. */
export interface RedisBackend {
  readonly url: string;
  readonly prefix: string;
  readonly queue: BullJobQueue;
  readonly store: RedisResultStore;
  readonly bus: RedisSubmissionBus;
  readonly workers: WorkerRegistry;
  /** The fail-fast connection (reads, counts). */
  readonly client: Redis;
  /** Cluster-wide counts: waiting and running jobs, workers alive. */
  counts(): Promise<ClusterCounts>;
  /**
   * What the HTTP adapter's `cluster` option takes: the workers alive, the counts, and Bull Board
   * for `/admin/queues`.
   */
  readonly cluster: {
    workers(): Promise<WorkerInfo[]>;
    counts(): Promise<ClusterCounts>;
    dashboard(app: FastifyInstance, basePath: string): Promise<void>;
  };
  /** Redis's version and whether it keeps an append-only file, for `doctor`. */
  info(): Promise<{ version: string; aof: boolean; usedMemoryBytes: number }>;
  /** Closes the queue, the bus and the connections. Idempotent. Close the judge first. */
  close(): Promise<void>;
}

/**
 * Connects a node to a Redis cluster: a fail-fast connection for requests, a patient one for a
 * worker's writes and BullMQ's worker, and a subscriber for events and cancels. Throws
 * `JDG_ERR_BACKEND_UNAVAILABLE` when Redis cannot be reached.
 *
 * @example
 * ```ts
 * const redis = await openRedisBackend({ url, role: 'worker', concurrency: 4 })
 * const judge = new Judge({ runner, queue: redis.queue, store: redis.store, bus: redis.bus, concurrency: 4 })
 * ```
 */
export async function openRedisBackend(options: RedisBackendOptions): Promise<RedisBackend> {
  const prefix = options.prefix ?? 'judgekit';
  const concurrency = options.concurrency ?? (options.role === 'api' ? 0 : 1);
  const opened: Redis[] = [];
  try {
    const fast = await connectRedis(options.url, {
      mode: options.role === 'api' ? 'fail-fast' : 'patient',
      name: `judgekit:${options.role}`,
    });
    opened.push(fast);
    const patient = await connectRedis(options.url, { mode: 'patient', name: `judgekit:${options.role}:writes` });
    opened.push(patient);
    const subscriber = await connectRedis(options.url, { mode: 'patient', name: `judgekit:${options.role}:events` });
    opened.push(subscriber);
    const queue = new BullJobQueue({
      connection: fast,
      ...(concurrency > 0 ? { workerConnection: patient } : {}),
      prefix,
      concurrency: Math.max(1, concurrency),
      ...(options.lockDurationMs !== undefined ? { lockDurationMs: options.lockDurationMs } : {}),
      ...(options.stalledIntervalMs !== undefined ? { stalledIntervalMs: options.stalledIntervalMs } : {}),
      ...(options.maxReruns !== undefined ? { maxReruns: options.maxReruns } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    const store = new RedisResultStore({ client: fast, workerClient: patient, prefix, ...(options.ttlMs ? { ttlMs: options.ttlMs } : {}) });
    const bus = new RedisSubmissionBus({ publisher: patient, subscriber, prefix, receiveEvents: options.role === 'api' });
    await bus.ready();
    const workers = new WorkerRegistry({ client: fast, prefix, ...(options.workerTtlMs ? { ttlMs: options.workerTtlMs } : {}) });
    let closing: Promise<void> | undefined;
    const counts = async () => {
      const [waiting, running, alive] = await Promise.all([queue.waiting(), queue.running(), workers.list()]);
      return { waiting, running, workersAlive: alive.length };
    };
    return {
      url: options.url,
      prefix,
      queue,
      store,
      bus,
      workers,
      client: fast,
      counts,
      cluster: {
        workers: () => workers.list(),
        counts,
        dashboard: (app, basePath) => registerDashboard(app, { basePath, queues: [queue.queue] }),
      },
      async info() {
        const text = await guarded('read INFO', () => fast.info());
        const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
        return { version: field('redis_version'), aof: field('aof_enabled') === '1', usedMemoryBytes: Number(field('used_memory')) || 0 };
      },
      close() {
        closing ??= (async () => {
          await queue.close();
          await bus.close();
          await Promise.all([closeRedis(fast), closeRedis(patient)]);
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const client of opened) client.disconnect();
    throw error;
  }
}
