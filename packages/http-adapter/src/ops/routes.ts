import type { RunnerHealth } from '@judgekit/core';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Registry } from 'prom-client';
import type { HttpApi } from '../http/api.js';
import { healthResponse, readyResponse } from './schemas.js';

const tags = ['operations'];
const healthCacheMs = 2_000;

/** `/healthz` (the process answers), `/readyz` (the runner can open sandboxes), `/metrics` (Prometheus). */
export const opsApi: HttpApi = {
  name: 'operations',
  description: 'Health, readiness, metrics.',
  async register(app, ctx) {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { metrics } = ctx;
    let cached: { at: number; health: Promise<RunnerHealth> } | undefined;

    r.get(
      '/healthz',
      {
        config: { rateLimit: false, public: true },
        schema: { tags, summary: 'Liveness: the process answers', response: { 200: healthResponse } },
      },
      async () => ({ status: 'ok' as const }),
    );

    r.get(
      '/readyz',
      {
        config: { rateLimit: false, public: true },
        schema: {
          tags,
          summary: 'Readiness: the runner can open sandboxes and the judge takes work',
          description: '200 when ready, 503 otherwise (also while shutting down), with the runner’s problems and their fixes.',
          response: { 200: readyResponse, 503: readyResponse },
        },
      },
      async (_request, reply) => {
        // The runner's health check may start a process; a short cache keeps probes cheap.
        if (!cached || Date.now() - cached.at > healthCacheMs) {
          cached = {
            at: Date.now(),
            health: ctx.judge.health(),
          };
        }
        const health = await cached.health;
        const accepting = ctx.judge.accepting && !ctx.shutdown.signal.aborted;
        const ready = health.ready && accepting;
        const checks = ctx.options.readinessChecks.map((check) => check());
        const degraded = checks.some((c) => c.degraded);
        const problems = [...health.problems, ...checks.flatMap((c) => c.problems)];
        return reply.code(ready ? 200 : 503).send({ ready, degraded, runner: ctx.judge.runner?.name ?? 'none', accepting, problems });
      },
    );

    if (metrics) {
      app.get(
        '/metrics',
        {
          config: { rateLimit: false, admin: true },
          schema: { tags, summary: 'Prometheus metrics', description: 'Queue depth, running, finished by verdict, durations, failures.' },
        },
        async (_request, reply) => {
          const extra = ctx.options.metricsRegistries;
          const registry = extra.length > 0 ? Registry.merge([metrics.registry, ...extra]) : metrics.registry;
          return reply.type(registry.contentType).send(await registry.metrics());
        },
      );
    }
  },
};
