import type { JudgeEvent } from '@judgekit/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { tenantOf } from '../auth/hooks.js';
import type { AdapterContext } from '../context.js';
import { errorBody, toHttpFailure } from '../errors/http-errors.js';
import { requestSignal } from '../http/request-signal.js';
import { errorSchema } from '../http/schemas.js';
import { idParams } from './schemas.js';

const tags = ['v1'];

/** One Server-Sent Event message, as the OpenAPI document shows it. */
const eventStream = z
  .string()
  .describe(
    'A `text/event-stream`: each message is `id: N`, `event: TYPE` and `data: JSON` (a judge event `{ type, id, ... }`); ' +
      '`: ping` comments keep proxies from closing an idle stream.',
  );

/** Live events of a submission, as Server-Sent Events or over a WebSocket on the same URL. */
export async function eventRoutes(app: FastifyInstance, ctx: AdapterContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.route({
    method: 'GET',
    url: '/v1/submissions/:id/events',
    schema: {
      tags,
      summary: 'Live events of a submission (SSE or WebSocket)',
      description:
        'Server-Sent Events (`text/event-stream`), or a WebSocket when the request upgrades. First the current state ' +
        '(`queued`, `running`, `done` or `cancelled`), then `running`, `compiled`, one `test` per test, and `done` or `cancelled`, ' +
        'after which the stream ends. Each message is a JSON event `{ type, id, ... }`. An unknown id answers 404 before the stream starts.',
      params: idParams,
      response: {
        200: { description: 'The event stream.', content: { 'text/event-stream': { schema: eventStream } } },
        401: errorSchema,
        404: errorSchema,
        414: errorSchema,
        429: errorSchema,
      },
    },
    handler: async (request, reply) => {
      await ctx.judge.get(request.params.id, tenantOf(request));
      streamEvents(ctx, request, reply, request.params.id);
    },
    wsHandler: (socket, request) => {
      void socketEvents(ctx, socket, (request.params as { id: string }).id, tenantOf(request));
    },
  });
}

/** Streams a submission's events as Server-Sent Events until it finishes, the client leaves or the server shuts down. */
function streamEvents(ctx: AdapterContext, request: FastifyRequest, reply: FastifyReply, id: string): void {
  const signal = AbortSignal.any([requestSignal(reply), ctx.shutdown.signal]);
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
  const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
  heartbeat.unref();
  void (async () => {
    let n = 0;
    try {
      for await (const event of ctx.judge.watch(id, { signal, ...tenantOf(request) })) {
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
async function socketEvents(ctx: AdapterContext, socket: WebSocket, id: string, scope: { tenant: string | null }): Promise<void> {
  const signal = AbortSignal.any([requestSignal(socket), ctx.shutdown.signal]);
  try {
    for await (const event of ctx.judge.watch(id, { signal, ...scope }) as AsyncIterable<JudgeEvent>) {
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
