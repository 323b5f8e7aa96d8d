import type { JudgeEvent } from '@judgekit/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Gauge, Summary } from 'prom-client';
import type { HttpApi } from '../http/api.js';
import { errorResponses } from '../http/schemas.js';
import { workersResponse } from './schemas.js';
import { localCluster } from './source.js';

const tags = ['cluster'];

/** Where the queue dashboard is mounted. */
export const dashboardPath = '/admin/queues';

/**
 * The cluster: `GET /v1/workers` (admin), the `judgekit_cluster_*` metrics, and, when the cluster
 * source has one, the queue dashboard under `/admin/queues` (admin keys; a browser may send the
 * key as the password of HTTP basic authentication).
 */
export const clusterApi: HttpApi = {
  name: 'cluster',
  description: 'Workers and the shared queue.',
  async register(app, ctx) {
    const source = ctx.options.cluster ?? localCluster(ctx.judge);
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get(
      '/v1/workers',
      {
        config: { admin: true },
        schema: {
          tags,
          summary: 'List the workers alive',
          description:
            'Every worker process of the cluster with its heartbeat (a killed worker disappears once its heartbeat expires), and the queue’s counts. Admin keys only.',
          response: { 200: workersResponse, ...errorResponses(401, 403, 503) },
        },
      },
      async () => {
        const [workers, counts] = await Promise.all([source.workers(), source.counts()]);
        return { workers, ...counts };
      },
    );

    if (ctx.metrics) {
      const registers = [ctx.metrics.registry];
      let last: Promise<{ waiting: number; running: number; workersAlive: number } | null> | null = null;
      // One read of the cluster per scrape, shared by the three gauges.
      const counts = () => {
        last ??= source.counts().catch(() => null);
        const current = last;
        setTimeout(() => {
          if (last === current) last = null;
        }, 250).unref();
        return current;
      };
      const gauge = (name: string, help: string, pick: (c: { waiting: number; running: number; workersAlive: number }) => number) =>
        new Gauge({
          name,
          help,
          registers,
          async collect() {
            const c = await counts();
            if (c) this.set(pick(c));
          },
        });
      gauge('judgekit_cluster_queue_waiting', 'Submissions waiting in the whole cluster’s queue.', (c) => c.waiting);
      gauge('judgekit_cluster_queue_running', 'Submissions running on any worker of the cluster.', (c) => c.running);
      gauge('judgekit_cluster_workers_alive', 'Worker processes whose heartbeat is current.', (c) => c.workersAlive);
      const wait = new Summary({
        name: 'judgekit_cluster_queue_wait_seconds',
        help: 'Time from submit to start, over the last 10 minutes, as p50 and p99 (every worker’s submissions, as this node sees them).',
        percentiles: [0.5, 0.99],
        maxAgeSeconds: 600,
        ageBuckets: 5,
        registers,
      });
      const onEvent = (event: JudgeEvent) => {
        if (event.type === 'running' && event.result.startedAt) {
          wait.observe(Math.max(0, Date.parse(event.result.startedAt) - Date.parse(event.result.createdAt)) / 1000);
        }
      };
      ctx.judge.on('event', onEvent);
      app.addHook('onClose', async () => {
        ctx.judge.off('event', onEvent);
      });
    }

    if (source.dashboard) {
      const dashboard = source.dashboard;
      await app.register(async (child: FastifyInstance) => {
        // Every dashboard route needs an admin key; a browser can give it as a basic-auth password.
        child.addHook('onRoute', (route) => {
          route.config = { ...(route.config as object), admin: true, dashboard: true } as typeof route.config;
          route.schema = { ...route.schema, hide: true } as typeof route.schema;
        });
        await dashboard(child, dashboardPath);
      });
    }
  },
};
