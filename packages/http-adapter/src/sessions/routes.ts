import { setMaxListeners } from 'node:events';
import type { FastifyInstance } from 'fastify';
import type { AdapterContext } from '../context.js';
import { HttpError } from '../errors/http-errors.js';
import { errorSchema } from '../http/schemas.js';
import { servePistonConnect } from './piston.js';
import { serveSession } from './v1.js';

/**
 * @internal Live sessions over WebSocket: `/v1/sessions` (judgekit's protocol) and, with the Piston
 * API on, Piston's `/api/v2/connect`. Registered in the context that holds @fastify/websocket
 * (one per server: each registration would answer every upgrade).
 */
export async function sessionRoutes(app: FastifyInstance, ctx: AdapterContext): Promise<void> {
  // Every live session listens for the server's shutdown.
  setMaxListeners(0, ctx.shutdown.signal);
  // An upgrade refused before @fastify/websocket saw it (a missing key, the rate limit) leaves the
  // raw socket open after the answer: end it, or the client and the server's close wait on it.
  app.addHook('onResponse', async (request) => {
    const upgrade = request.headers.upgrade;
    if (typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket' && !(request as { ws?: boolean }).ws) {
      request.raw.socket?.end();
    }
  });
  app.route({
    method: 'GET',
    url: '/v1/sessions',
    schema: {
      tags: ['v1'],
      summary: 'A live session (WebSocket)',
      description:
        'Upgrade to a WebSocket and send `{"type":"start","language":…,"source":…,"tty":true}`; then `stdin`, `eof`, `resize` and ' +
        '`signal` messages. The server sends `ready`, `stage`, `data`, `exit` (or `error`) and closes. The protocol and its close ' +
        'codes are in docs/interactive.md. Browsers pass the key as `?access_token=KEY`. A plain GET answers 400.',
      response: { 400: errorSchema, 401: errorSchema, 429: errorSchema },
    },
    handler: async () => {
      throw new HttpError('JDG_ERR_HTTP_UPGRADE_REQUIRED', '/v1/sessions is a WebSocket: connect with an Upgrade request.');
    },
    wsHandler: (socket, request) => serveSession(ctx, socket, request),
  });
  if (!ctx.options.pistonApi) return;
  app.route({
    method: 'GET',
    url: '/api/v2/connect',
    schema: {
      tags: ['piston'],
      summary: 'Interactive execution (Piston v2 WebSocket)',
      description:
        'Piston’s protocol, unchanged: `init` (the execute fields), `data` (stdin) and `signal` from the client; `runtime`, `stage`, ' +
        '`data`, `exit` and `error` from the server; close codes 4000–4005 and 4999 as Piston’s.',
    },
    handler: async () => {
      throw new HttpError('JDG_ERR_HTTP_UPGRADE_REQUIRED', '/api/v2/connect is a WebSocket: connect with an Upgrade request.');
    },
    wsHandler: (socket, request) => servePistonConnect(ctx, socket, request),
  });
}
