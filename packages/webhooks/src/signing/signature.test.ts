import { describe, expect, it } from 'vitest';
import { computeSignature, newWebhookSecret, signWebhook, verifyWebhook } from './signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"abc","verdict":"accepted"}';
  const now = 1_733_000_000_000;

  it('signs the timestamp and the body with HMAC-SHA256', () => {
    const headers = signWebhook({ secret, body, timestampSeconds: 1_733_000_000 });
    expect(headers['x-judgekit-timestamp']).toBe('1733000000');
    // Computed independently: printf '1733000000.%s' "$body" | openssl dgst -sha256 -hmac whsec_test
    expect(headers['x-judgekit-signature']).toBe('v1=d538dc3126eb43781ff0ff8dafb9bdd840e6b517e30641be2b6ac021af89137f');
    expect(computeSignature(secret, 1_733_000_000, body)).toBe('d538dc3126eb43781ff0ff8dafb9bdd840e6b517e30641be2b6ac021af89137f');
    expect(headers['x-judgekit-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it('verifies a fresh signature and refuses a changed body, another secret, or a stale timestamp', () => {
    const headers = signWebhook({ secret, body, timestampSeconds: now / 1000 });
    expect(verifyWebhook({ secret, body, headers, nowMs: now })).toEqual({ ok: true, timestampSeconds: now / 1000 });
    expect(verifyWebhook({ secret, body: body.replace('accepted', 'wrong_answer'), headers, nowMs: now })).toMatchObject({
      reason: 'mismatch',
    });
    expect(verifyWebhook({ secret: 'whsec_other', body, headers, nowMs: now })).toMatchObject({ reason: 'mismatch' });
    expect(verifyWebhook({ secret, body, headers, nowMs: now + 301_000 })).toMatchObject({ reason: 'expired' });
    expect(verifyWebhook({ secret, body, headers, nowMs: now - 301_000 })).toMatchObject({ reason: 'expired' });
    expect(verifyWebhook({ secret, body, headers, nowMs: now + 299_000 }).ok).toBe(true);
  });

  it('accepts any of several secrets while one is rotated, and header names in any case', () => {
    const headers = signWebhook({ secret, body, timestampSeconds: now / 1000 });
    const upper = { 'X-Judgekit-Timestamp': headers['x-judgekit-timestamp'], 'X-Judgekit-Signature': headers['x-judgekit-signature'] };
    expect(verifyWebhook({ secret: ['whsec_new', secret], body, headers: upper, nowMs: now }).ok).toBe(true);
  });

  it('refuses missing or malformed headers', () => {
    expect(verifyWebhook({ secret, body, headers: {}, nowMs: now })).toMatchObject({ reason: 'missing' });
    expect(
      verifyWebhook({ secret, body, headers: { 'x-judgekit-timestamp': 'soon', 'x-judgekit-signature': 'v1=00' }, nowMs: now }),
    ).toMatchObject({
      reason: 'malformed',
    });
    expect(
      verifyWebhook({ secret, body, headers: { 'x-judgekit-timestamp': String(now / 1000), 'x-judgekit-signature': 'v0=00' }, nowMs: now }),
    ).toMatchObject({ reason: 'malformed' });
  });

  it('makes distinct secrets', () => {
    expect(newWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(newWebhookSecret());
  });
});
