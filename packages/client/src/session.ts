import type { SubmissionInput } from '@judgekit/core';
import { JudgekitClientError } from './errors.js';
import { messageText, openSocket, type WebSocketConstructor } from './socket.js';

/**
 * What a session runs: a language and its source (or files), the limits, and the terminal.
 * The shape of `/v1/sessions`' first message (docs/interactive.md).
 */
export interface SessionOptions extends Pick<SubmissionInput, 'language' | 'source' | 'files' | 'args' | 'limits'> {
  /** A pseudo-terminal (one output stream, echo, Ctrl-C) rather than plain pipes. @defaultValue true */
  tty?: boolean;
  /** Terminal columns. @defaultValue 80 */
  cols?: number;
  /** Terminal rows. @defaultValue 24 */
  rows?: number;
  /** The session ends when neither side sends anything for this long, in milliseconds. @defaultValue the server's (60000) */
  idleTimeoutMs?: number;
  /** Closing the signal closes the socket, which kills the program. */
  signal?: AbortSignal;
}

/** One piece of a session's output: `stdout`, `stderr` (pipes only) or a compile stage's output. */
export interface SessionOutput {
  stream: 'stdout' | 'stderr';
  /** `compile` while a compiled language builds, `run` after. */
  stage: 'compile' | 'run';
  data: string;
}

/** How a session's program ended (or its compile step, when that failed). */
export interface SessionExit {
  /** `run`, or `compile` when the compile step failed and the program never ran. */
  stage: 'compile' | 'run';
  /** Exit status, or null when a signal killed it. */
  exitCode: number | null;
  /** The signal's name, e.g. `SIGINT`, or null. */
  signal: string | null;
  /** The limit that ended it: `cpu`, `wall`, `memory`, `output`, `outputRate`, `processes`, `filesize`, `idle`, or null. */
  limitExceeded: string | null;
  /** CPU time in milliseconds. */
  cpuTimeMs: number;
  /** Wall time in milliseconds. */
  wallTimeMs: number;
  /** Peak memory in bytes. */
  memoryBytes: number;
}

/** A running interactive session. */
export interface Session {
  /** The server's session id (`ses_…`). */
  readonly id: string;
  /** The toolchain version the session runs, or null. */
  readonly version: string | null;
  /** Whether the program has a terminal. */
  readonly tty: boolean;
  /** Sends keystrokes or a line to the program's stdin. */
  write(data: string): void;
  /** Tells the terminal its new size (the program gets SIGWINCH). */
  resize(cols: number, rows: number): void;
  /** Sends a signal to the program (`SIGINT`, `SIGTERM`, `SIGKILL`, ...). @defaultValue 'SIGINT' */
  kill(signal?: string): void;
  /** Closes the program's stdin (with a tty: the terminal's EOF, ^D). */
  eof(): void;
  /** The program's output, as it comes; ends when it exits. */
  readonly output: AsyncIterable<SessionOutput>;
  /** Resolves when the program exits; rejects with the server's coded error. */
  readonly exit: Promise<SessionExit>;
  /** Closes the socket (the server kills the program). */
  close(): void;
}

/** The server's messages (docs/interactive.md). */
type ServerMessage =
  | { type: 'ready'; id: string; language: string; version: string | null; tty: boolean }
  | { type: 'stage'; stage: 'compile' | 'run' }
  | { type: 'data'; stage: 'compile' | 'run'; stream: 'stdout' | 'stderr'; data: string }
  | ({ type: 'exit' } & SessionExit)
  | { type: 'error'; error: { code: string; message: string; details?: Record<string, unknown> } };

/**
 * @internal
 * Starts a session: opens the socket, sends `start`, and resolves once the server says `ready`
 * (or rejects with its coded `error`, e.g. an unknown language or `JDG_ERR_SESSION_LIMIT`).
 */
export async function openSession(Ctor: WebSocketConstructor, url: string, options: SessionOptions): Promise<Session> {
  const { signal, tty = true, cols = 80, rows = 24, ...program } = options;
  const { socket, opened, items } = openSocket(Ctor, url, signal);
  await opened;
  const send = (message: object) => {
    if (socket.readyState === 1) socket.send(JSON.stringify(message));
  };
  send({ type: 'start', ...program, tty, cols, rows });

  let ready!: (message: Extract<ServerMessage, { type: 'ready' }>) => void;
  let failed!: (error: unknown) => void;
  const started = new Promise<Extract<ServerMessage, { type: 'ready' }>>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  started.catch(() => {});
  let exitResolve!: (exit: SessionExit) => void;
  let exitReject!: (error: unknown) => void;
  const exit = new Promise<SessionExit>((resolve, reject) => {
    exitResolve = resolve;
    exitReject = reject;
  });
  exit.catch(() => {});
  const fail = (error: unknown) => {
    failed(error);
    exitReject(error);
  };
  const outputQueue: SessionOutput[] = [];
  let outputDone = false;
  let wake = null as (() => void) | null;

  void (async () => {
    try {
      for await (const item of items) {
        if (item.kind === 'close') {
          fail(
            new JudgekitClientError(
              'JDG_ERR_CLIENT_STREAM',
              `The session socket closed (${item.code}${item.reason ? ` ${item.reason}` : ''}) before the program exited.`,
            ),
          );
          break;
        }
        const message = JSON.parse(messageText(item.data)) as ServerMessage;
        if (message.type === 'ready') ready(message);
        else if (message.type === 'data') {
          outputQueue.push({
            stream: message.stream === 'stderr' ? 'stderr' : 'stdout',
            stage: message.stage ?? 'run',
            data: message.data,
          });
          wake?.();
        } else if (message.type === 'exit') {
          // A compile step that succeeded is followed by the run; one that failed ends the session.
          const { type: _t, ...rest } = message;
          if (rest.stage !== 'compile' || rest.exitCode !== 0 || rest.signal !== null) exitResolve(rest);
        } else if (message.type === 'error') {
          fail(new JudgekitClientError(message.error.code, message.error.message, { details: message.error.details ?? {} }));
        }
      }
    } catch (error) {
      fail(error);
    } finally {
      outputDone = true;
      wake?.();
    }
  })();

  const accepted = await started.catch((error: unknown) => {
    socket.close(1000, 'start refused');
    throw error;
  });
  return {
    id: accepted.id,
    version: accepted.version,
    tty: accepted.tty,
    write: (data) => send({ type: 'stdin', data }),
    resize: (c, r) => send({ type: 'resize', cols: c, rows: r }),
    kill: (name = 'SIGINT') => send({ type: 'signal', signal: name }),
    eof: () => send({ type: 'eof' }),
    exit,
    close: () => socket.close(1000, 'closed by the client'),
    output: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = outputQueue.shift();
          if (next) {
            yield next;
            continue;
          }
          if (outputDone) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      },
    },
  };
}
