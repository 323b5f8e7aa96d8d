import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { JudgeEvent } from '@judgekit/core';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { apis } from './apis.js';
import { registerAuth } from './auth/hooks.js';
import { AdapterContext } from './context.js';
import { errorBody, toHttpFailure } from './errors/http-errors.js';
import { acceptEmptyBodies, drainRefusedBody } from './http/body.js';
import { openApiOptions } from './openapi/document.js';
import { logoSvg } from './openapi/logo.js';
import { AdapterMetrics } from './ops/metrics.js';
import { type JudgekitPluginOptions, resolvePluginOptions } from './options.js';

/**
 * Registers judgekit's HTTP API into a Fastify app, under the prefix it is registered with:
 * the seed's API (`/execute`, `/result/:id`), the versioned API (`/v1/...`, with SSE and
 * WebSocket events), Piston v2 (`/api/v2/...`), OpenAPI docs (`/docs`), `/healthz`, `/readyz`
 * and `/metrics`. Every judgekit error answers `{ error: { code, message, details } }`.
 *
 * The plugin never closes the judge: its owner does (as {@link createServer} does).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { Judge } from '@judgekit/core'
 * import { NsjailRunner } from '@judgekit/runner-nsjail'
 * import { judgekitPlugin } from '@judgekit/http-adapter'
 *
 * const app = Fastify({ logger: true })
 * const judge = new Judge({ runner: new NsjailRunner() })
 * await app.register(judgekitPlugin, { prefix: '/judge', judge, apiKeys: [process.env.JUDGE_KEY!] })
 * app.addHook('onClose', () => judge.close())
 * await app.listen({ port: 3000 })
 * ```
 */
export const judgekitPlugin: FastifyPluginAsync<JudgekitPluginOptions> = async (app, rawOptions) => {
  const options = resolvePluginOptions(rawOptions);
  const metrics = options.metrics ? new AdapterMetrics(options.judge) : null;
  const ctx = new AdapterContext(options, metrics);
  const { judge } = ctx;
  const served = apis.filter((api) => api.enabled?.(options) ?? true);

  app.setValidatorCompiler(validatorCompiler);
  // Responses are built by the routes from typed data; plain JSON.stringify keeps reads fast.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= options.bodyLimitBytes;
  });

  if (options.docs) {
    await app.register(swagger, openApiOptions(options, served, app.prefix));
    const logo = Buffer.from(logoSvg);
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, displayOperationId: true, tryItOutEnabled: false },
      logo: { type: 'image/svg+xml', content: logo, href: `${app.prefix}/`, target: '_self' },
      theme: {
        title: 'judgekit API',
        favicon: [{ filename: 'judgekit.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: logo }],
      },
    });
  }

  if (options.corsOrigins.length > 0) {
    const any = options.corsOrigins.includes('*');
    await app.register(cors, {
      origin: any ? true : [...options.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: ['location', 'retry-after', 'x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      maxAge: 600,
    });
  }

  await registerAuth(app, options);

  acceptEmptyBodies(app);
  app.setErrorHandler(async (error, request, reply) => {
    const failure = toHttpFailure(error, options.retryAfterSeconds);
    if (failure.status >= 500) request.log.error({ err: error, code: failure.code }, 'request failed');
    if (failure.status === 413) await drainRefusedBody(request, reply, options.drainLimitBytes);
    return reply.code(failure.status).headers(failure.headers).send(errorBody(failure));
  });
  app.setNotFoundHandler((request, reply) => {
    const failure = {
      status: 404,
      code: 'JDG_ERR_HTTP_ROUTE_NOT_FOUND' as const,
      message: `No route ${request.method} ${request.url.split('?')[0]}.`,
      details: {},
      headers: {},
    };
    return reply.code(404).send(errorBody(failure));
  });

  if (metrics) {
    app.addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  // Lifecycle lines carry the submission id and the id of the request that created it.
  const onEvent = (event: JudgeEvent) => {
    if (event.type === 'queued') {
      const reqId = ctx.currentRequestId();
      if (reqId === undefined) return;
      ctx.origins.set(event.id, reqId);
      app.log.info({ submissionId: event.id, reqId, event: 'queued', language: event.result.language.id }, 'submission queued');
      return;
    }
    const reqId = ctx.origins.get(event.id);
    if (reqId === undefined) return;
    if (event.type === 'running') {
      app.log.info({ submissionId: event.id, reqId, event: 'running' }, 'submission running');
    } else if (event.type === 'done' || event.type === 'cancelled') {
      ctx.origins.delete(event.id);
      const r = event.result;
      app.log.info(
        {
          submissionId: event.id,
          reqId,
          event: event.type,
          verdict: r.verdict,
          message: r.message ?? undefined,
          tests: `${r.summary.passed}/${r.summary.total}`,
          maxWallTimeMs: r.summary.maxWallTimeMs,
        },
        `submission ${event.type}`,
      );
    }
  };
  judge.on('event', onEvent);

  const drain = () => ctx.shutdown.abort();
  if (options.shutdownSignal?.aborted) drain();
  options.shutdownSignal?.addEventListener('abort', drain, { once: true });
  app.addHook('preClose', async () => {
    drain();
  });
  app.addHook('onClose', async () => {
    options.shutdownSignal?.removeEventListener('abort', drain);
    judge.off('event', onEvent);
    metrics?.close();
  });

  for (const api of served) {
    await app.register((child: FastifyInstance) => api.register(child, ctx), api.prefix ? { prefix: api.prefix } : {});
  }
};
