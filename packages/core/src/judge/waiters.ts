import { abortError, JudgeError } from '../errors/judge-error.js';
import type { SubmissionResult } from '../submission/result.js';
import { describe } from '../submission/schema.js';

/**
 * @internal Callers of `wait`, by submission id. The end of a submission calls only its own
 * waiters, so a thousand held requests cost nothing per event of the other submissions.
 */
export class Waiters {
  readonly #byId = new Map<string, Set<(result: SubmissionResult) => void>>();

  /**
   * Waits for the end of `id`. `current` reads the stored state after the waiter is registered,
   * so an end between the read and the registration is not lost.
   */
  wait(
    id: string,
    current: () => Promise<SubmissionResult>,
    options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
  ): Promise<SubmissionResult> {
    const { signal, timeoutMs } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw new JudgeError('JDG_ERR_INPUT_INVALID', `timeoutMs must be a number of milliseconds ≥ 0, received ${describe(timeoutMs)}.`, {
        details: { issues: [{ path: 'timeoutMs', message: 'expected a non-negative number' }] },
      });
    }
    if (signal?.aborted) throw abortError(signal);
    return new Promise<SubmissionResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const set = this.#byId.get(id);
        set?.delete(onFinished);
        if (set?.size === 0) this.#byId.delete(id);
        fn();
      };
      const onFinished = (result: SubmissionResult): void => settle(() => resolve(result));
      const onAbort = (): void => settle(() => reject(abortError(signal)));
      const set = this.#byId.get(id) ?? new Set();
      this.#byId.set(id, set);
      set.add(onFinished);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => settle(() => reject(new JudgeError('JDG_ERR_WAIT_TIMEOUT', `Submission ${id} did not finish within ${timeoutMs} ms.`))),
          timeoutMs,
        );
      }
      current().then(
        (result) => {
          if (result.status === 'done' || result.status === 'cancelled') settle(() => resolve(result));
        },
        (error: unknown) => settle(() => reject(error)),
      );
    });
  }

  /** Ids of the submissions waited for now. */
  ids(): string[] {
    return [...this.#byId.keys()];
  }

  /** Hands a finished submission's result to its waiters. */
  finished(id: string, result: SubmissionResult): void {
    const set = this.#byId.get(id);
    if (set) for (const onFinished of [...set]) onFinished(result);
  }
}
