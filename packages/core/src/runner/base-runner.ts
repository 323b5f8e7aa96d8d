import { abortError, JudgeError } from '../errors/judge-error.js';
import type {
  ExecOutcome,
  ExecRequest,
  OperationOptions,
  Runner,
  RunnerHealth,
  Sandbox,
  SandboxEnvironment,
  SandboxFile,
} from './contract.js';
import { checkExecRequest, checkSandboxFiles, sandboxPathSegments } from './sandbox-rules.js';
import { canSpawn, checkTerminalSize, type SandboxProcess, type SpawnRequest } from './spawn.js';

/**
 * Base class for runners: it owns the idempotent `close()`/`destroy()`, tracks open sandboxes,
 * and refuses `open()` once closing. A backend fills three hooks.
 *
 * It also enforces the sandbox contract, once for every backend, before a backend sees a call:
 * paths ({@link sandboxPathSegments}: relative, no `.`/`..`/empty component, no NUL), exec
 * requests ({@link checkExecRequest}: argv, env, limits), use after dispose
 * (`JDG_ERR_SANDBOX_DISPOSED`) and the abort signal: an operation whose signal has aborted, or
 * aborts while it runs, rejects with {@link abortError} (`JDG_ERR_OPERATION_ABORTED`) whatever
 * the backend answered, so every runner reports an abort the same way.
 *
 * @example
 * ```ts
 * class MyRunner extends BaseRunner {
 *   readonly name = 'mine'
 *   protected async openSandbox(env) { return new MySandbox(env) }
 *   async health() { return { ready: true, details: {}, problems: [] } }
 * }
 * ```
 */
export abstract class BaseRunner implements Runner {
  abstract readonly name: string;
  readonly #open = new Set<Sandbox>();
  #closing: Promise<void> | undefined;
  #destroying: Promise<void> | undefined;
  #idle: (() => void) | undefined;

  /** Creates one sandbox. Called only while the runner is open. */
  protected abstract openSandbox(environment: SandboxEnvironment, options: OperationOptions): Promise<Sandbox>;

  /** Releases the backend's own resources after every sandbox is gone. Called once. */
  protected async onClose(): Promise<void> {}

  abstract health(options?: OperationOptions): Promise<RunnerHealth>;

  /** Number of sandboxes opened and not yet disposed. */
  get openSandboxes(): number {
    return this.#open.size;
  }

  /** True once `close()` or `destroy()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined || this.#destroying !== undefined;
  }

  async open(environment: SandboxEnvironment, options: OperationOptions = {}): Promise<Sandbox> {
    if (this.closed) throw new JudgeError('JDG_ERR_RUNNER_CLOSED', `The ${this.name} runner is closed.`);
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    let sandbox: Sandbox;
    try {
      sandbox = await this.openSandbox(environment, options);
    } catch (error) {
      throw signal?.aborted ? abortError(signal) : error;
    }
    if (this.closed || signal?.aborted) {
      await sandbox.dispose();
      if (signal?.aborted) throw abortError(signal);
      throw new JudgeError('JDG_ERR_RUNNER_CLOSED', `The ${this.name} runner closed while opening a sandbox.`);
    }
    const tracked = new TrackedSandbox(sandbox, (s) => {
      this.#open.delete(s);
      if (this.#open.size === 0) this.#idle?.();
    });
    this.#open.add(tracked);
    return tracked;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#open.size > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
      await this.onClose();
    })();
    return this.#closing;
  }

  destroy(): Promise<void> {
    this.#destroying ??= (async () => {
      await Promise.allSettled([...this.#open].map((s) => s.dispose()));
      if (this.#closing) return this.#closing;
      this.#closing = this.onClose();
      return this.#closing;
    })();
    return this.#destroying;
  }
}

/**
 * Delegates to a backend's sandbox after checking every call against the contract; makes
 * dispose idempotent and tells the runner when it is gone.
 */
class TrackedSandbox implements Sandbox {
  #disposing: Promise<void> | undefined;
  constructor(
    readonly inner: Sandbox,
    private readonly onDisposed: (sandbox: TrackedSandbox) => void,
  ) {
    // Only a backend that stops ahead of its disposal offers stop.
    if (inner.stop) {
      const stop = inner.stop.bind(inner);
      this.stop = (): Promise<void> => {
        const disposal = this.dispose();
        return Promise.race([stop(), disposal]);
      };
    }
    // Only a backend that can spawn offers spawn, so canSpawn() tells the truth through the wrapper.
    if (canSpawn(inner)) {
      this.spawn = (request: SpawnRequest, options?: OperationOptions): Promise<SandboxProcess> =>
        this.#guard(options, () => {
          checkExecRequest({ ...request, stdin: undefined });
          if (request.tty) checkTerminalSize(request.tty);
          return inner.spawn(request, options);
        });
    }
  }

  /** Present when the backend's sandbox can stop ahead of its disposal (see {@link Sandbox.stop}). */
  stop?: () => Promise<void>;

  /** Present when the backend's sandbox can start live commands (see {@link SpawningSandbox}). */
  spawn?: (request: SpawnRequest, options?: OperationOptions) => Promise<SandboxProcess>;

  get id(): string {
    return this.inner.id;
  }

  write(files: SandboxFile[], options?: OperationOptions): Promise<void> {
    return this.#guard(options, () => {
      checkSandboxFiles(files);
      return this.inner.write(files, options);
    });
  }

  exec(request: ExecRequest, options?: OperationOptions): Promise<ExecOutcome> {
    return this.#guard(options, () => {
      checkExecRequest(request);
      return this.inner.exec(request, options);
    });
  }

  read(path: string, options?: OperationOptions & { maxBytes?: number }): Promise<Uint8Array> {
    return this.#guard(options, () => {
      sandboxPathSegments(path);
      return this.inner.read(path, options);
    });
  }

  dispose(): Promise<void> {
    this.#disposing ??= this.inner.dispose().finally(() => this.onDisposed(this));
    return this.#disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** The checks every call shares: not disposed, not aborted before, during or by the time it answers. */
  async #guard<T>(options: OperationOptions | undefined, call: () => Promise<T>): Promise<T> {
    if (this.#disposing) throw new JudgeError('JDG_ERR_SANDBOX_DISPOSED', `Sandbox ${this.id} was disposed.`);
    const signal = options?.signal;
    if (signal?.aborted) throw abortError(signal);
    let value: T;
    try {
      value = await call();
    } catch (error) {
      throw signal?.aborted ? abortError(signal) : error;
    }
    if (signal?.aborted) throw abortError(signal);
    return value;
  }
}
