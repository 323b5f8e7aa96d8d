import { abortError, isJudgeError, JudgeError } from '../errors/judge-error.js';
import type { Runner } from '../runner/contract.js';

/** How a judge rides out a runner that cannot open sandboxes for a while (a Docker engine restarting). */
export interface RunnerFaultOptions {
  /**
   * Most milliseconds a queued submission waits for an unavailable runner, counted from when the
   * runner became unavailable or the submission was queued, whichever is later. Past it the
   * submission ends as `internal_error` (`JDG_ERR_SANDBOX_UNAVAILABLE`). Submissions running
   * when the fault hit fail at once; queued ones wait. 0 fails them at once too.
   * @defaultValue 60000
   */
  maxWaitMs?: number;
  /** How often the runner's `health()` is asked while it is unavailable, in milliseconds. @defaultValue 1000 */
  checkIntervalMs?: number;
}

/** The runner's availability as the judge sees it. */
export interface RunnerState {
  /** The runner's name. */
  name: string;
  /** False from a `JDG_ERR_SANDBOX_UNAVAILABLE` until `health()` says ready again. */
  available: boolean;
  /** When it became unavailable (ISO 8601), else `null`. */
  unavailableSince: string | null;
  /** What the runner said when it failed, else `null`. */
  reason: string | null;
}

/**
 * @internal Holds submissions back while the runner is unavailable. A `JDG_ERR_SANDBOX_UNAVAILABLE`
 * closes the gate; the runner's health is then polled, and the first ready answer (or a sandbox
 * that opens) opens it again. Each waiter has its own deadline.
 */
export class RunnerGate {
  readonly #runner: Runner;
  readonly #maxWaitMs: number;
  readonly #intervalMs: number;
  readonly #hooks: { unavailable(): void; available(): void };
  #since: number | null = null;
  #reason: string | null = null;
  #waiters = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;
  #checking = false;
  #closed = false;

  constructor(runner: Runner, options: RunnerFaultOptions, hooks: { unavailable(): void; available(): void }) {
    this.#runner = runner;
    this.#maxWaitMs = options.maxWaitMs ?? 60_000;
    this.#intervalMs = options.checkIntervalMs ?? 1000;
    this.#hooks = hooks;
  }

  get available(): boolean {
    return this.#since === null;
  }

  get state(): RunnerState {
    return {
      name: this.#runner.name,
      available: this.#since === null,
      unavailableSince: this.#since === null ? null : new Date(this.#since).toISOString(),
      reason: this.#reason,
    };
  }

  /** Closes the gate when `error` says the runner is unavailable; `true` when it did. */
  fault(error: unknown): boolean {
    if (!isJudgeError(error, 'JDG_ERR_SANDBOX_UNAVAILABLE') || this.#closed) return false;
    this.#reason = error.message;
    if (this.#since !== null) return true;
    this.#since = Date.now();
    this.#timer = setInterval(() => void this.#check(), this.#intervalMs);
    this.#timer.unref();
    this.#hooks.unavailable();
    return true;
  }

  /** A sandbox opened: the runner works. */
  ok(): void {
    if (this.#since !== null) this.#open();
  }

  /**
   * Resolves when the runner is available; throws `JDG_ERR_SANDBOX_UNAVAILABLE` once this
   * submission has waited its bound, or the abort error when `signal` aborts.
   */
  async pass(queuedAtMs: number, signal: AbortSignal): Promise<void> {
    if (this.#since === null) return;
    const deadline = Math.max(this.#since, queuedAtMs) + this.#maxWaitMs;
    if (Date.now() >= deadline) throw this.#timedOut();
    await new Promise<void>((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#waiters.delete(onOpen);
        fn();
      };
      const onOpen = () => done(resolve);
      const onAbort = () => done(() => reject(abortError(signal)));
      const timer = setTimeout(() => done(() => reject(this.#timedOut())), deadline - Date.now());
      this.#waiters.add(onOpen);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Submissions waiting at the gate now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    // Waiters are released: each then tries to open a sandbox and gets the runner's own answer.
    this.#open();
  }

  #timedOut(): JudgeError {
    const seconds = Math.round((Date.now() - (this.#since ?? Date.now())) / 1000);
    return new JudgeError(
      'JDG_ERR_SANDBOX_UNAVAILABLE',
      `The ${this.#runner.name} runner has been unavailable for ${seconds} s (runnerFaults.maxWaitMs is ${this.#maxWaitMs}): ${this.#reason ?? 'no reason given'}`,
    );
  }

  async #check(): Promise<void> {
    if (this.#checking || this.#since === null) return;
    this.#checking = true;
    try {
      const health = await this.#runner.health({ signal: AbortSignal.timeout(Math.max(5_000, this.#intervalMs * 5)) });
      if (health.ready) this.#open();
      else if (health.problems[0]) this.#reason = health.problems[0].message;
    } catch {
      // Still unavailable; asked again at the next tick.
    } finally {
      this.#checking = false;
    }
  }

  #open(): void {
    const wasClosed = this.#since !== null;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#since = null;
    this.#reason = null;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const resolve of waiters) resolve();
    if (wasClosed && !this.#closed) this.#hooks.available();
  }
}
