/** Codes the client raises itself (the server's own codes pass through unchanged). */
export const clientErrorCodes = {
  JDG_ERR_CLIENT_NETWORK: 'The server could not be reached, or the connection broke before an answer.',
  JDG_ERR_CLIENT_RESPONSE: 'The server answered something that is not judgekit’s JSON (a proxy page, a truncated body).',
  JDG_ERR_CLIENT_ABORTED: 'The call’s AbortSignal fired.',
  JDG_ERR_CLIENT_STREAM: 'An event stream or session socket ended before its final message.',
  JDG_ERR_CLIENT_NO_WEBSOCKET: 'No WebSocket implementation: pass `WebSocket` (e.g. from the `ws` package) in the client options.',
} as const;

/** A code the client raises itself. */
export type ClientErrorCode = keyof typeof clientErrorCodes;

/**
 * Every failure of a client call: the server's coded error (`JDG_ERR_...` with its HTTP status
 * and details), or one of {@link clientErrorCodes} (status 0).
 *
 * @example
 * ```ts
 * try { await client.get('nope') } catch (e) {
 *   if (e instanceof JudgekitClientError && e.code === 'JDG_ERR_SUBMISSION_NOT_FOUND') { ... }
 * }
 * ```
 */
export class JudgekitClientError extends Error {
  override readonly name = 'JudgekitClientError';
  /** The server's code (`JDG_ERR_QUEUE_FULL`, ...) or a client code (`JDG_ERR_CLIENT_NETWORK`, ...). */
  readonly code: string;
  /** HTTP status of the answer; 0 when there was none. */
  readonly status: number;
  /** The server's `details` (e.g. `issues` of a refused submission). */
  readonly details: Record<string, unknown>;
  /** Seconds the server asked to wait (`Retry-After`), when it said. */
  readonly retryAfterSeconds: number | null;

  constructor(
    code: string,
    message: string,
    options: { status?: number; details?: Record<string, unknown>; retryAfterSeconds?: number | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? 0;
    this.details = options.details ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}

/** @internal The error of an aborted signal, as a client error that keeps the reason. */
export function abortedError(signal: AbortSignal): JudgekitClientError {
  return new JudgekitClientError('JDG_ERR_CLIENT_ABORTED', 'The call was aborted.', { cause: signal.reason });
}
