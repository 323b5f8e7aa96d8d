import type { SubmissionInput } from '@judgekit/core';
import { JudgekitClientError } from './errors.js';
import { messageText, openSocket, type WebSocketConstructor } from './socket.js';

/**
 * What a session runs: a language and its source (or files), the limits, and the terminal.
 * The shape of `/v1/sessions`' first message (docs/interactive.md).
 */
export interface SessionOptions extends Pick<SubmissionInput, 'language' | 'version' | 'source' | 'files' | 'args' | 'limits'> {
  /** A pseudo-terminal (one output stream, echo, Ctrl-C) rather than plain pipes. @defaultValue true */
  tty?: boolean;
  /** Terminal columns. @defaultValue 80 */
  cols?: number;
  /** Terminal rows. @defaultValue 24 */
  rows?: number;
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

/** How a session's program ended. */
export interface SessionExit {
  /** Exit status, or null when a signal killed it. */
  exitCode: number | null;
  /** The signal's name, e.g. `SIGINT`, or null. */
  signal: string | null;
  /** The limit that ended it (`wall`, `idle`, `cpu`, `memory`, `output`, ...), or null. */
  limitExceeded: string | null;
  /** Other figures the server sends (cpu, wall, peak memory). */
  [key: string]: unknown;
}

/** A running interactive session. */
export interface Session {
  /** The server's session id. */
  readonly id: string | null;
  /** Sends keystrokes or a line to the program's stdin. */
  write(data: string): void;
  /** Tells the terminal its new size (the program gets SIGWINCH). */
  resize(cols: number, rows: number): void;
  /** Sends a signal to the program. @defaultValue 'SIGINT' */
  kill(signal?: string): void;
  /** The program's output, as it comes; ends when it exits. */
  readonly output: AsyncIterable<SessionOutput>;
  /** Resolves when the program exits; rejects with the server's coded error. */
  readonly exit: Promise<SessionExit>;
  /** Closes the socket (the server kills the program). */
  close(): void;
}

type ServerMessage =
  | { type: 'started'; id?: string }
  | { type: 'stage'; stage: 'compile' | 'run' }
  | { type: 'data' | 'output' | 'stdout' | 'stderr'; stream?: 'stdout' | 'stderr'; data: string }
  | ({ type: 'exit' } & SessionExit)
  | { type: 'error'; error?: { code: string; message: string }; code?: string; message?: string };

/** @internal */
export async function openSession(Ctor: WebSocketConstructor, url: string, options: SessionOptions): Promise<Session> {
  const { signal, tty = true, cols = 80, rows = 24, ...program } = options;
  const { socket, opened, items } = openSocket(Ctor, url, signal);
  await opened;
  const send = (message: object) => {
    if (socket.readyState === 1) socket.send(JSON.stringify(message));
  };
  send({ type: 'start', ...program, tty, cols, rows });

  let id: string | null = null;
  let stage: 'compile' | 'run' = 'run';
  let exitResolve!: (exit: SessionExit) => void;
  let exitReject!: (error: unknown) => void;
  const exit = new Promise<SessionExit>((resolve, reject) => {
    exitResolve = resolve;
    exitReject = reject;
  });
  exit.catch(() => {});
  const outputQueue: SessionOutput[] = [];
  let outputDone = false;
  let wake = null as (() => void) | null;

  void (async () => {
    try {
      for await (const item of items) {
        if (item.kind === 'close') {
          exitReject(
            new JudgekitClientError(
              item.reason || 'JDG_ERR_CLIENT_STREAM',
              `The session socket closed (${item.code}) before the program exited.`,
            ),
          );
          break;
        }
        const message = JSON.parse(messageText(item.data)) as ServerMessage;
        if (message.type === 'started') id = message.id ?? null;
        else if (message.type === 'stage') stage = message.stage;
        else if (message.type === 'exit') {
          const { type: _t, ...rest } = message;
          exitResolve(rest as SessionExit);
        } else if (message.type === 'error') {
          const code = message.error?.code ?? message.code ?? 'JDG_ERR_CLIENT_STREAM';
          exitReject(new JudgekitClientError(code, message.error?.message ?? message.message ?? code));
        } else {
          const stream = message.type === 'stderr' || message.stream === 'stderr' ? 'stderr' : 'stdout';
          outputQueue.push({ stream, stage, data: message.data });
          wake?.();
        }
      }
    } catch (error) {
      exitReject(error);
    } finally {
      outputDone = true;
      wake?.();
    }
  })();

  return {
    get id() {
      return id;
    },
    write: (data) => send({ type: 'stdin', data }),
    resize: (c, r) => send({ type: 'resize', cols: c, rows: r }),
    kill: (name = 'SIGINT') => send({ type: 'signal', signal: name }),
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
