import { hostname } from 'node:os';
import type { Judge } from '@judgekit/core';
import { openRedisBackend, type RedisBackend, redactRedisUrl, workerId } from '@judgekit/redis';

/** Environment variable of `--redis-url` (serve, worker, doctor). */
export const redisUrlEnv = 'JUDGEKIT_REDIS_URL';

/** A logger with pino's shape. */
export interface ClusterLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Settings of a node of a Redis cluster. */
export interface ClusterSettings {
  redisUrl: string;
  redisPrefix?: string;
  role: 'api' | 'worker';
  concurrency: number;
  /** See `BullJobQueueOptions.lockDurationMs`. */
  stallTimeoutMs?: number;
  log?: ClusterLog;
}

/** Opens the node's Redis backend; background errors are logged at most every 10 s. */
export async function openCluster(settings: ClusterSettings): Promise<RedisBackend> {
  let lastLogged = 0;
  return openRedisBackend({
    url: settings.redisUrl,
    prefix: settings.redisPrefix ?? 'judgekit',
    role: settings.role,
    concurrency: settings.concurrency,
    ...(settings.stallTimeoutMs
      ? { lockDurationMs: settings.stallTimeoutMs, stalledIntervalMs: Math.max(500, Math.floor(settings.stallTimeoutMs / 3)) }
      : {}),
    onError: (error) => {
      const now = Date.now();
      if (now - lastLogged < 10_000) return;
      lastLogged = now;
      settings.log?.warn(
        { err: error, redis: redactRedisUrl(settings.redisUrl) },
        'Redis: a background operation failed (it reconnects by itself)',
      );
    },
  });
}

/**
 * Announces a judging process in the worker registry every few seconds (`GET /v1/workers`):
 * ready, unhealthy while its runner is unavailable, draining once it stops taking jobs.
 */
export function startHeartbeat(backend: RedisBackend, judge: Judge): { stop(): Promise<void> } {
  const startedAt = new Date().toISOString();
  const id = workerId();
  return backend.workers.heartbeat(() => {
    const ready = judge.ready();
    const unavailable = ready.runner?.available === false;
    return {
      id,
      host: hostname(),
      pid: process.pid,
      runner: judge.runner?.name ?? 'none',
      concurrency: judge.concurrency,
      running: judge.stats().running,
      state: !judge.accepting ? 'draining' : unavailable ? 'unhealthy' : 'ready',
      problem: unavailable ? (ready.runner?.reason ?? 'the runner is unavailable') : null,
      startedAt,
    };
  });
}
