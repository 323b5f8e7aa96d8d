import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { guarded } from '../connection/connection.js';

/** One worker process as `GET /v1/workers` shows it. */
export interface WorkerInfo {
  /** Unique per process: `host/pid/start`. */
  id: string;
  host: string;
  pid: number;
  /** The sandbox backend (`nsjail`, `docker`). */
  runner: string;
  /** Submissions it runs at once. */
  concurrency: number;
  /** Submissions it runs now. */
  running: number;
  /** `ready`; `unhealthy` while its runner is unavailable (it takes no jobs); `draining` after SIGTERM. */
  state: 'ready' | 'unhealthy' | 'draining';
  /** What is wrong, when unhealthy. */
  problem: string | null;
  /** When it started (ISO 8601). */
  startedAt: string;
  /** Its last heartbeat (ISO 8601). */
  lastSeen: string;
}

/** Options of {@link WorkerRegistry}. */
export interface WorkerRegistryOptions {
  client: Redis;
  /** @defaultValue 'judgekit' */
  prefix?: string;
  /** A worker not heard from for this long is gone, in milliseconds. @defaultValue 15000 */
  ttlMs?: number;
}

/**
 * Which workers are alive: each worker writes a heartbeat (its {@link WorkerInfo}, with a time
 * to live) every few seconds; a worker that stops (killed, or its machine lost) disappears from
 * the list once its heartbeat expires.
 */
export class WorkerRegistry {
  readonly #client: Redis;
  readonly #index: string;
  readonly #keyPrefix: string;
  readonly ttlMs: number;

  constructor(options: WorkerRegistryOptions) {
    const prefix = options.prefix ?? 'judgekit';
    this.#client = options.client;
    this.#index = `${prefix}:workers`;
    this.#keyPrefix = `${prefix}:worker:`;
    this.ttlMs = options.ttlMs ?? 15_000;
  }

  /** The workers alive, by id. */
  async list(): Promise<WorkerInfo[]> {
    return guarded('list the workers', async () => {
      const since = Date.now() - this.ttlMs;
      await this.#client.zremrangebyscore(this.#index, '-inf', `(${since}`);
      const ids = await this.#client.zrangebyscore(this.#index, since, '+inf');
      if (ids.length === 0) return [];
      const values = await this.#client.mget(ids.map((id) => this.#keyPrefix + id));
      return values
        .filter((v): v is string => v !== null)
        .map((v) => JSON.parse(v) as WorkerInfo)
        .sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  /** Records a heartbeat. */
  async beat(info: WorkerInfo): Promise<void> {
    const now = Date.now();
    await this.#client
      .multi()
      .set(this.#keyPrefix + info.id, JSON.stringify({ ...info, lastSeen: new Date(now).toISOString() }), 'PX', this.ttlMs)
      .zadd(this.#index, now, info.id)
      .exec();
  }

  /** Removes a worker at once (it stopped cleanly). */
  async forget(id: string): Promise<void> {
    await this.#client
      .multi()
      .del(this.#keyPrefix + id)
      .zrem(this.#index, id)
      .exec();
  }

  /**
   * Beats every `intervalMs` with what `info()` says now, until `stop()` (which forgets the
   * worker). A failed beat (Redis down) is retried at the next tick.
   */
  heartbeat(
    info: () => Omit<WorkerInfo, 'lastSeen'>,
    intervalMs = Math.max(500, Math.min(2000, Math.floor(this.ttlMs / 3))),
  ): { stop(): Promise<void> } {
    let stopped = false;
    const tick = () => {
      if (!stopped) void this.beat({ ...info(), lastSeen: '' }).catch(() => {});
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return {
      stop: async () => {
        stopped = true;
        clearInterval(timer);
        await this.forget(info().id).catch(() => {});
      },
    };
  }
}

const startToken = Date.now().toString(36);

/** This process as a worker id: `host/pid/start`. */
export function workerId(): string {
  return `${hostname()}/${process.pid}/${startToken}`;
}
