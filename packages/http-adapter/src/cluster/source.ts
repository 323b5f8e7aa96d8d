import { hostname } from 'node:os';
import type { Judge } from '@judgekit/core';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { workerSchema } from './schemas.js';

/** One worker process, as `GET /v1/workers` lists it. */
export type ClusterWorker = z.infer<typeof workerSchema>;

/** The cluster's queue and workers: waiting and running submissions, workers alive. */
export interface ClusterCounts {
  waiting: number;
  running: number;
  workersAlive: number;
}

/**
 * Where the HTTP adapter learns about the cluster it serves: the workers alive and the queue's
 * counts, for `GET /v1/workers` and the `judgekit_cluster_*` metrics, and optionally a queue
 * dashboard to mount under `/admin/queues`. `@judgekit/redis`'s backend is one; without one,
 * the adapter describes its own process.
 */
export interface ClusterSource {
  workers(): Promise<ClusterWorker[]>;
  counts(): Promise<ClusterCounts>;
  /** Mounts a dashboard's routes under `basePath` in `app` (the adapter guards them with the admin key). */
  dashboard?(app: FastifyInstance, basePath: string): Promise<void>;
}

const startedAt = new Date().toISOString();

/** @internal The single-process view: this judge is the only worker. */
export function localCluster(judge: Judge): ClusterSource {
  const self = (): ClusterWorker[] => {
    if (judge.concurrency === 0 || !judge.runner) return [];
    const ready = judge.ready();
    return [
      {
        id: `${hostname()}/${process.pid}`,
        host: hostname(),
        pid: process.pid,
        runner: judge.runner.name,
        concurrency: judge.concurrency,
        running: judge.stats().running,
        state: !judge.accepting ? 'draining' : ready.runner?.available === false ? 'unhealthy' : 'ready',
        problem: ready.runner?.reason ?? null,
        startedAt,
        lastSeen: new Date().toISOString(),
      },
    ];
  };
  return {
    workers: async () => self(),
    counts: async () => {
      const stats = judge.stats();
      return { waiting: stats.queued, running: stats.running, workersAlive: self().length };
    },
  };
}
