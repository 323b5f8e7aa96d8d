import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  JudgeError,
  type Limits,
  type ProcessExit,
  type SandboxProcess,
  type SessionSignal,
  type SpawnRequest,
  type TerminalSize,
} from '@judgekit/core';
import type { IPty } from 'node-pty';
import type { CgroupHandle } from './cgroup.js';
import { buildArgv, classifyOutcome, failureLines, type KillReason, type NsjailCommand, OutputCapture, watchCommand } from './exec.js';
import { type Launcher, shellQuote } from './launcher.js';
import type { SandboxSetup } from './setup.js';

const run = promisify(execFile);

/** Where the terminal helper sits inside a jail. */
const ptyHelperInJail = '/.jk/jk-pty';

/** @internal The C source of the terminal helper (`native/jk-pty.c`, shipped with the package). */
function ptyHelperSource(): string {
  return readFileSync(fileURLToPath(new URL('../native/jk-pty.c', import.meta.url)), 'utf8');
}

let built: Promise<string> | undefined;

/**
 * @internal Compiles the terminal helper once per host (static, with the host's gcc) into `base`,
 * named by the hash of its source. Throws `JDG_ERR_SANDBOX_UNAVAILABLE` when it cannot.
 */
export function ensurePtyHelper(base: string): Promise<string> {
  built ??= (async () => {
    const source = ptyHelperSource();
    const path = join(base, `.jk-pty-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
    if (existsSync(path)) return path;
    const unique = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const output = `${path}.${unique}.tmp`;
    const file = `${output}.c`;
    try {
      writeFileSync(file, source, { mode: 0o600 });
      await run('gcc', ['-O2', '-static', '-Wall', '-Wextra', '-Werror', '-o', output, file], { timeout: 60_000 });
      chmodSync(output, 0o755);
      renameSync(output, path);
      return path;
    } catch (error) {
      built = undefined;
      throw new JudgeError(
        'JDG_ERR_SANDBOX_UNAVAILABLE',
        `Cannot build the terminal helper with gcc -static: ${(error as Error).message.split('\n')[0]}`,
        { cause: error },
      );
    } finally {
      rmSync(file, { force: true });
      rmSync(output, { force: true });
    }
  })();
  return built;
}

let nodePty: Promise<typeof import('node-pty')> | undefined;
const loadPty = (): Promise<typeof import('node-pty')> => {
  nodePty ??= import('node-pty').then((m) => ((m as { default?: typeof import('node-pty') }).default ?? m) as typeof import('node-pty'));
  return nodePty;
};

/** Signal numbers for the processes of a jail (Linux). */
const signalNumbers: Record<SessionSignal, NodeJS.Signals> = {
  SIGINT: 'SIGINT',
  SIGTERM: 'SIGTERM',
  SIGKILL: 'SIGKILL',
  SIGQUIT: 'SIGQUIT',
  SIGHUP: 'SIGHUP',
  SIGUSR1: 'SIGUSR1',
  SIGUSR2: 'SIGUSR2',
  SIGWINCH: 'SIGWINCH',
  SIGSTOP: 'SIGSTOP',
  SIGCONT: 'SIGCONT',
};

/** @internal How a spawned command reaches its sandbox's state. */
export interface SpawnHost {
  setup: SandboxSetup;
  /** Retires a launcher and its cgroup once the command is over (the sandbox tracks it). */
  retire(launcher: Launcher): void;
}

/**
 * @internal Starts one live command in its own nsjail, in a fresh cgroup: plain pipes from a
 * pooled launcher, or a new pseudo-terminal from node-pty whose slave is the program's stdio
 * inside the jail. Limits as for `exec`: wall and cpu watched by the judge, memory and processes
 * by the cgroup, the rest by rlimits. `abort` kills it.
 */
export async function spawnNsjail(
  host: SpawnHost,
  request: SpawnRequest,
  env: Record<string, string>,
  abort: AbortSignal,
): Promise<SandboxProcess> {
  const { setup } = host;
  const limits = request.limits;
  let launcher: Launcher;
  try {
    launcher = await setup.takeLauncher();
    await launcher.cgroup.applyLimits({ memoryBytes: limits.memoryBytes, pids: limits.processes + 2 });
  } catch (error) {
    throw new JudgeError('JDG_ERR_SANDBOX_FAILED', `Could not prepare the cgroup of sandbox ${setup.id}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const base = {
    nsjail: setup.nsjail,
    stdin: new Uint8Array(),
    env,
    limits,
    workDir: setup.storage.box,
    tmpDir: setup.storage.tmp,
    uid: setup.uid,
    gid: setup.gid,
    mounts: setup.mounts,
    devices: setup.devices,
    supervisor: setup.supervisor === null ? null : { path: setup.supervisor, uid: setup.supervisorUid },
    cgroup: launcher.cgroup,
    signal: undefined,
  };
  try {
    if (!request.tty) return new PipeProcess(host, launcher, { ...base, argv: request.argv }, abort);
    const helper = await ensurePtyHelper(dirname(setup.storage.root));
    const cmd: NsjailCommand = {
      ...base,
      argv: [ptyHelperInJail, 'attach', '--', ...request.argv],
      mounts: [...setup.mounts, { kind: 'bind', source: helper, path: ptyHelperInJail }],
    };
    // The pooled launcher only lent its cgroup: node-pty starts the command's own process. Its
    // end is awaited when the cgroup is retired, not here on the way to the prompt.
    void launcher.discard();
    return PtyProcess.start(host, launcher, cmd, helper, request.tty, abort, await loadPty());
  } catch (error) {
    host.retire(launcher);
    throw error;
  }
}

/** What both kinds share: the judge's watch over limits, signals to the program, the outcome. */
abstract class JailProcess implements SandboxProcess {
  onOutput: SandboxProcess['onOutput'] = null;
  onDrain: SandboxProcess['onDrain'] = null;
  abstract readonly exit: Promise<ProcessExit>;
  protected ended = false;
  protected readonly started = performance.now();
  protected watch: ReturnType<typeof watchCommand> | undefined;
  /** Pids of nsjail itself, which signals must spare (the jail's init ignores them anyway). */
  protected abstract get nsjailPid(): number | undefined;

  constructor(
    protected readonly host: SpawnHost,
    protected readonly launcher: Launcher,
    protected readonly cgroup: CgroupHandle,
    protected readonly limits: Limits,
  ) {
    cgroup.markStart();
  }

  /** Kills the command when `abort` fires, until `ended` settles. */
  protected bindAbort(abort: AbortSignal, ended: Promise<unknown>): void {
    const onAbort = (): void => this.watch?.kill('abort');
    if (abort.aborted) onAbort();
    abort.addEventListener('abort', onAbort, { once: true });
    void ended.finally(() => abort.removeEventListener('abort', onAbort));
  }

  protected startWatch(kill: () => void): void {
    this.watch = watchCommand({ cgroup: this.cgroup, limits: this.limits, signal: undefined, spare: [this.nsjailPid ?? -1], giveUp: kill });
  }

  abstract write(data: Uint8Array): boolean;
  abstract end(): void;
  abstract pause(): void;
  abstract resume(): void;
  abstract resize(size: TerminalSize): void;

  signal(name: SessionSignal): void {
    if (this.ended) return;
    if (name === 'SIGKILL') {
      this.watch?.kill('abort');
      return;
    }
    // nsjail and the jail's init shell are spared: the shell reports the program's status, and a
    // signal that ended it would end the whole jail.
    const nsjail = this.nsjailPid;
    let init: number[] = [];
    try {
      init = readFileSync(`/proc/${nsjail}/task/${nsjail}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
    } catch {
      // nsjail is gone: nothing left to spare
    }
    void this.cgroup.pids().then((pids) => {
      for (const pid of pids) {
        if (pid === nsjail || init.includes(pid)) continue;
        try {
          process.kill(pid, signalNumbers[name]);
        } catch {
          // gone meanwhile
        }
      }
    });
  }

  /** Turns nsjail's end into the contract's exit, then retires the cgroup. */
  protected async finish(exitCode: number | null, log: string, exitedAt: number): Promise<ProcessExit> {
    this.ended = true;
    const watch = this.watch!;
    watch.stop();
    const killReason: KillReason | null = watch.reason === 'abort' ? null : watch.reason;
    const wallTimeMs = Math.round(((exitedAt || performance.now()) - this.started) * 1000) / 1000;
    try {
      const usage = await this.cgroup.usage();
      const programStarted = log.includes('judgekit-init: started');
      if (log.includes('[judgekit]') || (!programStarted && !watch.reason)) {
        throw new JudgeError(
          'JDG_ERR_SANDBOX_FAILED',
          `nsjail could not run the command (exit ${exitCode ?? 'by signal'}): ${failureLines(log) || 'no log output'}`,
          { details: { nsjailExitCode: exitCode, log: log.slice(-8192) } },
        );
      }
      const outcome = classifyOutcome({
        exitCode,
        killReason,
        usage,
        wallTimeMs,
        limits: this.limits,
        output: new OutputCapture(this.limits.outputBytes, () => {}),
        sampledPeakBytes: watch.sampledPeakBytes,
      });
      const { stdout: _o, stderr: _e, stdoutTruncated: _ot, stderrTruncated: _et, ...exit } = outcome;
      return exit;
    } finally {
      this.host.retire(this.launcher);
    }
  }
}

/** A command on pipes: the pooled launcher's stdio, stdout and stderr apart. */
class PipeProcess extends JailProcess {
  readonly exit: Promise<ProcessExit>;

  constructor(host: SpawnHost, launcher: Launcher, cmd: NsjailCommand, abort: AbortSignal) {
    super(host, launcher, cmd.cgroup, cmd.limits);
    const child = launcher.child;
    launcher.open(buildArgv(cmd));
    this.startWatch(() => {
      void this.cgroup.killAll();
      child.kill('SIGKILL');
    });
    child.stdout!.on('data', (chunk: Buffer) => this.onOutput?.('stdout', chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.onOutput?.('stderr', chunk));
    child.stdin!.on('drain', () => this.onDrain?.());
    this.exit = launcher.closed.then((code) => {
      if (launcher.spawnError) {
        this.ended = true;
        this.watch?.stop();
        host.retire(launcher);
        throw new JudgeError('JDG_ERR_SANDBOX_FAILED', `Could not start the sandbox launcher: ${launcher.spawnError.message}`);
      }
      return this.finish(code, launcher.log(), launcher.exitedAt);
    });
    this.exit.catch(() => {});
    this.bindAbort(abort, launcher.closed);
  }

  protected get nsjailPid(): number | undefined {
    return this.launcher.child.pid;
  }

  write(data: Uint8Array): boolean {
    const stdin = this.launcher.child.stdin!;
    if (this.ended || stdin.destroyed || stdin.writableEnded) return true;
    return stdin.write(data);
  }

  end(): void {
    const stdin = this.launcher.child.stdin!;
    if (!stdin.destroyed && !stdin.writableEnded) stdin.end();
  }

  pause(): void {
    this.launcher.child.stdout!.pause();
    this.launcher.child.stderr!.pause();
  }

  resume(): void {
    this.launcher.child.stdout!.resume();
    this.launcher.child.stderr!.resume();
  }

  resize(): void {}
}

/** A command on a fresh pseudo-terminal made by node-pty: one output stream. */
class PtyProcess extends JailProcess {
  readonly exit: Promise<ProcessExit>;

  private constructor(
    host: SpawnHost,
    launcher: Launcher,
    cmd: NsjailCommand,
    private readonly pty: IPty,
    logPath: string,
    closed: Promise<{ code: number | null; at: number }>,
    abort: AbortSignal,
  ) {
    super(host, launcher, cmd.cgroup, cmd.limits);
    this.startWatch(() => {
      void this.cgroup.killAll();
      try {
        process.kill(pty.pid, 'SIGKILL');
      } catch {}
    });
    pty.onData((data) => this.onOutput?.('stdout', typeof data === 'string' ? Buffer.from(data) : (data as Uint8Array)));
    this.exit = closed.then(async ({ code, at }) => {
      const log = readFileSync(logPath, 'utf8');
      await unlink(logPath).catch(() => undefined);
      return this.finish(code, log, at);
    });
    this.exit.catch(() => {});
    this.bindAbort(abort, closed);
  }

  /** Spawns nsjail on a new terminal of `size`; the pooled launcher lent only its cgroup. */
  static start(
    host: SpawnHost,
    launcher: Launcher,
    cmd: NsjailCommand,
    helper: string,
    size: TerminalSize,
    abort: AbortSignal,
    ptyModule: typeof import('node-pty'),
  ): PtyProcess {
    const logPath = `${launcher.scriptPath}.log`;
    const joinGroup = cmd.cgroup.procsFiles.map((f) => `echo $$ > ${shellQuote(f)}`).join(' && ');
    // Join the command's cgroup, point fd 3 (nsjail's log, the init's "started" line) at a file,
    // then let go of the terminal (jk-pty detach) and become nsjail.
    const script = `${joinGroup} || exit 125\nexec 3>${shellQuote(logPath)}\nexec "$@"`;
    const pty = ptyModule.spawn('/bin/sh', ['-c', script, 'sh', helper, 'detach', '--', ...buildArgv(cmd)], {
      name: 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      cwd: '/',
      env: {},
      encoding: null,
    } as never);
    const closed = new Promise<{ code: number | null; at: number }>((resolve) => {
      pty.onExit(({ exitCode, signal }) => resolve({ code: signal ? null : exitCode, at: performance.now() }));
    });
    return new PtyProcess(host, launcher, cmd, pty, logPath, closed, abort);
  }

  protected get nsjailPid(): number | undefined {
    return this.pty.pid;
  }

  write(data: Uint8Array): boolean {
    if (!this.ended) this.pty.write(Buffer.from(data.buffer, data.byteOffset, data.length) as never);
    return true;
  }

  end(): void {
    if (!this.ended) this.pty.write('\x04');
  }

  pause(): void {
    this.pty.pause();
  }

  resume(): void {
    this.pty.resume();
  }

  resize(size: TerminalSize): void {
    if (!this.ended) this.pty.resize(size.cols, size.rows);
  }
}
