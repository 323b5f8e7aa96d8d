import type { LanguageDefinition } from '../languages/definition.js';
import type { Limits } from './limits.js';

/**
 * Which limit ended a command, if any:
 * - `cpu`: CPU time limit;
 * - `wall`: wall-clock limit;
 * - `memory`: killed for memory (OOM in the sandbox's cgroup or engine);
 * - `output`: stdout+stderr passed `outputBytes` (killed while streaming);
 * - `filesize`: a write passed `fileSizeBytes` (SIGXFSZ);
 * - `processes`: the process/thread limit was hit (fork/clone failed);
 * - `disk`: the sandbox's files (work directory and `/tmp`) reached `diskBytes` or `diskInodes`
 *   (a write or a file creation failed with `ENOSPC`).
 */
export type LimitKind = 'cpu' | 'wall' | 'memory' | 'output' | 'filesize' | 'processes' | 'disk';

/** A file to place in the sandbox's work directory. */
export interface SandboxFile {
  /** Relative path inside the work directory (no `..`, not absolute). Folders are created. */
  path: string;
  /** Contents; strings are written as UTF-8. */
  content: string | Uint8Array;
  /** Permission bits. @defaultValue 0o644 */
  mode?: number;
}

/** One command to run inside a sandbox. */
export interface ExecRequest {
  /** Program and arguments; `argv[0]` is looked up on the sandbox's PATH. */
  argv: string[];
  /** Bytes written to the program's stdin, then closed. @defaultValue empty */
  stdin?: string | Uint8Array;
  /**
   * Extra environment variables. The sandbox's environment is an allow-list
   * (PATH, HOME, LANG by default) plus these; never the judge's own environment.
   */
  env?: Record<string, string>;
  /** Limits, fully resolved. */
  limits: Limits;
}

/**
 * What happened to one command. Always data, never thrown: a time limit, a crash or a
 * memory kill is a normal outcome. Only a failure of the sandbox itself throws
 * (`JDG_ERR_SANDBOX_FAILED`).
 */
export interface ExecOutcome {
  /** Exit status when the program exited normally, else `null`. */
  exitCode: number | null;
  /** Name of the signal that ended the program (`SIGKILL`, `SIGSEGV`, ...), else `null`. */
  signal: string | null;
  /** Captured stdout, decoded as UTF-8, cut at the output cap. */
  stdout: string;
  /** Captured stderr, decoded as UTF-8, cut at the output cap. */
  stderr: string;
  /** True when stdout was cut. */
  stdoutTruncated: boolean;
  /** True when stderr was cut. */
  stderrTruncated: boolean;
  /** CPU time (user + system) of all the command's processes, in milliseconds. */
  cpuTimeMs: number;
  /** Wall-clock time from start to exit, in milliseconds (fractions allowed). */
  wallTimeMs: number;
  /** Peak memory of the command, in bytes (0 when the backend cannot tell). */
  memoryBytes: number;
  /** The first limit that ended the run, or `null` when none did. */
  limitExceeded: LimitKind | null;
}

/** What a runner needs to open a sandbox for one submission. */
export interface SandboxEnvironment {
  /** The language the sandbox will compile and run; runners map it to toolchains or images. */
  language: LanguageDefinition;
}

/** Options accepted by every async runner and sandbox method. */
export interface OperationOptions {
  /** Aborting it stops the operation (and kills a running command). */
  signal?: AbortSignal;
}

/**
 * An isolated place for one submission: files go in, commands run with limits, then it is
 * disposed. A compiled binary written by one `exec` is visible to the next, so a submission
 * compiles once and runs every test in the same sandbox. Nothing is shared between sandboxes.
 *
 * @example
 * ```ts
 * await using box = await runner.open({ language })
 * await box.write([{ path: 'main.py', content: 'print(1)' }])
 * const out = await box.exec({ argv: ['python3', 'main.py'], limits })
 * ```
 */
export interface Sandbox extends AsyncDisposable {
  /** An id unique among the runner's live sandboxes (for logs). */
  readonly id: string;
  /** Writes files into the work directory. Paths must be relative and stay inside it. */
  write(files: SandboxFile[], options?: OperationOptions): Promise<void>;
  /**
   * Runs one command to completion (or to a limit) and reports what happened.
   * Throws `JDG_ERR_SANDBOX_FAILED` only when the sandbox machinery fails, and
   * `JDG_ERR_OPERATION_ABORTED` when `signal` aborts (the command is killed first).
   */
  exec(request: ExecRequest, options?: OperationOptions): Promise<ExecOutcome>;
  /**
   * Reads a file the program produced, never following a symbolic link.
   * Throws `JDG_ERR_SANDBOX_PATH_INVALID` for a link or a path outside the work directory,
   * `JDG_ERR_SANDBOX_FILE_TOO_LARGE` above `maxBytes` (default 16 MiB).
   */
  read(path: string, options?: OperationOptions & { maxBytes?: number }): Promise<Uint8Array>;
  /** Kills whatever still runs and removes every trace of the sandbox. Idempotent. */
  dispose(): Promise<void>;
  /**
   * Optional. Starts {@link Sandbox.dispose} and resolves as soon as nothing of the sandbox can
   * run again (every process of it has been sent SIGKILL), before its files, groups and mounts
   * are removed; `dispose()` still resolves only when every trace is gone. A judge frees the
   * submission's slot here while a bounded number of removals finish behind it.
   */
  stop?(): Promise<void>;
}

/** What a runner reports about itself for `doctor` and readiness checks. */
export interface RunnerHealth {
  /** True when sandboxes can be opened now. */
  ready: boolean;
  /** Human-readable facts (tool path and version, cgroup version, engine version, ...). */
  details: Record<string, string>;
  /** Problems, each with the command or step that fixes it. */
  problems: { message: string; fix?: string }[];
}

/**
 * A sandbox backend. It opens sandboxes and closes. Backend handles (engine clients, tool
 * paths) stay inside the runner package.
 */
export interface Runner {
  /** Short backend name: `nsjail`, `docker`, `memory`, ... */
  readonly name: string;
  /** Opens a fresh sandbox for one submission. Throws `JDG_ERR_RUNNER_CLOSED` after close. */
  open(environment: SandboxEnvironment, options?: OperationOptions): Promise<Sandbox>;
  /** Checks whether the runner can work on this host, without side effects. */
  health(options?: OperationOptions): Promise<RunnerHealth>;
  /** Graceful: waits for open sandboxes to be disposed, then releases resources. Idempotent. */
  close(): Promise<void>;
  /** Forceful: disposes every open sandbox now. Idempotent. */
  destroy(): Promise<void>;
}
