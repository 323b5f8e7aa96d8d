import type { ErrorCode } from './codes.js';

/** One problem found while validating input: where, and what. */
export interface InputIssue {
  /** Path of the offending field, e.g. `limits.memoryBytes` or `tests.3.input`. Empty for the root. */
  path: string;
  /** What is wrong, naming the value received where it helps. */
  message: string;
}

/** Options for {@link JudgeError}. */
export interface JudgeErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
  /** Structured details; `issues` for validation errors. */
  details?: { issues?: InputIssue[]; [key: string]: unknown };
}

/**
 * The one error class judgekit throws. Verdicts (time limit, wrong answer, ...) are never thrown:
 * they are data on the result. A `JudgeError` means bad input or broken machinery.
 *
 * @example
 * ```ts
 * try { await judge.submit(input) } catch (e) {
 *   if (e instanceof JudgeError && e.code === 'JDG_ERR_QUEUE_FULL') retryLater()
 * }
 * ```
 */
const brand = Symbol.for('@judgekit/core.JudgeError');

export class JudgeError extends Error {
  /** Recognises a JudgeError from any copy of this package (bundles, duplicated installs). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

  /** Stable, documented code; match on this, not on `message`. */
  readonly code: ErrorCode;
  /** Structured details (validation issues, limit names, ...). */
  readonly details: NonNullable<JudgeErrorOptions['details']>;

  constructor(code: ErrorCode, message: string, options: JudgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JudgeError';
    Object.defineProperty(this, brand, { value: true });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** A JSON-safe view (no stack, no cause), for logs and HTTP bodies. */
  toJSON(): { name: string; code: ErrorCode; message: string; details: JudgeError['details'] } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** True when `value` is a {@link JudgeError}, optionally with the given code. */
export function isJudgeError(value: unknown, code?: ErrorCode): value is JudgeError {
  return value instanceof JudgeError && (code === undefined || value.code === code);
}

/**
 * The error every judgekit operation throws when its `AbortSignal` aborts:
 * `JDG_ERR_OPERATION_ABORTED`, with the signal's reason as `cause`. Runners use it too, so an
 * abort looks the same whichever backend was running.
 *
 * @example
 * ```ts
 * signal.addEventListener('abort', () => reject(abortError(signal)), { once: true })
 * ```
 */
export function abortError(signal: AbortSignal | undefined): JudgeError {
  return new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: signal?.reason });
}

/** Throws {@link abortError} when `signal` has aborted; does nothing otherwise (or without a signal). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}
