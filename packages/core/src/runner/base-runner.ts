import { JudgeError } from '../errors/judge-error.js';
import type { OperationOptions, Runner, RunnerHealth, Sandbox, SandboxEnvironment } from './contract.js';

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
    this.#open.add(sandbox);
    const dispose = sandbox.dispose.bind(sandbox);
    let disposing: Promise<void> | undefined;
    const tracked = sandbox;
    // Wrap dispose so the runner knows when every sandbox is gone; memoised so it stays idempotent.
    Object.defineProperty(tracked, 'dispose', {
      configurable: true,
      value: () => {
        disposing ??= dispose().finally(() => {
          this.#open.delete(tracked);
          if (this.#open.size === 0) this.#idle?.();
        });
        return disposing;
      },
    });
    Object.defineProperty(tracked, Symbol.asyncDispose, { configurable: true, value: () => tracked.dispose() });
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
