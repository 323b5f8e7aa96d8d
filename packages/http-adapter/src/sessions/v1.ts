import { isJudgeError, type Session, type SessionInput, type SessionSignal, sessionSignals } from '@judgekit/core';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { AdapterContext } from '../context.js';
import { errorBody, HttpError, toHttpFailure } from '../errors/http-errors.js';
import { parseMessage, pump, send } from './pump.js';

/** How long a client has to send `start`. */
const startTimeoutMs = 10_000;

/** @internal Close codes of `/v1/sessions` (docs/interactive.md). */
export const closeCodes = {
  done: 1000,
  shuttingDown: 1001,
  badMessage: 4400,
  startTimeout: 4408,
  secondStart: 4409,
  sessionLimit: 4429,
  failed: 4500,
} as const;

/** @internal The caller a session counts against for the per-key cap: its key, else its tenant, else its address. */
export function sessionKeyOf(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.keyId) return `key:${p.keyId}`;
  if (p?.tenant) return `tenant:${p.tenant}`;
  return `ip:${request.ip}`;
}

function closeCodeOf(error: unknown): number {
  if (isJudgeError(error, 'JDG_ERR_SESSION_LIMIT')) return closeCodes.sessionLimit;
  const status = toHttpFailure(error, 1).status;
  return status >= 400 && status < 500 ? closeCodes.badMessage : closeCodes.failed;
}

/**
 * @internal One `/v1/sessions` WebSocket: `start`, then `stdin` / binary frames, `eof`,
 * `resize` and `signal` from the client; `ready`, `stage`, `data`, `exit` (or `error`) to it.
 * The socket closing kills the program.
 */
export function serveSession(ctx: AdapterContext, socket: WebSocket, request: FastifyRequest): void {
  const gone = new AbortController();
  let session: Session | null = null;
  let starting = false;
  // What the client sends while the sandbox opens, in order, for the session once it exists.
  let early: ((s: Session) => void)[] = [];
  const toSession = (act: (s: Session) => void): void => {
    if (session) act(session);
    else early.push(act);
  };
  const fail = (error: unknown, code = closeCodeOf(error)): void => {
    const failure = toHttpFailure(error, ctx.options.retryAfterSeconds);
    send(socket, { type: 'error', ...errorBody(failure) });
    if (socket.readyState === socket.OPEN) socket.close(code, failure.code);
  };
  const refuse = (message: string, path: string, code: number = closeCodes.badMessage): void => {
    send(socket, {
      type: 'error',
      error: { code: 'JDG_ERR_INPUT_INVALID', message, details: { issues: [{ path, message }] } },
    });
    if (socket.readyState === socket.OPEN) socket.close(code, 'JDG_ERR_INPUT_INVALID');
  };
  const timer = setTimeout(() => {
    if (!starting) refuse(`No start message within ${startTimeoutMs / 1000} s.`, 'type', closeCodes.startTimeout);
  }, startTimeoutMs);
  const onShutdown = (): void => {
    session?.kill();
    if (socket.readyState === socket.OPEN) socket.close(closeCodes.shuttingDown, 'JDG_ERR_HTTP_SHUTTING_DOWN');
  };
  ctx.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
  socket.on('close', () => {
    clearTimeout(timer);
    ctx.shutdown.signal.removeEventListener('abort', onShutdown);
    gone.abort();
  });

  const start = async (message: Record<string, unknown>): Promise<void> => {
    starting = true;
    clearTimeout(timer);
    const { type: _type, ...fields } = message;
    const input = { tty: true, ...fields, signal: gone.signal } as SessionInput;
    try {
      if (ctx.shutdown.signal.aborted) throw new HttpError('JDG_ERR_HTTP_SHUTTING_DOWN', 'The server is shutting down.');
      session = await ctx.judge.session(input, { key: sessionKeyOf(request) });
    } catch (error) {
      fail(error);
      return;
    }
    const live = session;
    for (const act of early) act(live);
    early = [];
    send(socket, { type: 'ready', id: live.id, language: live.language.id, version: live.language.version, tty: live.tty });
    try {
      const exit = await pump(live, socket, (event) => [event]);
      send(socket, { type: 'exit', ...exit });
      if (socket.readyState === socket.OPEN) socket.close(closeCodes.done, 'exit');
    } catch (error) {
      fail(error, closeCodes.failed);
    }
  };

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      if (!starting) refuse('Send start before stdin.', 'type');
      else toSession((s) => s.write(data));
      return;
    }
    const message = parseMessage(data, false);
    if (!message) return refuse('Each text frame must hold one JSON object.', '(root)');
    switch (message.type) {
      case 'start':
        if (starting) return refuse('The session has started already.', 'type', closeCodes.secondStart);
        void start(message);
        return;
      case 'stdin':
        if (typeof message.data !== 'string') return refuse('stdin.data must be a string.', 'data');
        if (!starting) return refuse('Send start before stdin.', 'type');
        toSession((s) => s.write(message.data as string));
        return;
      case 'eof':
        toSession((s) => s.end());
        return;
      case 'resize': {
        const { cols, rows } = message;
        const ok = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1000;
        if (!ok(cols) || !ok(rows)) return refuse('resize: cols and rows must be whole numbers from 1 to 1000.', 'cols');
        toSession((s) => s.resize(cols, rows));
        return;
      }
      case 'signal': {
        const name = message.signal;
        if (typeof name !== 'string' || !(sessionSignals as readonly string[]).includes(name)) {
          return refuse(`signal must be one of ${sessionSignals.join(', ')}.`, 'signal');
        }
        toSession((s) => s.kill(name as SessionSignal));
        return;
      }
      default:
        return refuse(`Unknown message type ${JSON.stringify(message.type)}.`, 'type');
    }
  });
}
