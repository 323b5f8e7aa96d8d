import {
  type ExecOutcome,
  type ExecRequest,
  JudgeError,
  type LimitKind,
  type OperationOptions,
  type Sandbox,
  type SandboxFile,
} from '@judgekit/core';
import { type EngineClient, EngineError } from './engine.js';
import { driveStep, FrameDemuxer } from './exec.js';

/** The work directory inside every container (a tmpfs). @internal */
export const workDir = '/work';
const helper = '/usr/local/bin/jk-exec';
const user = '65534:65534';
const baseEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8' };
// After the helper's own wall limit, how long the host waits before acting itself.
const backstopGraceMs = 2_000;

/** What the sandbox needs from its runner. @internal */
export interface SandboxHost {
  engine: EngineClient;
  /** Removes the container (force), tolerating an unreachable engine. */
  remove(containerId: string): Promise<void>;
  /** Largest per-step memory the container can hold. */
  containerMemoryBytes: number;
  /** CPU quota of the container, in CPUs (bounds the CPU time a step can really use). */
  cpus: number;
}

function sandboxFailed(message: string, cause?: unknown): JudgeError {
  return new JudgeError('JDG_ERR_SANDBOX_FAILED', message, { cause });
}

/** @internal Refuses absolute paths, `..`, empty parts and NUL: checked on the host before any exec. */
export function checkRelativePath(path: string): void {
  const parts = path.split('/');
  if (!path || path.startsWith('/') || path.includes('\0') || parts.some((p) => p === '..' || p === '' || p === '.')) {
    throw new JudgeError(
      'JDG_ERR_SANDBOX_PATH_INVALID',
      `Path ${JSON.stringify(path)} must be relative and stay inside the work directory.`,
    );
  }
}

/**
 * One submission's container: started (or taken from the warm pool) for this submission only,
 * removed on dispose. Files live on a tmpfs inside the container; `write` and `read` run the
 * jk-exec helper inside it, so no host code ever opens a path the program controls.
 * @internal
 */
export class DockerSandbox implements Sandbox {
  readonly id: string;
  readonly #host: SandboxHost;
  #disposed = false;
  #disposing: Promise<void> | undefined;
  #dead: string | undefined;
  /**
   * Files written before the first step: the container is fresh, so no link can exist in its
   * work directory yet; they travel with the first step's exec instead of costing one of their own.
   */
  #pendingFiles: Buffer[] | null = [];

  constructor(
    readonly containerId: string,
    host: SandboxHost,
  ) {
    this.id = `docker-${containerId.slice(0, 12)}`;
    this.#host = host;
  }

  /** The connection of the step in flight, ended early when the container dies. */
  #inFlight: import('node:stream').Duplex | undefined;

  /** Called by the runner when the engine reports the container died (OOM, engine restart). */
  markDead(reason: string): void {
    this.#dead ??= reason;
    // The exec stream of a dead gVisor sandbox can stay open; end it so the step is resolved now.
    this.#inFlight?.destroy();
  }

  #check(options: OperationOptions): void {
    if (this.#disposed) throw new JudgeError('JDG_ERR_SANDBOX_DISPOSED', `Sandbox ${this.id} was disposed.`);
    if (options.signal?.aborted)
      throw new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: options.signal.reason });
  }

  /** Runs a helper command with stdin, collecting stdout/stderr and the exit code. */
  async #helper(cmd: string[], stdin: Uint8Array, maxStdoutBytes: number): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
    const engine = this.#host.engine;
    try {
      const created = await engine.request<{ Id: string }>('POST', `/containers/${this.containerId}/exec`, {
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        User: user,
        WorkingDir: workDir,
        Env: Object.entries(baseEnv).map(([k, v]) => `${k}=${v}`),
        Cmd: cmd,
      });
      const socket = await engine.hijack(`/exec/${created.Id}/start`, { Detach: false, Tty: false });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      const demux = new FrameDemuxer((stream, data) => {
        if (stream === 2) err.push(data);
        else if (outBytes <= maxStdoutBytes) {
          out.push(data);
          outBytes += data.length;
        }
      });
      socket.on('data', (c: Buffer) => demux.push(c));
      const ended = new Promise<void>((resolve) => {
        socket.on('close', () => resolve());
        socket.on('end', () => resolve());
        socket.on('error', () => resolve());
      });
      socket.end(stdin);
      await ended;
      socket.destroy();
      const inspected = await engine.request<{ ExitCode: number | null; Running: boolean }>('GET', `/exec/${created.Id}/json`);
      return { exitCode: inspected.ExitCode ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
    } catch (error) {
      throw sandboxFailed(`Docker sandbox ${this.id}: ${(error as Error).message}`, error);
    }
  }

  async write(files: SandboxFile[], options: OperationOptions = {}): Promise<void> {
    this.#check(options);
    const parts: Buffer[] = [];
    for (const file of files) {
      checkRelativePath(file.path);
      const content = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : Buffer.from(file.content);
      parts.push(Buffer.from(`${file.path}\0${(file.mode ?? 0o644).toString(8)}\0${content.length}\0`), content);
    }
    if (this.#pendingFiles) {
      this.#pendingFiles.push(...parts);
      return;
    }
    await this.#writeRecords(Buffer.concat(parts));
  }

  async #flushPending(): Promise<void> {
    const pending = this.#pendingFiles;
    this.#pendingFiles = null;
    if (pending && pending.length > 0) await this.#writeRecords(Buffer.concat(pending));
  }

  async #writeRecords(records: Buffer): Promise<void> {
    const result = await this.#helper([helper, 'write', workDir], records, 0);
    if (result.exitCode === 14) {
      throw new JudgeError('JDG_ERR_SANDBOX_PATH_INVALID', `Refusing to write through a symbolic link: ${result.stderr.trim()}`);
    }
    if (result.exitCode !== 0)
      throw sandboxFailed(`Writing files into ${this.id} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  }

  async read(path: string, options: OperationOptions & { maxBytes?: number } = {}): Promise<Uint8Array> {
    this.#check(options);
    checkRelativePath(path);
    await this.#flushPending();
    const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    const result = await this.#helper([helper, 'read', workDir, path, String(maxBytes)], new Uint8Array(), maxBytes);
    if (result.exitCode === 0) return new Uint8Array(result.stdout);
    if (result.exitCode === 2 || result.exitCode === 4) {
      throw new JudgeError(
        'JDG_ERR_SANDBOX_PATH_INVALID',
        `Cannot read ${JSON.stringify(path)}: ${result.stderr.trim()} (links are never followed)`,
      );
    }
    if (result.exitCode === 3) throw new JudgeError('JDG_ERR_SANDBOX_FILE_TOO_LARGE', `${path} is larger than ${maxBytes} bytes.`);
    throw sandboxFailed(`Reading ${path} from ${this.id} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  }

  async exec(request: ExecRequest, options: OperationOptions = {}): Promise<ExecOutcome> {
    this.#check(options);
    if (this.#dead) throw sandboxFailed(`Docker sandbox ${this.id} is gone: ${this.#dead}`);
    const { limits } = request;
    const engine = this.#host.engine;
    const env = { ...baseEnv, ...request.env };
    let created: { Id: string };
    let socket: import('node:stream').Duplex;
    try {
      created = await engine.request<{ Id: string }>('POST', `/containers/${this.containerId}/exec`, {
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        User: user,
        WorkingDir: workDir,
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        Cmd: [
          helper,
          'run',
          String(limits.cpuTimeMs),
          String(limits.wallTimeMs),
          String(Math.min(limits.memoryBytes, this.#host.containerMemoryBytes)),
          String(limits.fileSizeBytes),
          String(limits.openFiles),
          String(limits.processes),
          String(Math.round(this.#host.cpus * 1000)),
          '--',
          ...request.argv,
        ],
      });
      socket = await engine.hijack(`/exec/${created.Id}/start`, { Detach: false, Tty: false });
    } catch (error) {
      throw sandboxFailed(`Docker sandbox ${this.id}: ${(error as Error).message}`, error);
    }
    const stdin = typeof request.stdin === 'string' ? Buffer.from(request.stdin, 'utf8') : Buffer.from(request.stdin ?? new Uint8Array());
    const startedAt = performance.now();
    const files = this.#pendingFiles?.length ? Buffer.concat(this.#pendingFiles) : undefined;
    this.#pendingFiles = null;
    const step = driveStep(socket, stdin, limits.outputBytes, files);
    this.#inFlight = socket;

    // The helper enforces the wall limit itself; this backstop covers a helper that cannot
    // (container killed by the engine's OOM killer, engine gone).
    let backstop: NodeJS.Timeout | undefined = setTimeout(() => {
      step.kill('backstop');
      backstop = setTimeout(() => socket.destroy(), backstopGraceMs);
    }, limits.wallTimeMs + backstopGraceMs);
    const onAbort = () => step.kill('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let end: Awaited<typeof step.done>;
    try {
      end = await step.done;
    } finally {
      clearTimeout(backstop);
      this.#inFlight = undefined;
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
    }
    if (options.signal?.aborted) {
      throw new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: options.signal.reason });
    }
    if (end.kind === 'report') {
      // jk-exec samples memory every 5 ms: a fast allocator can pass the limit before the kill;
      // the reported peak is capped at the limit it exceeded.
      if (end.outcome.limitExceeded === 'memory') end.outcome.memoryBytes = Math.min(end.outcome.memoryBytes, limits.memoryBytes);
      return end.outcome;
    }
    return this.#lost(created.Id, startedAt, end.stderrTail, end.hostReason);
  }

  /**
   * The helper's report never came. Either the program killed or stopped its own supervisor
   * (same user inside the container: a verdict on the program, not a machinery failure), the
   * engine killed the container (memory), or the engine went away.
   */
  async #lost(
    execId: string,
    startedAt: number,
    stderrTail: string,
    hostReason: LimitKind | 'abort' | 'backstop' | null,
  ): Promise<ExecOutcome> {
    const wallTimeMs = performance.now() - startedAt;
    const engine = this.#host.engine;
    let state: { Running?: boolean; OOMKilled?: boolean; Error?: string; ExitCode?: number } | undefined;
    try {
      state = (await engine.request<{ State: typeof state }>('GET', `/containers/${this.containerId}/json`)).State;
    } catch (error) {
      this.markDead((error as Error).message);
      throw sandboxFailed(`Docker sandbox ${this.id} lost its engine: ${(error as Error).message}`, error);
    }
    const outcome = (o: Partial<ExecOutcome>): ExecOutcome => ({
      exitCode: null,
      signal: 'SIGKILL',
      stdout: '',
      stderr: stderrTail,
      stdoutTruncated: false,
      stderrTruncated: false,
      cpuTimeMs: 0,
      wallTimeMs,
      memoryBytes: 0,
      limitExceeded: null,
      ...o,
    });
    // The engine's `oom` event can arrive (and end the step) before the container is seen to stop.
    if (this.#dead === 'killed by the engine for memory') {
      return outcome({ memoryBytes: this.#host.containerMemoryBytes, limitExceeded: 'memory' });
    }
    if (state && !state.Running) {
      this.markDead(`container exited (${state.ExitCode})${state.OOMKilled ? ', killed by the engine for memory' : ''}`);
      // gVisor runs the whole sandbox in one host cgroup: an engine OOM kill ends every process
      // of the container at once. The step was a memory overrun; later steps fail as internal errors.
      if (state.OOMKilled) return outcome({ memoryBytes: this.#host.containerMemoryBytes, limitExceeded: 'memory' });
      throw sandboxFailed(`Docker sandbox ${this.id}: the container stopped (exit ${state.ExitCode}) ${state.Error ?? ''}`.trim());
    }
    // The container runs: end whatever is left of the step (a stopped helper, orphans).
    const killed = await this.#helper([helper, 'kill'], new Uint8Array(), 0).catch((error: unknown) => error as Error);
    if (killed instanceof Error) throw killed;
    if (hostReason === 'backstop') return outcome({ limitExceeded: 'wall' });
    if (hostReason === 'output') return outcome({ limitExceeded: 'output' });
    const exec = await engine.request<{ ExitCode: number | null }>('GET', `/exec/${execId}/json`).catch(() => ({ ExitCode: null }));
    // Files sent with the first step could not be written (a path conflict): nothing ran.
    if (exec.ExitCode === 14) throw new JudgeError('JDG_ERR_SANDBOX_PATH_INVALID', `Cannot write the files: ${stderrTail.trim()}`);
    if (exec.ExitCode !== null && exec.ExitCode >= 10 && exec.ExitCode <= 13) {
      throw sandboxFailed(`Writing files into ${this.id} failed (exit ${exec.ExitCode}): ${stderrTail.trim()}`);
    }
    if (exec.ExitCode === 137 || exec.ExitCode === 143) return outcome({ signal: exec.ExitCode === 137 ? 'SIGKILL' : 'SIGTERM' });
    throw sandboxFailed(
      `Docker sandbox ${this.id}: the step ended without a report from jk-exec (exit ${exec.ExitCode}): ${stderrTail.trim().slice(-500)}`,
    );
  }

  dispose(): Promise<void> {
    this.#disposed = true;
    this.#disposing ??= this.#host.remove(this.containerId);
    return this.#disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

export { EngineError };
