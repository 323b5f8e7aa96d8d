import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Judge, type JudgeOptions, type Runner } from '@judgekit/core';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions, LogController } from 'fastify';
import { errorBody, type HttpLayerCode, statusOfCode } from './errors/http-errors.js';
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
  /**
   * The sandbox backend of a judge the server creates (and closes). Give this or `judge`, or
   * neither for an API-only node (`judgeOptions.concurrency: 0` with a shared queue).
   */
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
   * Largest request line plus headers, in bytes; beyond it 431 `JDG_ERR_HTTP_HEADERS_TOO_LARGE`.
   * Room for `GET /v1/submissions?ids=` with 100 ids of the longest kind. @defaultValue 32768
   */
  maxHeaderBytes?: number;
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
   * Graceful shutdown, idempotent. First the drain: the server keeps listening, but new
   * submissions answer 503 with `Retry-After` (`JDG_ERR_HTTP_SHUTTING_DOWN`, or
   * `JDG_ERR_JUDGE_CLOSED`), `/readyz` answers 503 and event streams end, while reads and held
   * `?wait=true` requests go on; queued and running submissions finish within
   * `shutdownTimeoutMs`, then what remains is cancelled. Then the server stops listening, and the
   * judge is closed when the server created it.
   */
  close(): Promise<void>;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** The longest path segment the router reads (a submission id is at most 128); beyond it 414. */
const maxParamLength = 256;

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
    maxHeaderBytes = 32 * 1024,
  } = options;
  if (!givenJudge && !runner && judgeOptions?.concurrency !== 0) {
    throw new TypeError('createServer: give a judge or a runner (or judgeOptions.concurrency 0 for an API-only node).');
  }
  const judge = givenJudge ?? new Judge({ ...judgeOptions, ...(runner ? { runner } : {}) });
  const ownsJudge = !givenJudge;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;

  const drain = new AbortController();
  const app = Fastify({
    logger,
    trustProxy,
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
    http: { maxHeaderSize: maxHeaderBytes },
    routerOptions: { maxParamLength },
    // Fastify's two lines per request are replaced by one (onResponse below).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    // The drain answers in judgekit's error shape (the plugin's shutdownSignal), not Fastify's.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Errors found before a route is chosen answer in judgekit's error shape too.
    frameworkErrors: (error: FastifyError, request, reply) => {
      const code: HttpLayerCode =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'JDG_ERR_HTTP_URL_TOO_LONG' : 'JDG_ERR_HTTP_REQUEST_MALFORMED';
      const message =
        code === 'JDG_ERR_HTTP_URL_TOO_LONG'
          ? `A path segment is longer than ${maxParamLength} characters (a submission id has at most 128).`
          : `The URL ${JSON.stringify(request.url.slice(0, 200))} cannot be decoded.`;
      return (reply as FastifyReply).code(statusOfCode[code]).send(errorBody({ code, message, details: {} }));
    },
    clientErrorHandler: answerClientError,
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

  const {
    judge: _j,
    runner: _r,
    judgeOptions: _o,
    port: _p,
    host: _h,
    prefix: _x,
    logger: _l,
    trustProxy: _t,
    maxHeaderBytes: _m,
    ...pluginOptions
  } = options;
  await app.register(judgekitPlugin, { ...pluginOptions, judge, prefix, shutdownSignal: drain.signal });
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
      // Fastify logs a line per address it listens on; the server logs exactly one, with what it serves.
      const level = app.log.level;
      app.log.level = 'warn';
      let address: string;
      try {
        address = await app.listen({ port, host });
      } finally {
        app.log.level = level;
      }
      app.log.info({ address: `${address}${prefix}`, runner: judge.runner?.name ?? 'none', docs: options.docs !== false }, 'listening');
      return address;
    },
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        drain.abort();
        const timer = setTimeout(() => {
          app.log.warn({ shutdownTimeoutMs }, 'shutdown bound reached: cancelling what still runs');
          if (ownsJudge) void judge.destroy();
        }, shutdownTimeoutMs);
        timer.unref();
        try {
          // The drain: still listening, so a request that arrives now gets its 503 (or its read), not a refused connection.
          if (ownsJudge) await judge.close();
          await app.close();
        } finally {
          clearTimeout(timer);
        }
      })();
      return closing;
    },
  };
}

/**
 * Errors Node finds before there is a request (headers too large, a broken request line, a
 * timeout), answered in judgekit's error shape.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const code: HttpLayerCode =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'JDG_ERR_HTTP_HEADERS_TOO_LARGE'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'JDG_ERR_HTTP_REQUEST_TIMEOUT'
        : 'JDG_ERR_HTTP_REQUEST_MALFORMED';
  const message =
    code === 'JDG_ERR_HTTP_HEADERS_TOO_LARGE'
      ? 'The request line and headers are larger than the server reads; send fewer ids per request.'
      : code === 'JDG_ERR_HTTP_REQUEST_TIMEOUT'
        ? 'The request did not arrive in time.'
        : 'The request is not valid HTTP.';
  const status = statusOfCode[code];
  const body = JSON.stringify(errorBody({ code, message, details: {} }));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
