import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isJudgeError } from '@judgekit/core';
import type { WebhookPolicy, WebhookTarget } from '../guard/policy.js';
import { deliveryHeader, eventHeader, signWebhook } from '../signing/signature.js';

/** One webhook to deliver. */
export interface WebhookRequest {
  /** Where to send it. Checked against the policy (and resolved) on every attempt. */
  url: string;
  /** @defaultValue 'POST' */
  method?: 'POST' | 'PUT';
  /** The body, already serialised (JSON unless `contentType` says otherwise). */
  body: string;
  /** @defaultValue 'application/json' */
  contentType?: string;
  /** Signs the request (see `signWebhook`) when given; a tenant's secret. */
  secret?: string | null;
  /** Stable id of this delivery, sent as `X-Judgekit-Delivery` on every attempt. */
  deliveryId: string;
  /** Event name sent as `X-Judgekit-Event`. @defaultValue 'submission.done' */
  event?: string;
  /** Extra headers (never overriding the signature headers). */
  headers?: Record<string, string>;
}

/** What one attempt came to. */
export type AttemptOutcome =
  | { ok: true; status: number; durationMs: number }
  | {
      ok: false;
      /** True when a later attempt may succeed (network error, timeout, 408, 425, 429, 5xx). */
      retry: boolean;
      status: number | null;
      /** What went wrong, for logs and the outbox row. */
      error: string;
      /** The receiver's `Retry-After`, in milliseconds, when it sent one. */
      retryAfterMs: number | null;
      durationMs: number;
    };

/** Options of {@link attemptDelivery}. */
export interface AttemptOptions {
  /** Longest one attempt may take, connection to last byte, in milliseconds. @defaultValue 10000 */
  timeoutMs?: number;
  /** Aborts the attempt (the dispatcher's shutdown). */
  signal?: AbortSignal;
  /** @defaultValue 'judgekit-webhooks' */
  userAgent?: string;
}

const retryStatuses = new Set([408, 425, 429, 500, 502, 503, 504]);
const maxResponseBytes = 64 * 1024;

/**
 * Makes one delivery attempt: checks and resolves the URL through `policy` (DNS once), connects to
 * the checked address only (TLS still verifies the host name), sends the signed request, and
 * classifies the answer. Never throws; redirects are not followed.
 */
export async function attemptDelivery(
  policy: WebhookPolicy,
  request: WebhookRequest,
  options: AttemptOptions = {},
): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target: WebhookTarget;
  try {
    target = await policy.resolve(request.url);
  } catch (error) {
    const message = isJudgeError(error) ? error.message : String(error);
    // A URL the policy refuses stays refused; a host that does not resolve may come back.
    const unresolvable = isJudgeError(error) && error.details.reason === 'unresolvable';
    return { ok: false, retry: unresolvable, status: null, error: message, retryAfterMs: null, durationMs: elapsed() };
  }
  const body = Buffer.from(request.body);
  const headers: Record<string, string> = {
    ...request.headers,
    'content-type': request.contentType ?? 'application/json',
    'content-length': String(body.length),
    'user-agent': options.userAgent ?? 'judgekit-webhooks',
    [deliveryHeader]: request.deliveryId,
    [eventHeader]: request.event ?? 'submission.done',
    ...(request.secret ? signWebhook({ secret: request.secret, body }) : {}),
  };
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const { status, retryAfter } = await send(target, request.method ?? 'POST', headers, body, signal);
    if (status >= 200 && status < 300) return { ok: true, status, durationMs: elapsed() };
    const retry = retryStatuses.has(status);
    const kind = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
    return {
      ok: false,
      retry,
      status,
      error: `the receiver answered ${status}${kind}`,
      retryAfterMs: parseRetryAfter(retryAfter),
      durationMs: elapsed(),
    };
  } catch (error) {
    const message = timeout.aborted
      ? `no answer within ${options.timeoutMs ?? 10_000} ms`
      : options.signal?.aborted
        ? 'the dispatcher is shutting down'
        : `${(error as NodeJS.ErrnoException).code ?? 'error'}: ${(error as Error).message}`;
    return { ok: false, retry: true, status: null, error: message, retryAfterMs: null, durationMs: elapsed() };
  }
}

function send(
  target: WebhookTarget,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  signal: AbortSignal,
): Promise<{ status: number; retryAfter: string | undefined }> {
  // The connection goes to the address that was checked, whatever DNS says now.
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else callback(null, target.address, target.family);
  };
  const transport = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target.url,
      { method, headers: { ...headers, host: target.url.host }, lookup: pinned, agent: false, signal },
      (res) => {
        let seen = 0;
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > maxResponseBytes) res.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
        res.once('end', done);
        res.once('close', done);
        res.once('error', done);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

function parseRetryAfter(value: string | undefined): number | null {
  if (value === undefined) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}
