import { type Session, type SessionInput, type SessionSignal, type SubmissionInput, sessionSignals } from '@judgekit/core';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { AdapterContext } from '../context.js';
import { toHttpFailure } from '../errors/http-errors.js';
import { toSubmissionInput } from '../piston/mapper.js';
import { pistonExecuteBody } from '../piston/schemas.js';
import { parseMessage, pump, send } from './pump.js';
import { sessionKeyOf } from './v1.js';

/** Piston's close codes for `/api/v2/connect`, with its reasons. */
const close = {
  alreadyInitialized: [4000, 'Already Initialized'],
  initTimeout: [4001, 'Initialization Timeout'],
  notifiedError: [4002, 'Notified Error'],
  notInitialized: [4003, 'Not yet initialized'],
  stdinOnly: [4004, 'Can only write to stdin'],
  invalidSignal: [4005, 'Invalid signal'],
  completed: [4999, 'Job Completed'],
} as const;

/** Piston waits one second for `init`. */
const initTimeoutMs = 1000;

/** @internal Piston's execute fields as a session: the same mapping as `/api/v2/execute`, on pipes. */
function toSessionInput(submission: SubmissionInput, signal: AbortSignal): SessionInput {
  const { language, version, files, args, limits, compileLimits } = submission;
  return { language, version, files, args, limits, compileLimits, tty: false, signal };
}

/**
 * @internal Piston's `/api/v2/connect`, unchanged: `init`, `data` (stdin) and `signal` from the
 * client; `runtime`, `stage`, `data`, `exit` and `error` to it, with Piston's close codes.
 */
export function servePistonConnect(ctx: AdapterContext, socket: WebSocket, request: FastifyRequest): void {
  const gone = new AbortController();
  let session: Session | null = null;
  let initialized = false;
  const pending: ((s: Session) => void)[] = [];
  const closeWith = ([code, reason]: readonly [number, string]): void => {
    if (socket.readyState === socket.OPEN) socket.close(code, reason);
  };
  const notify = (message: string): void => {
    send(socket, { type: 'error', message });
    closeWith(close.notifiedError);
  };
  const timer = setTimeout(() => {
    if (!initialized) closeWith(close.initTimeout);
  }, initTimeoutMs);
  const onShutdown = (): void => {
    session?.kill();
    if (socket.readyState === socket.OPEN) socket.close(1001, 'Server shutting down');
  };
  ctx.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
  socket.on('close', () => {
    clearTimeout(timer);
    ctx.shutdown.signal.removeEventListener('abort', onShutdown);
    gone.abort();
  });

  let compiled = false;
  const init = async (message: Record<string, unknown>): Promise<void> => {
    const parsed = pistonExecuteBody.safeParse(message);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return notify(`${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const submission = toSubmissionInput(parsed.data);
    try {
      if (ctx.shutdown.signal.aborted) return notify('The server is shutting down.');
      session = await ctx.judge.session(toSessionInput(submission, gone.signal), { key: sessionKeyOf(request) });
    } catch (error) {
      return notify(toHttpFailure(error, ctx.options.retryAfterSeconds).message);
    }
    const live = session;
    send(socket, { type: 'runtime', language: live.language.id, version: live.language.version ?? parsed.data.version });
    if (parsed.data.stdin) live.write(parsed.data.stdin);
    for (const act of pending.splice(0)) act(live);
    try {
      const exit = await pump(live, socket, (event) => {
        if (event.type === 'data') return [{ type: 'data', stream: event.stream, data: event.data }];
        // A compile that succeeded ends as Piston reports it, just before the run stage starts.
        if (event.stage === 'run' && compiled) {
          compiled = false;
          return [
            { type: 'exit', stage: 'compile', code: 0, signal: null },
            { type: 'stage', stage: 'run' },
          ];
        }
        if (event.stage === 'compile') compiled = true;
        return [{ type: 'stage', stage: event.stage }];
      });
      send(socket, { type: 'exit', stage: exit.stage, code: exit.exitCode, signal: exit.signal });
      closeWith(close.completed);
    } catch (error) {
      notify(toHttpFailure(error, ctx.options.retryAfterSeconds).message);
    }
  };

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    const message = parseMessage(data, isBinary);
    if (!message) return notify('Unexpected token: messages are JSON objects');
    switch (message.type) {
      case 'init':
        if (initialized) return closeWith(close.alreadyInitialized);
        initialized = true;
        clearTimeout(timer);
        void init(message);
        return;
      case 'data':
        if (!initialized) return closeWith(close.notInitialized);
        if (message.stream !== 'stdin') return closeWith(close.stdinOnly);
        if (typeof message.data !== 'string') return notify('data must be a string');
        if (session) session.write(message.data);
        else pending.push((s) => s.write(message.data as string));
        return;
      case 'signal': {
        if (!initialized) return closeWith(close.notInitialized);
        const name = message.signal;
        if (typeof name !== 'string' || !(sessionSignals as readonly string[]).includes(name)) return closeWith(close.invalidSignal);
        if (session) session.kill(name as SessionSignal);
        else pending.push((s) => s.kill(name as SessionSignal));
        return;
      }
      default:
        // Piston ignores other message types.
        return;
    }
  });
}
