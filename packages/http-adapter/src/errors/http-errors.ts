import { type ErrorCode, type InputIssue, isJudgeError } from '@judgekit/core';

/**
 * Codes only the HTTP layer raises (the transport, not the judge), with their meaning. They share
 * the `JDG_ERR_<AREA>_<PROBLEM>` form and the error body of {@link ErrorBody}; `docs/http.md`
 * lists each one with its status, and a test fails when one is missing there.
 */
export const httpErrorCodes = {
  JDG_ERR_HTTP_UNAUTHORIZED: 'The request carries no API key, or one that is not configured (`Authorization: Bearer KEY`).',
  JDG_ERR_HTTP_FORBIDDEN: 'The API key is valid but may not do this: the route (or another tenant’s listing) needs an admin key.',
  JDG_ERR_HTTP_RATE_LIMITED: 'Too many requests for this API key or address; retry after `Retry-After` seconds.',
  JDG_ERR_HTTP_BODY_TOO_LARGE: 'The request body is larger than the configured body limit.',
  JDG_ERR_HTTP_BODY_MALFORMED: 'The request body is not valid JSON (or is empty where JSON is required).',
  JDG_ERR_HTTP_MEDIA_TYPE: 'The request body has a content type the route does not accept.',
  JDG_ERR_HTTP_ROUTE_NOT_FOUND: 'No route matches this method and path.',
  JDG_ERR_HTTP_URL_TOO_LONG: 'A path segment (such as a submission id) is longer than the router reads (256 characters).',
  JDG_ERR_HTTP_HEADERS_TOO_LARGE: 'The request line and headers together are larger than the server reads (`maxHeaderBytes`).',
  JDG_ERR_HTTP_REQUEST_MALFORMED: 'The request is not valid HTTP, or its URL cannot be decoded.',
  JDG_ERR_HTTP_REQUEST_TIMEOUT: 'The request did not arrive whole within the server’s request timeout.',
  JDG_ERR_HTTP_SHUTTING_DOWN: 'The server is draining for shutdown and takes no new submissions; retry after `Retry-After` seconds.',
  JDG_ERR_HTTP_INTERNAL: 'The server failed unexpectedly while handling the request.',
  JDG_ERR_HTTP_UPGRADE_REQUIRED: 'The route is a WebSocket (`/v1/sessions`, `/api/v2/connect`): a plain request cannot use it.',
} as const;

/** A code of the HTTP layer. */
export type HttpLayerCode = keyof typeof httpErrorCodes;

/** A code carried by an HTTP error body: a judge code or an HTTP-layer code. */
export type HttpErrorCode = ErrorCode | HttpLayerCode;

/**
 * The one JSON shape of every error answered by judgekit's own routes (the compatibility APIs
 * answer in the shape of the system they imitate, e.g. Piston's `{ message }`).
 *
 * @example
 * ```json
 * { "error": { "code": "JDG_ERR_INPUT_INVALID", "message": "Invalid submission: language: ...",
 *   "details": { "issues": [{ "path": "language", "message": "..." }] } } }
 * ```
 */
export interface ErrorBody {
  error: { code: HttpErrorCode; message: string; details: { issues?: InputIssue[]; [key: string]: unknown } };
}

/**
 * The HTTP status of every code, judge and HTTP layer alike. Typed by the code: a code added to
 * the core without a status here fails the type check, so it can never silently answer 500.
 * Codes that only a broken server or a misconfigured judge can raise are 500.
 */
export const statusOfCode: Readonly<Record<HttpErrorCode, number>> = {
  JDG_ERR_INPUT_INVALID: 400,
  JDG_ERR_LANGUAGE_UNKNOWN: 422,
  JDG_ERR_LANGUAGE_INVALID: 500,
  JDG_ERR_LANGUAGE_DUPLICATE: 500,
  JDG_ERR_LIMIT_EXCEEDS_MAX: 400,
  JDG_ERR_QUEUE_FULL: 503,
  JDG_ERR_JUDGE_CLOSED: 503,
  JDG_ERR_SUBMISSION_NOT_FOUND: 404,
  JDG_ERR_WAIT_TIMEOUT: 504,
  JDG_ERR_OPERATION_ABORTED: 499,
  JDG_ERR_SANDBOX_FAILED: 500,
  JDG_ERR_SANDBOX_UNAVAILABLE: 503,
  JDG_ERR_SANDBOX_DISPOSED: 500,
  JDG_ERR_SANDBOX_PATH_INVALID: 400,
  JDG_ERR_SANDBOX_FILE_TOO_LARGE: 413,
  JDG_ERR_RUNNER_CLOSED: 503,
  JDG_ERR_STORE_FAILED: 500,
  JDG_ERR_CONFIG_INVALID: 500,
  JDG_ERR_WEBHOOK_URL_REFUSED: 400,
  JDG_ERR_TENANT_QUOTA_EXCEEDED: 429,
  JDG_ERR_DATABASE_UNAVAILABLE: 503,
  JDG_ERR_BACKEND_UNAVAILABLE: 503,
  JDG_ERR_DATABASE_MIGRATION_FAILED: 500,
  JDG_ERR_KEY_NOT_FOUND: 404,
  JDG_ERR_SESSION_LIMIT: 429,
  JDG_ERR_SESSION_UNSUPPORTED: 501,
  JDG_ERR_LISTING_UNAVAILABLE: 501,
  JDG_ERR_HTTP_UNAUTHORIZED: 401,
  JDG_ERR_HTTP_FORBIDDEN: 403,
  JDG_ERR_HTTP_RATE_LIMITED: 429,
  JDG_ERR_HTTP_BODY_TOO_LARGE: 413,
  JDG_ERR_HTTP_BODY_MALFORMED: 400,
  JDG_ERR_HTTP_MEDIA_TYPE: 415,
  JDG_ERR_HTTP_ROUTE_NOT_FOUND: 404,
  JDG_ERR_HTTP_UPGRADE_REQUIRED: 426,
  JDG_ERR_HTTP_URL_TOO_LONG: 414,
  JDG_ERR_HTTP_HEADERS_TOO_LARGE: 431,
  JDG_ERR_HTTP_REQUEST_MALFORMED: 400,
  JDG_ERR_HTTP_REQUEST_TIMEOUT: 408,
  JDG_ERR_HTTP_SHUTTING_DOWN: 503,
  JDG_ERR_HTTP_INTERNAL: 500,
} satisfies Record<HttpErrorCode, number>;

/** Codes answered with `Retry-After`: waiting (or another instance) helps. */
const retryable: ReadonlySet<HttpErrorCode> = new Set<HttpErrorCode>([
  'JDG_ERR_QUEUE_FULL',
  'JDG_ERR_JUDGE_CLOSED',
  'JDG_ERR_SANDBOX_UNAVAILABLE',
  'JDG_ERR_RUNNER_CLOSED',
  'JDG_ERR_TENANT_QUOTA_EXCEEDED',
  'JDG_ERR_DATABASE_UNAVAILABLE',
  'JDG_ERR_BACKEND_UNAVAILABLE',
  'JDG_ERR_HTTP_SHUTTING_DOWN',
]);

/** An error on its way to the client: status, body, extra headers. */
export interface HttpFailure {
  status: number;
  code: HttpErrorCode;
  message: string;
  details: ErrorBody['error']['details'];
  headers: Record<string, string>;
}

/** @internal An error raised by the HTTP layer itself, carrying its code (and so its status). */
export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: HttpLayerCode,
    message: string,
    readonly details: ErrorBody['error']['details'] = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = statusOfCode[code];
  }
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
}

/**
 * Turns anything thrown in a route into a status, a stable code and a message. Fastify's own
 * errors (body too large, bad JSON, schema validation) are mapped onto judgekit codes, so a client
 * only ever matches on `error.code`.
 */
export function toHttpFailure(error: unknown, retryAfterSeconds: number): HttpFailure {
  if (error instanceof HttpError) {
    return withRetry(
      { status: error.status, code: error.code, message: error.message, details: error.details, headers: { ...error.headers } },
      retryAfterSeconds,
    );
  }
  if (isJudgeError(error)) {
    const code = error.code as ErrorCode;
    // A code from a newer core than this adapter knows still answers in the error shape.
    const status = statusOfCode[code] ?? 500;
    return withRetry({ status, code, message: error.message, details: error.details, headers: {} }, retryAfterSeconds);
  }
  const e = (error ?? {}) as FastifyLikeError;
  if (Array.isArray(e.validation)) {
    const issues = e.validation.map((v) => ({ path: validationPath(v), message: v.message ?? 'invalid' }));
    const first = issues[0];
    return {
      status: 400,
      code: 'JDG_ERR_INPUT_INVALID',
      message: first ? `Invalid ${e.validationContext ?? 'request'}: ${first.path || '(root)'}: ${first.message}` : 'Invalid request.',
      details: { issues },
      headers: {},
    };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return http('JDG_ERR_HTTP_BODY_TOO_LARGE', 'The request body is larger than the body limit.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return http('JDG_ERR_HTTP_BODY_MALFORMED', `The request body is not valid JSON: ${e.message ?? ''}`.trim());
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return http('JDG_ERR_HTTP_MEDIA_TYPE', e.message ?? 'Unsupported media type.');
  }
  // JSON.parse errors thrown by a content parser arrive as SyntaxError with status 400.
  if (error instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message ?? ''))) {
    return http('JDG_ERR_HTTP_BODY_MALFORMED', `The request body is not valid JSON: ${e.message ?? ''}`.trim());
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, code: 'JDG_ERR_INPUT_INVALID', message: e.message ?? 'Bad request.', details: {}, headers: {} };
  }
  return http('JDG_ERR_HTTP_INTERNAL', 'The server failed while handling the request; the log has the details.');
}

function withRetry(failure: HttpFailure, retryAfterSeconds: number): HttpFailure {
  if (retryable.has(failure.code) && failure.headers['retry-after'] === undefined)
    failure.headers['retry-after'] = String(retryAfterSeconds);
  return failure;
}

function http(code: HttpLayerCode, message: string): HttpFailure {
  return { status: statusOfCode[code], code, message, details: {}, headers: {} };
}

/** `body.files.0.name` style path from a validation entry (ajv or zod via the type provider). */
function validationPath(v: { instancePath?: string; params?: Record<string, unknown> }): string {
  const issue = v.params?.issue as { path?: PropertyKey[] } | undefined;
  if (issue && Array.isArray(issue.path)) return issue.path.map(String).join('.');
  return (v.instancePath ?? '').replace(/^\//, '').split('/').filter(Boolean).join('.');
}

/** The JSON body of a failure. */
export function errorBody(failure: Pick<HttpFailure, 'code' | 'message' | 'details'>): ErrorBody {
  return { error: { code: failure.code, message: failure.message, details: failure.details } };
}
