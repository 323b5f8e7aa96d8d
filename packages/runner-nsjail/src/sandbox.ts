import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import {
  type ExecOutcome,
  type ExecRequest,
  JudgeError,
  type OperationOptions,
  type Sandbox,
  type SandboxFile,
  type SandboxProcess,
  type SpawnRequest,
} from '@judgekit/core';
import type { CgroupHandle } from './cgroup.js';
import { buildArgv, type NsjailCommand, runNsjail } from './exec.js';
import { readSandboxFile, removeEmptyDir, removeTree, writeSandboxFile } from './files.js';
import type { JailLauncher, Launcher } from './launcher.js';
import type { SandboxSetup } from './setup.js';
import { spawnNsjail } from './spawn.js';
import type { SandboxStorage } from './storage.js';
import { WarmJail } from './warm.js';

export type { SandboxSetup };

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const defaultMaxReadBytes = 16 * 1024 * 1024;

const aborted = (signal: AbortSignal | undefined): JudgeError =>
  new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: signal?.reason });

/**
 * Whether a command filled its sandbox's storage: sampled every 20 ms while it runs and once at
 * its end, so a program that fills the disk and then frees it is still seen (one that does
 * both between two samples gained nothing: the bound held).
 */
function watchStorage(storage: SandboxStorage): { label(outcome: ExecOutcome): ExecOutcome; stop(): void } {
  let full = false;
  const sample = (): void => {
    try {
      full ||= storage.use().full;
    } catch {
      // unmounted under us: the sandbox is being disposed
    }
  };
  const timer = setInterval(sample, 20);
  return {
    label(outcome) {
      sample();
      // A refused write ranks with a refused fork: after the output cap, a memory kill and the
      // process limit, before the time limits it may have run into afterwards.
      if (!full || ['output', 'memory', 'processes'].includes(outcome.limitExceeded ?? '')) return outcome;
      return { ...outcome, limitExceeded: 'disk' };
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** @internal One submission's nsjail sandbox: a work directory, one cgroup per command. */
export class NsjailSandbox implements Sandbox {
  readonly id: string;
  readonly #setup: SandboxSetup;
  #running: Promise<unknown> = Promise.resolve();
  #active: AbortController | undefined;
  #disposing: Promise<void> | undefined;
  readonly #removals = new Set<Promise<void>>();
  #commands = 0;
  #jail: { jail: WarmJail; launcher: JailLauncher } | undefined;
  #warmOff = false;

  constructor(setup: SandboxSetup) {
    this.id = setup.id;
    this.#setup = setup;
    this.#jail = setup.prepared;
  }

  #assertOpen(): void {
    if (this.#disposing) throw new JudgeError('JDG_ERR_SANDBOX_DISPOSED', `Sandbox ${this.id} was disposed.`);
  }

  async write(files: SandboxFile[], options: OperationOptions = {}): Promise<void> {
    this.#assertOpen();
    const owner = { uid: this.#setup.uid, gid: this.#setup.gid };
    // Serialised with exec: files are only touched while no sandboxed process is alive.
    await this.#serial(async () => {
      for (const file of files) {
        if (options.signal?.aborted) throw aborted(options.signal);
        this.#assertOpen();
        const content = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
        const write = () => writeSandboxFile(this.#setup.storage.box, file.path, content, file.mode ?? 0o644, owner);
        try {
          await write();
        } catch (error) {
          // The judge's own files (sources, inputs: bounded by the schema) always fit: the
          // storage grows for them, and the next command sets its bound again.
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          await this.#setup.storage.grow(content.length, file.path.split('/').length);
          await write();
        }
      }
    });
  }

  async read(path: string, options: OperationOptions & { maxBytes?: number } = {}): Promise<Uint8Array> {
    this.#assertOpen();
    if (options.signal?.aborted) throw aborted(options.signal);
    return this.#serial(() => readSandboxFile(this.#setup.storage.box, path, options.maxBytes ?? defaultMaxReadBytes));
  }

  async exec(request: ExecRequest, options: OperationOptions = {}): Promise<ExecOutcome> {
    this.#assertOpen();
    if (options.signal?.aborted) throw aborted(options.signal);
    if (!Array.isArray(request.argv) || request.argv.length === 0 || request.argv.some((a) => typeof a !== 'string' || a.includes('\0'))) {
      throw new JudgeError('JDG_ERR_INPUT_INVALID', 'exec: argv must be a non-empty list of strings without NUL bytes.', {
        details: { issues: [{ path: 'argv', message: `received ${JSON.stringify(request.argv)}` }] },
      });
    }
    const env: Record<string, string> = { ...this.#setup.baseEnv, ...this.#setup.languageEnv };
    for (const [key, value] of Object.entries(request.env ?? {})) {
      if (!envName.test(key) || key.startsWith('JK_') || String(value).includes('\0')) {
        throw new JudgeError('JDG_ERR_INPUT_INVALID', `exec: environment variable ${JSON.stringify(key)} is not allowed.`, {
          details: {
            issues: [{ path: `env.${key}`, message: 'names are letters, digits and _, not starting with JK_; values have no NUL' }],
          },
        });
      }
      env[key] = String(value);
    }
    const stdin =
      request.stdin === undefined ? new Uint8Array() : typeof request.stdin === 'string' ? Buffer.from(request.stdin) : request.stdin;

    return this.#serial(async () => {
      this.#assertOpen();
      const controller = new AbortController();
      this.#active = controller;
      const forward = (): void => controller.abort(options.signal?.reason);
      options.signal?.addEventListener('abort', forward, { once: true });
      if (options.signal?.aborted) forward();
      const limits = request.limits;
      try {
        try {
          await this.#setup.storage.resize({ bytes: limits.diskBytes, inodes: limits.diskInodes });
        } catch (error) {
          throw new JudgeError(
            'JDG_ERR_SANDBOX_FAILED',
            `Could not set the disk bound of sandbox ${this.id}: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
        const disk = watchStorage(this.#setup.storage);
        try {
          return disk.label(await this.#run(request.argv, env, stdin, limits, controller.signal));
        } catch (error) {
          throw this.#asDisposed(error, options.signal);
        } finally {
          disk.stop();
        }
      } finally {
        options.signal?.removeEventListener('abort', forward);
        this.#active = undefined;
      }
    });
  }

  /** Runs one command: in the sandbox's warm jail when it has one, else in an nsjail of its own. */
  async #run(
    argv: string[],
    env: Record<string, string>,
    stdin: Uint8Array,
    limits: ExecRequest['limits'],
    signal: AbortSignal,
  ): Promise<ExecOutcome> {
    // The first command (a compile, or a lone run) starts its own nsjail, unless a jail was
    // started ahead of time for this sandbox; later ones share a jail.
    const jail = this.#commands++ > 0 || this.#setup.prepared ? await this.#warmJail(env, stdin, argv, limits) : undefined;
    if (jail) return jail.run({ argv, env, stdin, limits, signal });
    let launcher: Launcher;
    try {
      // The launcher and its group were made ahead of time by the runner: joining a v1 cgroup
      // waits for an RCU grace period that also stalls every fork on the host, so it is kept
      // off the command's own run.
      launcher = await this.#setup.takeLauncher();
      // Room for nsjail and the init shell besides the program's own processes and threads.
      await launcher.cgroup.applyLimits({ memoryBytes: limits.memoryBytes, pids: limits.processes + 2 }).catch((error: unknown) => {
        this.#track(this.#retire(launcher));
        throw error;
      });
    } catch (error) {
      throw new JudgeError('JDG_ERR_SANDBOX_FAILED', `Could not prepare the cgroup of sandbox ${this.id}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      return await runNsjail(this.#command(argv, env, stdin, limits, launcher.cgroup, signal), launcher);
    } finally {
      // nsjail has exited, so its pid namespace and every process in it are gone (the kernel
      // reaps them before the namespace's init is reaped); the empty group goes in the background.
      this.#track(this.#retire(launcher));
    }
  }

  /**
   * Starts one live command (a session, a side of an interactive problem) in its own nsjail, on
   * pipes or a fresh terminal (spawn.ts). Later calls wait until it has exited, as after an exec.
   */
  spawn(request: SpawnRequest, options: OperationOptions = {}): Promise<SandboxProcess> {
    this.#assertOpen();
    if (options.signal?.aborted) throw aborted(options.signal);
    const env: Record<string, string> = { ...this.#setup.baseEnv, ...this.#setup.languageEnv, ...request.env };
    return new Promise((resolve, reject) => {
      void this.#serial(async () => {
        this.#assertOpen();
        const controller = new AbortController();
        this.#active = controller;
        const forward = (): void => controller.abort(options.signal?.reason);
        options.signal?.addEventListener('abort', forward, { once: true });
        try {
          const host = { setup: this.#setup, retire: (launcher: Launcher) => this.#track(this.#retire(launcher)) };
          const live = await spawnNsjail(host, request, env, controller.signal);
          resolve(live);
          await live.exit.catch(() => undefined);
        } catch (error) {
          reject(error);
        } finally {
          options.signal?.removeEventListener('abort', forward);
          this.#active = undefined;
        }
      }).catch(reject);
    });
  }

  /** A dispose that interrupted a command is reported as such, not as an abort. */
  #asDisposed(error: unknown, callerSignal: AbortSignal | undefined): unknown {
    if (this.#disposing && !callerSignal?.aborted && (error as JudgeError).code === 'JDG_ERR_OPERATION_ABORTED') {
      return new JudgeError('JDG_ERR_SANDBOX_DISPOSED', `Sandbox ${this.id} was disposed while a command ran.`);
    }
    return error;
  }

  /** Everything nsjail needs for one command (or, with buildArgv's jail mounts, for the warm jail) in this sandbox. */
  #command(
    argv: string[],
    env: Record<string, string>,
    stdin: Uint8Array,
    limits: ExecRequest['limits'],
    cgroup: CgroupHandle,
    signal: AbortSignal | undefined,
  ): NsjailCommand {
    const { nsjail, storage, uid, gid, mounts, devices, supervisor: path, supervisorUid } = this.#setup;
    const supervisor = path === null ? null : { path, uid: supervisorUid };
    return {
      nsjail,
      argv,
      stdin,
      env,
      limits,
      workDir: storage.box,
      tmpDir: storage.tmp,
      uid,
      gid,
      mounts,
      devices,
      supervisor,
      cgroup,
      signal,
    };
  }

  /** The sandbox's warm jail, started on first need; undefined when commands run one nsjail each. */
  async #warmJail(
    env: Record<string, string>,
    stdin: Uint8Array,
    argv: string[],
    limits: ExecRequest['limits'],
  ): Promise<WarmJail | undefined> {
    const supervisor = this.#setup.supervisor;
    if (supervisor === null || (!this.#setup.warmJail && !this.#setup.prepared) || this.#warmOff) return undefined;
    if (this.#jail?.jail.alive) return this.#jail.jail;
    if (this.#jail) {
      // It ended (killed after a command that would not stop): a fresh one takes its place.
      const old = this.#jail;
      this.#jail = undefined;
      this.#track(old.jail.destroy().then(() => this.#retire(old.launcher)));
    }
    let launcher: Launcher | undefined;
    try {
      launcher = await this.#setup.takeLauncher();
      await launcher.cgroup.applyLimits({ memoryBytes: limits.memoryBytes + 64 * 1024 * 1024, pids: limits.processes + 2 });
      const ioDir = `${this.#setup.storage.root}.io`;
      mkdirSync(ioDir, { recursive: true, mode: 0o755 });
      const nsjailArgv = buildArgv(this.#command(argv, env, stdin, limits, launcher.cgroup, undefined), { ioDir });
      const jail = await WarmJail.start(launcher, nsjailArgv, ioDir);
      this.#jail = { jail, launcher };
      return jail;
    } catch (error) {
      // Commands run one nsjail each from now on; the reason is kept for diagnosis.
      this.#warmOff = true;
      this.warmError = (error as Error).message;
      if (launcher) this.#track(this.#retire(launcher));
      return undefined;
    }
  }

  /** @internal Why this sandbox's commands could not share a warm jail, if they could not. */
  warmError: string | undefined;

  /** @internal Host pid of the nsjail process of the warm jail serving this sandbox, if one does. */
  get jailPid(): number | undefined {
    return this.#jail?.launcher.child.pid;
  }

  /** @internal Whether a warm jail serves this sandbox's commands now. */
  get warm(): boolean {
    return this.#jail?.jail.alive ?? false;
  }

  /** Ends a launcher (if it never ran), removes its script and its cgroup. */
  async #retire(launcher: JailLauncher): Promise<void> {
    await launcher.discard();
    if (launcher.scriptPath) await unlink(launcher.scriptPath).catch(() => undefined);
    await launcher.cgroup.remove();
  }

  #track(removal: Promise<void>): void {
    const tracked = removal.catch(() => undefined).finally(() => this.#removals.delete(tracked));
    this.#removals.add(tracked);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#running.then(fn, fn);
    this.#running = next.catch(() => undefined);
    return next;
  }

  dispose(): Promise<void> {
    this.#disposing ??= (async () => {
      this.#active?.abort(new Error('sandbox disposed'));
      await this.#running;
      if (this.#jail) {
        const { jail, launcher } = this.#jail;
        this.#jail = undefined;
        // A pre-started jail, its cgroup, folders and storage go with release() (the pool's).
        if (jail !== this.#setup.prepared?.jail) this.#track(jail.destroy().then(() => this.#retire(launcher)));
      }
      await Promise.all([...this.#removals]);
      if (this.#setup.prepared) {
        await this.#setup.release();
        return;
      }
      try {
        const ioDir = `${this.#setup.storage.root}.io`;
        // Empty once no command runs (each command's stdin file goes after it).
        if (!(await removeEmptyDir(ioDir).catch(() => false))) await removeTree(ioDir).catch(() => undefined);
        await this.#setup.storage.remove();
      } finally {
        await this.#setup.release();
      }
    })();
    return this.#disposing;
  }

  /**
   * Starts disposing; resolves once nothing of the sandbox runs. A pre-started jail is stopped
   * once its destruction has sent SIGKILL to every process in it, before its cgroup, folders and
   * storage are removed (several ms of waiting on the kernel, off the submission's slot).
   */
  stop(): Promise<void> {
    const disposal = this.dispose();
    const prepared = this.#setup.prepared;
    return prepared ? Promise.race([prepared.jail.killed, disposal]) : disposal;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
