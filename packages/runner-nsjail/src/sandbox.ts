import { type ExecOutcome, type ExecRequest, JudgeError, type OperationOptions, type Sandbox, type SandboxFile } from '@judgekit/core';
import type { CgroupHandle, CgroupTree } from './cgroup.js';
import { runNsjail } from './exec.js';
import { readSandboxFile, removeTree, writeSandboxFile } from './files.js';
import type { ResolvedMount } from './toolchain.js';

/** @internal What a sandbox gets from its runner. */
export interface SandboxSetup {
  id: string;
  nsjail: string;
  workDir: string;
  uid: number;
  gid: number;
  mounts: ResolvedMount[];
  devices: readonly string[];
  tmpSizeBytes: number;
  baseEnv: Readonly<Record<string, string>>;
  languageEnv: Readonly<Record<string, string>>;
  cgroups: CgroupTree;
  /** Called once after the sandbox's files are gone (returns the uid to the pool). */
  release(): Promise<void>;
}

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const defaultMaxReadBytes = 16 * 1024 * 1024;

const aborted = (signal: AbortSignal | undefined): JudgeError =>
  new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: signal?.reason });

/** @internal One submission's nsjail sandbox: a work directory, one cgroup per command. */
export class NsjailSandbox implements Sandbox {
  readonly id: string;
  readonly #setup: SandboxSetup;
  #execCount = 0;
  #running: Promise<unknown> = Promise.resolve();
  #active: AbortController | undefined;
  #disposing: Promise<void> | undefined;
  #nextGroup: Promise<CgroupHandle> | undefined;
  readonly #removals = new Set<Promise<void>>();

  constructor(setup: SandboxSetup) {
    this.id = setup.id;
    this.#setup = setup;
    this.#nextGroup = this.#makeGroup();
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
        await writeSandboxFile(this.#setup.workDir, file.path, content, file.mode ?? 0o644, owner);
      }
    });
  }

  async read(path: string, options: OperationOptions & { maxBytes?: number } = {}): Promise<Uint8Array> {
    this.#assertOpen();
    if (options.signal?.aborted) throw aborted(options.signal);
    return this.#serial(() => readSandboxFile(this.#setup.workDir, path, options.maxBytes ?? defaultMaxReadBytes));
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
      let cgroup: CgroupHandle;
      try {
        // The group was made ahead of time (creating one costs more than filling it); the next
        // command's is made while this one runs.
        const made = this.#nextGroup ?? this.#makeGroup();
        this.#nextGroup = undefined;
        cgroup = await made;
        this.#nextGroup = this.#makeGroup();
        // Room for nsjail and the init shell besides the program's own processes and threads.
        await cgroup.applyLimits({ memoryBytes: limits.memoryBytes, pids: limits.processes + 2 }).catch(async (error: unknown) => {
          this.#track(cgroup.remove());
          throw error;
        });
      } catch (error) {
        options.signal?.removeEventListener('abort', forward);
        throw new JudgeError('JDG_ERR_SANDBOX_FAILED', `Could not create the cgroup of sandbox ${this.id}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      try {
        return await runNsjail({
          nsjail: this.#setup.nsjail,
          argv: request.argv,
          stdin,
          env,
          limits,
          workDir: this.#setup.workDir,
          uid: this.#setup.uid,
          gid: this.#setup.gid,
          mounts: this.#setup.mounts,
          devices: this.#setup.devices,
          tmpSizeBytes: this.#setup.tmpSizeBytes,
          cgroup,
          signal: controller.signal,
        });
      } catch (error) {
        // A dispose that interrupted the command is reported as such, not as an abort.
        if (this.#disposing && !options.signal?.aborted && (error as JudgeError).code === 'JDG_ERR_OPERATION_ABORTED') {
          throw new JudgeError('JDG_ERR_SANDBOX_DISPOSED', `Sandbox ${this.id} was disposed while a command ran.`);
        }
        throw error;
      } finally {
        options.signal?.removeEventListener('abort', forward);
        this.#active = undefined;
        // nsjail has exited, so its pid namespace and every process in it are gone (the kernel
        // reaps them before the namespace's init is reaped); the empty group goes in the background.
        this.#track(cgroup.remove());
      }
    });
  }

  #makeGroup(): Promise<CgroupHandle> {
    const made = this.#setup.cgroups.make(`${this.id}-${++this.#execCount}`);
    made.catch(() => undefined);
    return made;
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
      const next = this.#nextGroup;
      this.#nextGroup = undefined;
      if (next) this.#track(next.then((group) => group.remove()));
      await Promise.all([...this.#removals]);
      try {
        await removeTree(this.#setup.workDir);
      } finally {
        await this.#setup.release();
      }
    })();
    return this.#disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
