import { randomUUID } from 'node:crypto';
import { Judge, type JudgeOptions, type Runner } from '@judgekit/core';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { JudgekitPluginOptions } from './options.js';
import { judgekitPlugin } from './plugin.js';

/**
 * Options of {@link createServer}: the plugin's options, plus where to listen and how to build
 * (or borrow) the judge.
 *
 * @example
 * ```ts
 * const server = await createServer({ runner: new NsjailRunner(), port: 8000, apiKeys: ['s3cret'] })
 * await server.listen()
 * process.once('SIGTERM', () => server.close().then(() => process.exit(0)))
 * ```
 */
export interface CreateServerOptions extends Omit<JudgekitPluginOptions, 'judge'> {
  /** A judge to serve. The server does not close a judge it was given. Give this or `runner`. */
  judge?: Judge;
  /** The sandbox backend of a judge the server creates (and closes). Give this or `judge`. */
  runner?: Runner;
  /** Options of the judge the server creates (besides `runner`). */
  judgeOptions?: Omit<JudgeOptions, 'runner'>;
  /** Port to listen on; 0 picks a free one. @defaultValue 8000 */
  port?: number;
  /** Address to listen on. @defaultValue '127.0.0.1' (use '0.0.0.0' to serve other machines) */
  host?: string;
  /** Path prefix of every route. @defaultValue '' */
  prefix?: string;
  /** Fastify logger: `true` for pino JSON on stdout, pino options, or `false`. @defaultValue true */
  logger?: FastifyServerOptions['logger'];
  /** Trust `X-Forwarded-*` from a proxy (for client addresses in rate limits). @defaultValue false */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /**
   * On `close()`, how long running and queued submissions may take to finish, in milliseconds;
   * after it they are cancelled. @defaultValue 30000
   */
  shutdownTimeoutMs?: number;
}

/** A standalone judgekit HTTP server. */
export interface JudgekitServer {
  /** The Fastify app (add routes or hooks before `listen`). */
  readonly app: FastifyInstance;
  /** The judge it serves. */
  readonly judge: Judge;
  /** Starts listening; resolves with the address, e.g. `http://127.0.0.1:8000`. */
  listen(): Promise<string>;
  /**
   * Graceful shutdown, idempotent: stops accepting (new requests get 503), lets in-flight requests
   * and submissions finish within `shutdownTimeoutMs`, cancels what remains, closes the judge when
   * the server created it.
   */
  close(): Promise<void>;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds a standalone judgekit server: Fastify with pino JSON logs (one line per request, with
 * its request id), the {@link judgekitPlugin} routes, and graceful shutdown.
 */
export async function createServer(options: CreateServerOptions): Promise<JudgekitServer> {
  const {
    judge: givenJudge,
    runner,
    judgeOptions,
    port = 8000,
    host = '127.0.0.1',
    prefix = '',
    logger = true,
    trustProxy = false,
  } = options;
  if (!givenJudge && !runner) throw new TypeError('createServer: give a judge or a runner.');
  const judge = givenJudge ?? new Judge({ ...judgeOptions, runner: runner as Runner });
  const ownsJudge = !givenJudge;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;

  const app = Fastify({
    logger,
    trustProxy,
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
    // Fastify's two lines per request are replaced by one (onResponse below).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A caller's X-Request-Id is kept when it is sane, so logs can be joined across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
  });
  let shuttingDown = false;
  // Callback-style hooks: no promise per request on the hot path.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    // A response finished during shutdown must not leave a keep-alive connection holding the
    // server open (Fastify keeps idle connections for 72 s).
    if (shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });
  // One log line per request, after the response (no hook at all when logging is off).
  if (logger !== false) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.info(
        {
          method: request.method,
          url: request.url,
          statusCode: reply.statusCode,
          responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
          ip: request.ip,
        },
        'request',
      );
      done();
    });
  }

  const { judge: _j, runner: _r, judgeOptions: _o, port: _p, host: _h, prefix: _x, logger: _l, trustProxy: _t, ...pluginOptions } = options;
  await app.register(judgekitPlugin, { ...pluginOptions, judge, prefix });
  if (prefix !== '') {
    // Paths outside the prefix answer in the same error shape as those inside it.
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({
        error: { code: 'JDG_ERR_HTTP_ROUTE_NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}.`, details: {} },
      }),
    );
  }

  let closing: Promise<void> | undefined;
  return {
    app,
    judge,
    async listen() {
      return app.listen({ port, host });
    },
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        const timer = setTimeout(() => {
          app.log.warn({ shutdownTimeoutMs }, 'shutdown bound reached: cancelling what still runs');
          if (ownsJudge) void judge.destroy();
        }, shutdownTimeoutMs);
        timer.unref();
        try {
          // Closing the judge first makes new submissions fail with 503 while held requests finish.
          const judgeClosed = ownsJudge ? judge.close() : Promise.resolve();
          await app.close();
          await judgeClosed;
        } finally {
          clearTimeout(timer);
        }
      })();
      return closing;
    },
  };
}
