import {
  defaultLimits,
  type ExecOutcome,
  type ExecRequest,
  JudgeError,
  type OperationOptions,
  type ProcessExit,
  type SandboxFile,
  type SandboxProcess,
  type SpawningSandbox,
  type SpawnRequest,
} from '@judgekit/core';
import { type EngineClient, EngineError } from './engine.js';
import { parseReport, protocolHello, Session, SessionLost, type StepReport } from './exec.js';
import { DockerProcess } from './spawn.js';
import { encodeRun, encodeSpawn, exitOf, message } from './step.js';

/** The work directory inside every container (a tmpfs). @internal */
export const workDir = '/work';
// After a step's own wall limit, how long the host waits before asking the supervisor to kill,
// and then before giving the session up.
const backstopGraceMs = 2_000;

/** What the sandbox needs from its runner. @internal */
export interface SandboxHost {
  engine: EngineClient;
  /** Removes the container (force), tolerating an unreachable engine. */
  remove(containerId: string): Promise<void>;
  /** Largest per-step memory the container can hold. */
  containerMemoryBytes: number;
  /** Most bytes the work directory and /tmp may hold together, whatever a command's diskBytes. */
  diskCapBytes: number;
  /** CPU quota of the container, in CPUs (bounds the CPU time a step can really use). */
  cpus: number;
}

function sandboxFailed(message: string, cause?: unknown): JudgeError {
  return new JudgeError('JDG_ERR_SANDBOX_FAILED', message, { cause });
}

/** @internal Refuses absolute paths, `..`, empty parts and NUL: checked on the host before anything is sent. */
export function checkRelativePath(path: string): void {
  const parts = path.split('/');
  if (!path || path.startsWith('/') || path.includes('\0') || parts.some((p) => p === '..' || p === '' || p === '.')) {
    throw new JudgeError(
      'JDG_ERR_SANDBOX_PATH_INVALID',
      `Path ${JSON.stringify(path)} must be relative and stay inside the work directory.`,
    );
  }
}

/** A capped capture of one stream. */
class Capture {
  readonly chunks: Buffer[] = [];
  kept = 0;
  truncated = false;
  add(data: Buffer, room: number): void {
    if (data.length <= room) {
      this.chunks.push(data);
      this.kept += data.length;
    } else {
      if (room > 0) this.chunks.push(data.subarray(0, room));
      this.kept += Math.max(0, room);
      this.truncated = true;
    }
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * One submission's container: started (or taken from the warm pool) for this submission only,
 * removed on dispose. Every operation goes to the container's long-lived supervisor
 * (`jk-exec serve`, PID 1) over one attach connection: no `docker exec`, and no host code ever
 * opens a path the program controls (files are written and read inside, as the program's uid,
 * never through a link).
 * @internal
 */
export class DockerSandbox implements SpawningSandbox {
  readonly id: string;
  readonly #host: SandboxHost;
  readonly #session: Session;
  #disposed = false;
  #disposing: Promise<void> | undefined;
  #dead: string | undefined;
  /** The box's storage, mounted by the first op that knows a disk limit (see jk-exec's box_setup). */
  #storage: Promise<void> | undefined;
  /** File records written before the storage exists: they go right after it. */
  #pending: Buffer[] = [];

  constructor(
    readonly containerId: string,
    session: Session,
    host: SandboxHost,
  ) {
    this.id = `docker-${containerId.slice(0, 12)}`;
    this.#host = host;
    this.#session = session;
  }

  /** Opens the session of a started container and checks its supervisor speaks protocol 2. */
  static async attach(engine: EngineClient, containerId: string): Promise<Session> {
    const socket = await engine.hijack(`/containers/${containerId}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
    const session = new Session(socket);
    let hello = '';
    try {
      await session.op([Buffer.from('P\n')], (type, payload) => {
        hello = `${type} ${payload.toString('utf8')}`;
        return true;
      });
    } catch (error) {
      session.close();
      throw error;
    }
    if (hello !== `H ${protocolHello}`) {
      session.close();
      throw new JudgeError(
        'JDG_ERR_SANDBOX_UNAVAILABLE',
        `The image's /usr/local/bin/jk-exec does not speak "${protocolHello}" (answered ${JSON.stringify(hello)}): rebuild the images (sudo scripts/images/build.sh).`,
      );
    }
    return session;
  }

  /** Called by the runner when the engine reports the container died (OOM, engine restart). */
  markDead(reason: string): void {
    this.#dead ??= reason;
    // The stream of a dead gVisor sandbox can stay open; end it so the op in flight ends now.
    this.#session.close();
  }

  #check(options: OperationOptions): void {
    if (this.#disposed) throw new JudgeError('JDG_ERR_SANDBOX_DISPOSED', `Sandbox ${this.id} was disposed.`);
    if (options.signal?.aborted)
      throw new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: options.signal.reason });
  }

  #failed(error: unknown): JudgeError {
    if (error instanceof JudgeError) return error;
    const reason = this.#dead ? `${this.#dead}; ` : '';
    return sandboxFailed(`Docker sandbox ${this.id}: ${reason}${(error as Error).message}`, error);
  }

  /** Sends a W or G op and collects its D frames and its A answer. */
  async #simple(bytes: Buffer[]): Promise<{ code: number; message: string; data: Buffer }> {
    const data: Buffer[] = [];
    let answer = '';
    try {
      await this.#session.op(bytes, (type, payload) => {
        if (type === 'D') data.push(Buffer.from(payload));
        else if (type === 'A') {
          answer = payload.toString('utf8');
          return true;
        }
        return false;
      });
    } catch (error) {
      throw this.#failed(error);
    }
    const space = answer.indexOf(' ');
    return { code: Number(answer.slice(0, space)), message: answer.slice(space + 1), data: Buffer.concat(data) };
  }

  async write(files: SandboxFile[], options: OperationOptions = {}): Promise<void> {
    this.#check(options);
    const parts: Buffer[] = [];
    for (const file of files) {
      checkRelativePath(file.path);
      const content = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : Buffer.from(file.content);
      parts.push(Buffer.from(`${file.path}\0${(file.mode ?? 0o644).toString(8)}\0${content.length}\0`), content);
    }
    if (!this.#storage) {
      this.#pending.push(...parts);
      return;
    }
    await this.#storage;
    await this.#writeRecords(Buffer.concat(parts));
  }

  /**
   * Mounts the box's storage once: one tmpfs of `diskBytes` (within the runner's cap) for the
   * work directory and /tmp together, so a write past it fails with ENOSPC; then writes the
   * files that waited for it.
   */
  #prepare(diskBytes: number): Promise<void> {
    this.#storage ??= (async () => {
      const bytes = Math.max(64 * 1024, Math.min(diskBytes, this.#host.diskCapBytes));
      const result = await this.#simple([Buffer.from(`S ${Math.floor(bytes)}\n`)]);
      if (result.code !== 0) throw sandboxFailed(`Docker sandbox ${this.id} could not mount its storage: ${result.message}`);
      const pending = this.#pending;
      this.#pending = [];
      if (pending.length) await this.#writeRecords(Buffer.concat(pending));
    })();
    return this.#storage;
  }

  async #writeRecords(records: Buffer): Promise<void> {
    const result = await this.#simple([Buffer.from(`W ${records.length}\n`), records]);
    if (result.code === 14)
      throw new JudgeError('JDG_ERR_SANDBOX_PATH_INVALID', `Refusing to write through a symbolic link: ${result.message}`);
    if (result.code !== 0) throw sandboxFailed(`Writing files into ${this.id} failed (code ${result.code}): ${result.message}`);
  }

  async read(path: string, options: OperationOptions & { maxBytes?: number } = {}): Promise<Uint8Array> {
    this.#check(options);
    checkRelativePath(path);
    await this.#prepare(defaultLimits.diskBytes);
    const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    const name = Buffer.from(path, 'utf8');
    const result = await this.#simple([Buffer.from(`G ${maxBytes} ${name.length}\n`), name]);
    if (result.code === 0) return new Uint8Array(result.data);
    if (result.code === 2 || result.code === 4) {
      throw new JudgeError(
        'JDG_ERR_SANDBOX_PATH_INVALID',
        `Cannot read ${JSON.stringify(path)}: ${result.message} (links are never followed)`,
      );
    }
    if (result.code === 3) throw new JudgeError('JDG_ERR_SANDBOX_FILE_TOO_LARGE', `${path} is larger than ${maxBytes} bytes.`);
    throw sandboxFailed(`Reading ${path} from ${this.id} failed (code ${result.code}): ${result.message}`);
  }

  async exec(request: ExecRequest, options: OperationOptions = {}): Promise<ExecOutcome> {
    this.#check(options);
    if (this.#dead) throw sandboxFailed(`Docker sandbox ${this.id} is gone: ${this.#dead}`);
    const { limits } = request;
    await this.#prepare(limits.diskBytes);
    const bytes = encodeRun(request, {
      memoryBytes: this.#host.containerMemoryBytes,
      diskBytes: this.#host.diskCapBytes,
      cpus: this.#host.cpus,
    });
    const stdout = new Capture();
    const stderr = new Capture();
    let total = 0;
    let report: StepReport | null = null;
    let hostReason: 'abort' | 'backstop' | null = null;
    const startedAt = performance.now();
    const kill = (reason: 'abort' | 'backstop') => {
      hostReason ??= reason;
      this.#session.kill();
    };
    // The supervisor enforces the wall limit itself; this backstop covers one that cannot
    // (its container killed by the engine's OOM killer, the engine gone).
    let backstop: NodeJS.Timeout | undefined;
    const armBackstop = () => {
      backstop = setTimeout(() => {
        kill('backstop');
        backstop = setTimeout(() => this.#session.close(), backstopGraceMs);
      }, limits.wallTimeMs + backstopGraceMs);
    };
    const onAbort = () => kill('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let lost: unknown = null;
    try {
      const done = this.#session.op(bytes, (type, payload) => {
        if (type === 'O' || type === 'E') {
          const capture = type === 'O' ? stdout : stderr;
          capture.add(Buffer.from(payload), limits.outputBytes - total);
          total += payload.length;
          return false;
        }
        if (type === 'R') {
          report = parseReport(payload.toString('utf8'));
          return true;
        }
        return false;
      });
      armBackstop();
      await done;
    } catch (error) {
      lost = error;
    } finally {
      clearTimeout(backstop);
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (options.signal?.aborted) {
      throw new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: options.signal.reason });
    }
    if (lost || !report) return this.#lost(lost, performance.now() - startedAt, stderr.text());
    const { stderrNote, ...exit } = exitOf(report as StepReport, limits, hostReason, this.id);
    return {
      ...exit,
      stdout: stdout.text(),
      stderr: stderr.text() + stderrNote,
      stdoutTruncated: stdout.truncated || (report as StepReport).stdoutTruncated,
      stderrTruncated: stderr.truncated || (report as StepReport).stderrTruncated,
    };
  }

  /**
   * Starts one command and leaves it running (op X of `jk-exec serve`): on plain pipes, or with
   * `tty` on a fresh pseudo-terminal the supervisor opens inside the container, whose replica is
   * the program's stdin, stdout, stderr and controlling terminal. The program runs as a step of
   * `exec` does: in cgroups of its own, as uid 65534, with every limit watched by the supervisor.
   * Resolves once it runs.
   */
  async spawn(request: SpawnRequest, options: OperationOptions = {}): Promise<SandboxProcess> {
    this.#check(options);
    if (this.#dead) throw sandboxFailed(`Docker sandbox ${this.id} is gone: ${this.#dead}`);
    const { limits } = request;
    await this.#prepare(limits.diskBytes);
    const bytes = encodeSpawn(
      request,
      { memoryBytes: this.#host.containerMemoryBytes, diskBytes: this.#host.diskCapBytes, cpus: this.#host.cpus },
      request.tty ?? null,
    );
    const proc = new DockerProcess((b) => this.#session.send(b), request.tty != null);
    let report: StepReport | null = null;
    let unsupported: string | null = null;
    let hostReason: 'abort' | 'backstop' | null = null;
    let startedAt = performance.now();
    let onStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (onStarted = resolve));
    let backstop: NodeJS.Timeout | undefined;
    const kill = (reason: 'abort' | 'backstop') => {
      hostReason ??= reason;
      proc.kill();
    };
    const onAbort = () => kill('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = this.#session.op(bytes, (type, payload) => {
      if (type === 'O' || type === 'E') proc.output(type === 'O' ? 'stdout' : 'stderr', Buffer.from(payload));
      else if (type === 'w') proc.acknowledged(Number(payload.toString('latin1')));
      else if (type === 'B') {
        startedAt = performance.now();
        proc.started();
        // The supervisor keeps the wall limit; this backstop covers one that cannot.
        backstop = setTimeout(() => {
          kill('backstop');
          backstop = setTimeout(() => this.#session.close(), backstopGraceMs);
        }, limits.wallTimeMs + backstopGraceMs);
        onStarted();
      } else if (type === 'A') {
        // An older supervisor, without op X: the stream is out of step, so the session goes.
        unsupported = payload.toString('utf8');
        proc.ended();
        this.markDead('its supervisor cannot run live commands');
        onStarted();
        return true;
      } else if (type === 'R') {
        report = parseReport(payload.toString('utf8'));
        proc.ended();
        // The op is over once the supervisor reads this: messages sent before it are dropped.
        this.#session.send(message('F'));
        onStarted();
        return true;
      }
      return false;
    });
    const finished = done.then(
      () => null,
      (error: unknown) => error,
    );
    void finished.then(() => onStarted());
    await started;
    if (unsupported !== null) {
      options.signal?.removeEventListener('abort', onAbort);
      throw new JudgeError(
        'JDG_ERR_SANDBOX_UNAVAILABLE',
        `The image's /usr/local/bin/jk-exec cannot run live commands (answered ${JSON.stringify(unsupported)}): rebuild the images (sudo scripts/images/build.sh).`,
      );
    }
    // A report before the start: the supervisor could not run it (a sandbox failure), or the
    // program could not be executed (its exit says so, on stderr).
    if (report && !(await this.#startFailure(report, request, proc))) {
      options.signal?.removeEventListener('abort', onAbort);
      throw exitOfOrThrow(report, limits, this.id);
    }
    const early = report !== null;
    proc.exit = finished.then(async (lost): Promise<ProcessExit> => {
      clearTimeout(backstop);
      // The note of an exec failure is emitted first (see #startFailure).
      if (early) await new Promise((resolve) => setImmediate(resolve));
      options.signal?.removeEventListener('abort', onAbort);
      if (lost || !report) {
        if (this.#disposed) return killedExit(performance.now() - startedAt);
        const {
          stdout: _o,
          stderr: _e,
          stdoutTruncated: _ot,
          stderrTruncated: _et,
          ...exit
        } = await this.#lost(lost, performance.now() - startedAt, '');
        return exit;
      }
      const { stderrNote: _n, ...exit } = exitOf(report, limits, hostReason, this.id);
      return exit;
    });
    proc.exit.catch(() => {});
    return proc;
  }

  /**
   * A report that came before the program ran: true when it is an exec failure the caller sees as
   * the program's exit (its note goes to stderr once the caller listens), false when the sandbox
   * could not run it at all.
   */
  async #startFailure(report: StepReport, request: SpawnRequest, proc: DockerProcess): Promise<boolean> {
    if (report.error || (report.execStage < 2 && report.execErrno)) return false;
    const { stderrNote } = exitOf(report, request.limits, null, this.id);
    if (stderrNote) setImmediate(() => proc.output(request.tty ? 'stdout' : 'stderr', Buffer.from(stderrNote)));
    return true;
  }

  /**
   * The step's report never came: the engine killed the container (memory), or the container
   * or the engine went away. The program cannot cause this otherwise: it has no access to its
   * supervisor (another uid).
   */
  async #lost(error: unknown, wallTimeMs: number, stderrText: string): Promise<ExecOutcome> {
    if (error && !(error instanceof SessionLost)) throw this.#failed(error);
    const outcome = (o: Partial<ExecOutcome>): ExecOutcome => ({
      exitCode: null,
      signal: 'SIGKILL',
      stdout: '',
      stderr: stderrText.slice(-2000),
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
    let state: { Running?: boolean; OOMKilled?: boolean; Error?: string; ExitCode?: number } | undefined;
    // The engine can record the OOM kill a moment after the container is seen to stop.
    for (let attempt = 0; ; attempt++) {
      try {
        state = (await this.#host.engine.request<{ State: typeof state }>('GET', `/containers/${this.containerId}/json`)).State;
      } catch (e) {
        this.markDead((e as Error).message);
        throw sandboxFailed(`Docker sandbox ${this.id} lost its engine: ${(e as Error).message}`, e);
      }
      if (!state || state.Running || state.OOMKilled || state.ExitCode !== 137 || attempt >= 10) break;
      if (this.#dead === 'killed by the engine for memory') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
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
    this.markDead('its supervisor stopped answering');
    throw sandboxFailed(`Docker sandbox ${this.id}: ${(error as Error | null)?.message ?? 'no report from the supervisor'}`);
  }

  dispose(): Promise<void> {
    this.#disposed = true;
    this.#disposing ??= (async () => {
      this.#session.close();
      await this.#host.remove(this.containerId);
    })();
    return this.#disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/** The error a report that ended a step before it ran stands for. */
function exitOfOrThrow(report: StepReport, limits: SpawnRequest['limits'], id: string): JudgeError {
  try {
    exitOf(report, limits, null, id);
  } catch (error) {
    return error as JudgeError;
  }
  return sandboxFailed(`Docker sandbox ${id} could not start the command.`);
}

/** The exit of a command whose sandbox was disposed while it ran. */
function killedExit(wallTimeMs: number): ProcessExit {
  return { exitCode: null, signal: 'SIGKILL', cpuTimeMs: 0, wallTimeMs, memoryBytes: 0, limitExceeded: null };
}

export { EngineError };
