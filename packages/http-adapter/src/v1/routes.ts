import { isJudgeError, type JudgeEvent, type SubmissionResult } from '@judgekit/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { AdapterContext } from '../context.js';
import { errorBody, toHttpFailure } from '../errors/http-errors.js';
import {
  batchCreateBody,
  batchCreateResponse,
  batchGetQuery,
  batchGetResponse,
  createQuery,
  errorSchema,
  idParams,
  languagesResponse,
  submissionResultSchema,
  submissionSchema,
} from '../schemas.js';

const tags = ['v1'];
const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 422: errorSchema, 429: errorSchema, 503: errorSchema };

/** The versioned API: submissions, batch, live events (SSE and WebSocket), languages. */
export async function v1Routes(app: FastifyInstance, ctx: AdapterContext): Promise<void> {
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
        response: { 200: submissionResultSchema, 202: submissionResultSchema, ...errors },
      },
    },
    async (request, reply) => {
      const id = await ctx.submit(request.body, request.id);
      reply.header('location', `${request.url.split('?')[0]}/${id}`);
      if (!request.query.wait) return reply.code(202).send(await judge.get(id));
      const result = await holdUntilDone(ctx, id, request.query.timeoutMs, reply);
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
        response: { 200: batchCreateResponse, ...errors },
      },
    },
    async (request) => {
      const submissions = [];
      for (const input of request.body.submissions) {
        try {
          const id = await ctx.submit(input, request.id);
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
        summary: 'Get several submissions',
        description: 'Results in the order of `ids`; an unknown id gives `{ id, error }` in its place.',
        querystring: batchGetQuery,
        response: { 200: batchGetResponse, ...errors },
      },
    },
    async (request) => {
      const ids = request.query.ids
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (ids.length > 100) {
        throw Object.assign(new Error('ids: at most 100 ids'), {
          validation: [{ instancePath: '/ids', message: `at most 100 ids, received ${ids.length}` }],
          validationContext: 'querystring',
        });
      }
      const submissions = await Promise.all(
        ids.map(async (id) => {
          try {
            return await judge.get(id);
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
      schema: { tags, summary: 'Get a submission', params: idParams, response: { 200: submissionResultSchema, ...errors } },
    },
    (request) => judge.get(request.params.id),
  );

  r.delete(
    '/v1/submissions/:id',
    {
      schema: {
        tags,
        summary: 'Delete a submission',
        description: 'Cancels it first when it has not finished. 204, or 404 when unknown.',
        params: idParams,
        response: { 204: z.null().describe('Deleted.'), ...errors },
      },
    },
    async (request, reply) => {
      if (!(await judge.delete(request.params.id))) await judge.get(request.params.id);
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
        response: { 200: submissionResultSchema, ...errors },
      },
    },
    (request) => judge.cancel(request.params.id),
  );

  r.get(
    '/v1/languages',
    {
      schema: {
        tags,
        summary: 'Languages and the versions detected on this host',
        description: 'Each version comes from the language’s version probe run in a sandbox; null when the toolchain is missing.',
        response: { 200: languagesResponse, ...errors },
      },
    },
    async () => ({ languages: await ctx.languages() }),
  );
}

/**
 * Live events of a submission, as Server-Sent Events or over a WebSocket on the same URL. Registered
 * in a context of its own with @fastify/websocket, so the other routes do not pay for its wrapper.
 */
export async function eventRoutes(app: FastifyInstance, ctx: AdapterContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { judge } = ctx;
  r.route({
    method: 'GET',
    url: '/v1/submissions/:id/events',
    schema: {
      tags,
      summary: 'Live events of a submission (SSE or WebSocket)',
      description:
        'Server-Sent Events (`text/event-stream`), or a WebSocket when the request upgrades. First the current state ' +
        '(`queued`, `running`, `done` or `cancelled`), then `running`, `compiled`, one `test` per test, and `done` or `cancelled`, ' +
        'after which the stream ends. Each message is a JSON event `{ type, id, ... }`.',
      params: idParams,
      response: { 404: errorSchema, 401: errorSchema },
    },
    handler: async (request, reply) => {
      await judge.get(request.params.id);
      streamEvents(ctx, request, reply, request.params.id);
    },
    wsHandler: (socket, request) => {
      void socketEvents(ctx, socket, (request.params as { id: string }).id);
    },
  });
}

/** Waits for a submission within the bounds of the request, the server and the client's connection. */
async function holdUntilDone(
  ctx: AdapterContext,
  id: string,
  timeoutMs: number | undefined,
  reply: FastifyReply,
): Promise<SubmissionResult> {
  const controller = new AbortController();
  const onClose = () => controller.abort();
  reply.raw.once('close', onClose);
  // Not tied to shutdown: a held request ends when its submission does, as the judge drains.
  try {
    return await ctx.judge.wait(id, {
      timeoutMs: Math.min(timeoutMs ?? ctx.options.maxWaitMs, ctx.options.maxWaitMs),
      signal: controller.signal,
    });
  } catch (error) {
    if (isJudgeError(error, 'JDG_ERR_WAIT_TIMEOUT') || controller.signal.aborted) return ctx.judge.get(id);
    throw error;
  } finally {
    reply.raw.off('close', onClose);
  }
}

/** Streams a submission's events as Server-Sent Events until it finishes or the client leaves. */
function streamEvents(ctx: AdapterContext, request: FastifyRequest, reply: FastifyReply, id: string): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  res.write(': judgekit events\n\n');
  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, ctx.shutdown.signal]);
  const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
  heartbeat.unref();
  res.once('close', () => controller.abort());
  void (async () => {
    let n = 0;
    try {
      for await (const event of ctx.judge.watch(id, { signal })) {
        res.write(`id: ${++n}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      }
    } catch (error) {
      const failure = toHttpFailure(error, ctx.options.retryAfterSeconds);
      res.write(`event: error\ndata: ${JSON.stringify(errorBody(failure))}\n\n`);
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  })();
}

/** Sends a submission's events over a WebSocket, one JSON message each, then closes with 1000. */
async function socketEvents(ctx: AdapterContext, socket: WebSocket, id: string): Promise<void> {
  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, ctx.shutdown.signal]);
  socket.once('close', () => controller.abort());
  try {
    for await (const event of ctx.judge.watch(id, { signal }) as AsyncIterable<JudgeEvent>) {
      if (socket.readyState !== socket.OPEN) break;
      socket.send(JSON.stringify(event));
    }
    socket.close(1000, 'done');
  } catch (error) {
    const failure = toHttpFailure(error, ctx.options.retryAfterSeconds);
    if (socket.readyState === socket.OPEN) {
      socket.send(JSON.stringify({ type: 'error', ...errorBody(failure) }));
      // 4000 + HTTP status: 4404 for an unknown submission.
      socket.close(4000 + (failure.status % 1000), failure.code);
    }
  }
}
