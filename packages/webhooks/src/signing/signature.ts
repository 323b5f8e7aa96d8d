import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Header carrying the Unix time, in seconds, at which the request was signed. */
export const timestampHeader = 'x-judgekit-timestamp';
/** Header carrying `v1=<hex HMAC-SHA256>` (several, comma-separated, while a secret is rotated). */
export const signatureHeader = 'x-judgekit-signature';
/** Header carrying the delivery id, the same on every retry of one delivery (for de-duplication). */
export const deliveryHeader = 'x-judgekit-delivery';
/** Header naming the event, e.g. `submission.done`. */
export const eventHeader = 'x-judgekit-event';

/** Default replay window of {@link verifyWebhook}, in seconds. */
export const defaultToleranceSeconds = 300;

/** A new random webhook secret: `whsec_` and 32 random bytes in base64url. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * The signature of one request: HMAC-SHA256 keyed by the tenant's secret over
 * `` `${timestamp}.${body}` ``, hex-encoded. Signing the timestamp with the body is what lets a
 * receiver refuse a replayed request: an old request cannot be given a fresh timestamp.
 */
export function computeSignature(secret: string, timestampSeconds: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
}

/**
 * Headers that sign `body`: {@link timestampHeader} and {@link signatureHeader}.
 *
 * @example
 * ```ts
 * const headers = signWebhook({ secret: 'whsec_…', body: JSON.stringify(payload) })
 * // { 'x-judgekit-timestamp': '1733000000', 'x-judgekit-signature': 'v1=5d41…' }
 * ```
 */
export function signWebhook(options: { secret: string; body: string | Buffer; timestampSeconds?: number }): Record<string, string> {
  const t = options.timestampSeconds ?? Math.floor(Date.now() / 1000);
  return { [timestampHeader]: String(t), [signatureHeader]: `v1=${computeSignature(options.secret, t, options.body)}` };
}

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** The secret, or several while one is being rotated: any one matching is enough. */
  secret: string | readonly string[];
  /** The raw request body, exactly as received (before any JSON parsing). */
  body: string | Buffer;
  /** The request headers (names in any case). */
  headers: Record<string, string | string[] | undefined>;
  /** Oldest (or furthest in the future) a timestamp may be, in seconds. @defaultValue 300 */
  toleranceSeconds?: number;
  /** The current time in milliseconds. @defaultValue Date.now() */
  nowMs?: number;
}

/** The outcome of {@link verifyWebhook}: `ok`, or why not. */
export type VerifyResult = { ok: true; timestampSeconds: number } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

/**
 * Verifies a judgekit webhook on the receiving side: the signature must match the body and
 * timestamp under one of the secrets, and the timestamp must be within the replay window.
 * Compare in constant time; never parse the body before verifying it.
 *
 * @example
 * ```ts
 * app.post('/judgekit', { config: { rawBody: true } }, (req, reply) => {
 *   const check = verifyWebhook({ secret: process.env.JUDGEKIT_WEBHOOK_SECRET!, body: req.rawBody, headers: req.headers })
 *   if (!check.ok) return reply.code(400).send(check.reason)
 *   // … handle JSON.parse(req.rawBody)
 * })
 * ```
 */
export function verifyWebhook(options: VerifyWebhookOptions): VerifyResult {
  const header = (name: string): string | undefined => {
    for (const [key, value] of Object.entries(options.headers)) {
      if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(',') : value;
    }
    return undefined;
  };
  const t = header(timestampHeader);
  const s = header(signatureHeader);
  if (t === undefined || s === undefined) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(t)) return { ok: false, reason: 'malformed' };
  const timestampSeconds = Number(t);
  const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds;
  const now = (options.nowMs ?? Date.now()) / 1000;
  if (Math.abs(now - timestampSeconds) > tolerance) return { ok: false, reason: 'expired' };
  const given = s
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => Buffer.from(part.slice(3), 'hex'));
  if (given.length === 0) return { ok: false, reason: 'malformed' };
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  for (const secret of secrets) {
    const expected = Buffer.from(computeSignature(secret, timestampSeconds, options.body), 'hex');
    if (given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))) return { ok: true, timestampSeconds };
  }
  return { ok: false, reason: 'mismatch' };
}
