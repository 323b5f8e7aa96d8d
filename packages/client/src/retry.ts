import { abortedError } from './errors.js';

/** How the client retries answers that say "later": 429 and 503. */
export interface RetryOptions {
  /** Most retries of one call (0 turns retrying off). @defaultValue 3 */
  retries?: number;
  /** Wait before the first retry when the answer has no `Retry-After`, in ms; doubled each time. @defaultValue 500 */
  baseDelayMs?: number;
  /** Longest wait before one retry, in ms; a longer `Retry-After` ends the retries instead. @defaultValue 30000 */
  maxDelayMs?: number;
}

/** @internal */
export type ResolvedRetry = Required<RetryOptions>;

/** @internal */
export function resolveRetry(options: RetryOptions | undefined): ResolvedRetry {
  return { retries: 3, baseDelayMs: 500, maxDelayMs: 30_000, ...options };
}

/** Statuses that mean "try again later". */
export const retryableStatuses: ReadonlySet<number> = new Set([429, 503]);

/**
 * @internal
 * The wait before retry number `attempt` (0-based), in ms: the server's `Retry-After` (seconds or
 * an HTTP date) when given, else exponential backoff; `null` when it is longer than allowed.
 */
export function retryDelayMs(retryAfter: string | null, attempt: number, retry: ResolvedRetry, now = Date.now()): number | null {
  let delay = retry.baseDelayMs * 2 ** attempt;
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) delay = Math.max(0, seconds * 1000);
    else {
      const at = Date.parse(retryAfter);
      if (Number.isFinite(at)) delay = Math.max(0, at - now);
    }
  }
  return delay > retry.maxDelayMs ? null : delay;
}

/** @internal Resolves after `ms`, or rejects when the signal aborts first. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
