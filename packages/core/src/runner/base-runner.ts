import { JudgeError } from '../errors/judge-error.js';
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

/**
 * Base class for runners: it owns the idempotent `close()`/`destroy()`, tracks open sandboxes,
 * and refuses `open()` once closing. A backend fills three hooks.
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
    const sandbox = await this.openSandbox(environment, options);
    if (this.closed) {
      await sandbox.dispose();
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

/** Delegates to a backend's sandbox; makes dispose idempotent and tells the runner when it is gone. */
class TrackedSandbox implements Sandbox {
  #disposing: Promise<void> | undefined;
  constructor(
    readonly inner: Sandbox,
    private readonly onDisposed: (sandbox: TrackedSandbox) => void,
  ) {}

  get id(): string {
    return this.inner.id;
  }

  write(files: SandboxFile[], options?: OperationOptions): Promise<void> {
    return this.inner.write(files, options);
  }

  exec(request: ExecRequest, options?: OperationOptions): Promise<ExecOutcome> {
    return this.inner.exec(request, options);
  }

  read(path: string, options?: OperationOptions & { maxBytes?: number }): Promise<Uint8Array> {
    return this.inner.read(path, options);
  }

  dispose(): Promise<void> {
    this.#disposing ??= this.inner.dispose().finally(() => this.onDisposed(this));
    return this.#disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
