import { JudgeError } from '../errors/judge-error.js';
import type { ExecOutcome, ExecRequest, OperationOptions, Sandbox } from './contract.js';

/** A terminal's size in character cells. */
export interface TerminalSize {
  /** Columns, 1–1000. */
  cols: number;
  /** Rows, 1–1000. */
  rows: number;
}

/**
 * One command started in a sandbox and left running while the judge talks to it: a live session,
 * or one side of an interactive problem. Like {@link ExecRequest} without `stdin`, which is
 * written while the command runs.
 */
export interface SpawnRequest extends Omit<ExecRequest, 'stdin'> {
  /**
   * Attach the command to a fresh pseudo-terminal of this size (its stdin, stdout and stderr are
   * the terminal; output comes as one stream, `stdout`), or `null` for plain pipes (stdout and
   * stderr apart). A terminal is never the judge's own: each command gets a new one.
   * @defaultValue null
   */
  tty?: TerminalSize | null;
}

/** How a spawned command ended: an {@link ExecOutcome} without the captured output (it was streamed). */
export type ProcessExit = Omit<ExecOutcome, 'stdout' | 'stderr' | 'stdoutTruncated' | 'stderrTruncated'>;

/** Signals a client may send to a spawned command. */
export const sessionSignals = [
  'SIGINT',
  'SIGTERM',
  'SIGKILL',
  'SIGQUIT',
  'SIGHUP',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
  'SIGSTOP',
  'SIGCONT',
] as const;

/** A signal name from {@link sessionSignals}. */
export type SessionSignal = (typeof sessionSignals)[number];

/**
 * A command running in a sandbox. The runner keeps it inside its `limits` (cpu, wall, memory,
 * processes, file size, open files) as `exec` does and reports the first one that ended it in
 * {@link SandboxProcess.exit}; output volume is the caller's to count.
 */
export interface SandboxProcess {
  /**
   * Called for every chunk of output, in order, until the command has ended. Set it before the
   * first turn of the event loop after `spawn` resolves; nothing is buffered for a late listener.
   */
  onOutput: ((stream: 'stdout' | 'stderr', data: Uint8Array) => void) | null;
  /**
   * Writes to the command's stdin. Returns false when the bytes were queued beyond the runner's
   * buffer: wait for {@link SandboxProcess.onDrain} before writing more. Writing after the command
   * ended does nothing.
   */
  write(data: Uint8Array): boolean;
  /** Called once the queued input has gone out, after a `write` returned false. */
  onDrain: (() => void) | null;
  /** Closes stdin (pipes); with a terminal, sends its EOF character. */
  end(): void;
  /** Stops reading the command's output (it blocks once its pipe or terminal buffer fills). */
  pause(): void;
  /** Reads output again after {@link SandboxProcess.pause}. */
  resume(): void;
  /** Resizes the terminal (the command gets `SIGWINCH`); does nothing without one. */
  resize(size: TerminalSize): void;
  /** Sends a signal to the command (not to the sandbox's own machinery); `SIGKILL` ends every process of it. */
  signal(name: SessionSignal): void;
  /** Resolves once the command and every process it started are gone. Never rejects for a verdict. */
  readonly exit: Promise<ProcessExit>;
}

/**
 * A sandbox that can also start a command and leave it running ({@link SandboxProcess}). The
 * nsjail and Docker runners' sandboxes can; check with {@link canSpawn}.
 */
export interface SpawningSandbox extends Sandbox {
  /**
   * Starts one command. Resolves once it runs; throws `JDG_ERR_SANDBOX_FAILED` when the sandbox
   * cannot start it. Aborting `signal` kills it (its exit then reports no limit). One command at
   * a time per sandbox: `exec`, `write` and `read` wait until a spawned command has exited.
   */
  spawn(request: SpawnRequest, options?: OperationOptions): Promise<SandboxProcess>;
}

/** True when the sandbox can start a live command. */
export function canSpawn(sandbox: Sandbox): sandbox is SpawningSandbox {
  return typeof (sandbox as Partial<SpawningSandbox>).spawn === 'function';
}

/** @internal The sandbox as a {@link SpawningSandbox}, or `JDG_ERR_SESSION_UNSUPPORTED` naming the runner. */
export function requireSpawn(sandbox: Sandbox, runnerName: string): SpawningSandbox {
  if (canSpawn(sandbox)) return sandbox;
  throw new JudgeError(
    'JDG_ERR_SESSION_UNSUPPORTED',
    `The ${runnerName} runner cannot run live commands (sessions, interactive problems); the nsjail and Docker runners can.`,
  );
}

/** @internal Checks a terminal size: whole numbers 1–1000, else `JDG_ERR_INPUT_INVALID`. */
export function checkTerminalSize(size: TerminalSize, path = 'tty'): void {
  for (const key of ['cols', 'rows'] as const) {
    const value = size[key];
    if (!Number.isInteger(value) || value < 1 || value > 1000) {
      throw new JudgeError('JDG_ERR_INPUT_INVALID', `${path}.${key} must be a whole number from 1 to 1000, received ${String(value)}.`, {
        details: { issues: [{ path: `${path}.${key}`, message: 'a whole number from 1 to 1000' }] },
      });
    }
  }
}
