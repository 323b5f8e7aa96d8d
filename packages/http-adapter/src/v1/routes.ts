import websocket from '@fastify/websocket';
import { isJudgeError, JudgeError, type SubmissionResult, submissionResultSchema, submissionSchema } from '@judgekit/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tenantOf } from '../auth/hooks.js';
import type { AdapterContext } from '../context.js';
import { errorBody, toHttpFailure } from '../errors/http-errors.js';
import type { HttpApi } from '../http/api.js';
import { requestSignal } from '../http/request-signal.js';
import { errorResponses } from '../http/schemas.js';
import { sessionRoutes } from '../sessions/routes.js';
import { eventRoutes } from './events.js';
import { listOrGetQuery, listOrGetResponse, listSubmissions } from './listing.js';
import { parseIds, toLanguageInfo } from './mapper.js';
import { batchCreateBody, batchCreateResponse, createQuery, idParams, languagesResponse, maxBatch } from './schemas.js';

const tags = ['v1'];

/** The versioned API: submissions, batch, live events (SSE and WebSocket), languages. */
export const v1Api: HttpApi = {
  name: 'v1',
  description: 'The versioned API.',
  async register(app, ctx) {
    await submissionRoutes(app, ctx);
    // The events route needs @fastify/websocket; in a context of its own, the other routes do not pay for its wrapper.
    await app.register(async (child: FastifyInstance) => {
      // One @fastify/websocket per server (each registration answers every upgrade): sessions share it.
      // A session's start message carries its source: 4 MiB per frame.
      await child.register(websocket, { options: { maxPayload: 4 * 1024 * 1024 } });
      await eventRoutes(child, ctx);
      await sessionRoutes(child, ctx);
    });
  },
};

async function submissionRoutes(app: FastifyInstance, ctx: AdapterContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { judge } = ctx;

  r.post(
    '/v1/submissions',
    {
      schema: {
        tags,
        summary: 'Create a submission',
        description:
          'Validates and queues a submission. Answers 202 with the queued result, or with `wait=true` holds the request until it is done ' +
          '(200) or the wait runs out (202 with the current state).',
        querystring: createQuery,
        body: submissionSchema,
        response: { 200: submissionResultSchema, 202: submissionResultSchema, ...errorResponses(413, 415, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const id = await ctx.submit(request.body, request);
      reply.header('location', `${request.url.split('?')[0]}/${id}`);
      if (!request.query.wait) return reply.code(202).send(await judge.get(id, tenantOf(request)));
      const result = await holdUntilDone(ctx, id, request.query.timeoutMs, reply, tenantOf(request));
      return reply.code(result.status === 'done' || result.status === 'cancelled' ? 200 : 202).send(result);
    },
  );

  r.post(
    '/v1/submissions/batch',
    {
      schema: {
        tags,
        summary: 'Create several submissions',
        description:
          'Each submission is queued on its own: the answer lists, in order, `{ id, status }` for each queued one and `{ error }` for ' +
          'each refused one (unknown language, full queue, ...). A schema violation anywhere refuses the whole batch with 400.',
        body: batchCreateBody,
        response: { 200: batchCreateResponse, ...errorResponses(413, 415, 503) },
      },
    },
    async (request) => {
      const submissions = [];
      for (const input of request.body.submissions) {
        try {
          const id = await ctx.submit(input, request);
          submissions.push({ id, status: 'queued' as const });
        } catch (error) {
          if (!isJudgeError(error)) throw error;
          submissions.push(errorBody(toHttpFailure(error, ctx.options.retryAfterSeconds)));
        }
      }
      return { submissions };
    },
  );

  r.get(
    '/v1/submissions',
    {
      schema: {
        tags,
        summary: 'List submissions, or get several by id',
        description:
          `Without \`ids\`: the caller’s tenant’s submissions, newest first, \`limit\` a page (default 20, at most 100), filtered by ` +
          '`status`, `verdict`, `language`, `metadata.KEY=VALUE`, `createdAfter`, `createdBefore`; follow `nextCursor` with `cursor`. ' +
          'Admin keys may list another tenant (`tenant=NAME`) or every tenant (`tenant=*`). Needs a store that lists (the in-memory ' +
          `default lists what it still holds; PostgreSQL the whole history). With \`ids\`: results in the order of \`ids\` (at most ${maxBatch}); ` +
          'an unknown id gives `{ id, error }` in its place.',
        querystring: listOrGetQuery,
        response: { 200: listOrGetResponse, ...errorResponses(403, 431, 501) },
      },
    },
    async (request) => {
      if (request.query.ids === undefined) return listSubmissions(ctx, request);
      const ids = parseIds(request.query.ids);
      if (ids.length > maxBatch) {
        throw new JudgeError('JDG_ERR_INPUT_INVALID', `Invalid querystring: ids: at most ${maxBatch} ids, received ${ids.length}.`, {
          details: { issues: [{ path: 'ids', message: `at most ${maxBatch} ids, received ${ids.length}` }] },
        });
      }
      const submissions = await Promise.all(
        ids.map(async (id) => {
          try {
            return await judge.get(id, tenantOf(request));
          } catch (error) {
            if (!isJudgeError(error)) throw error;
            return { id, ...errorBody(toHttpFailure(error, ctx.options.retryAfterSeconds)) };
          }
        }),
      );
      return { submissions };
    },
  );

  r.get(
    '/v1/submissions/:id',
    {
      schema: {
        tags,
        summary: 'Get a submission',
        params: idParams,
        response: { 200: submissionResultSchema, ...errorResponses(404, 414) },
      },
    },
    (request) => judge.get(request.params.id, tenantOf(request)),
  );

  r.delete(
    '/v1/submissions/:id',
    {
      schema: {
        tags,
        summary: 'Delete a submission',
        description: 'Cancels it first when it has not finished. 204 without a body, or 404 when unknown.',
        params: idParams,
        response: { 204: z.null().describe('Deleted; no body.'), ...errorResponses(404, 414) },
      },
    },
    async (request, reply) => {
      if (!(await judge.delete(request.params.id, tenantOf(request)))) await judge.get(request.params.id, tenantOf(request));
      ctx.origins.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/v1/submissions/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a submission',
        description: 'A queued submission never runs; a running one has its sandbox killed. A finished one is returned unchanged.',
        params: idParams,
        response: { 200: submissionResultSchema, ...errorResponses(404, 414) },
      },
    },
    (request) => judge.cancel(request.params.id, tenantOf(request)),
  );

  r.get(
    '/v1/languages',
    {
      schema: {
        tags,
        summary: 'Languages and the versions detected on this host',
        description: 'Each version comes from the language’s version probe run in a sandbox; null when the toolchain is missing.',
        response: { 200: languagesResponse, ...errorResponses() },
      },
    },
    async () => ({ languages: (await ctx.languages()).map(({ language, version }) => toLanguageInfo(language, version)) }),
  );
}

/** Waits for a submission within the bounds of the request, the server and the client's connection. */
async function holdUntilDone(
  ctx: AdapterContext,
  id: string,
  timeoutMs: number | undefined,
  reply: FastifyReply,
  scope: { tenant: string | null },
): Promise<SubmissionResult> {
  const signal = requestSignal(reply);
  // Not tied to shutdown: a held request ends when its submission does, as the judge drains.
  try {
    return await ctx.judge.wait(id, { ...scope, timeoutMs: Math.min(timeoutMs ?? ctx.options.maxWaitMs, ctx.options.maxWaitMs), signal });
  } catch (error) {
    if (isJudgeError(error, 'JDG_ERR_WAIT_TIMEOUT') || signal.aborted) return ctx.judge.get(id, scope);
    throw error;
  }
}
