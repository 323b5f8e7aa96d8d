import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attemptDelivery, verifyWebhook, type WebhookAttemptEvent, WebhookDispatcher, WebhookPolicy } from '../../src/index.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real webhook receiver on 127.0.0.1 that records each request and answers with `respond`. */
class Receiver {
  readonly received: Received[] = [];
  respond: (req: Received, res: ServerResponse) => void = (_req, res) => res.writeHead(204).end();
  readonly #server: Server;

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
        this.received.push(r);
        this.respond(r, res);
      });
    });
  }

  async start(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('webhook delivery to a real receiver', () => {
  let receiver: Receiver;
  let base: string;
  const dispatchers: WebhookDispatcher[] = [];
  const make = (options: ConstructorParameters<typeof WebhookDispatcher>[0]) => {
    const d = new WebhookDispatcher({ initialDelayMs: 20, maxDelayMs: 100, ...options });
    dispatchers.push(d);
    return d;
  };

  beforeEach(async () => {
    receiver = new Receiver();
    base = await receiver.start();
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.destroy()));
    await receiver.stop();
  });

  it('delivers a signed request that the receiver verifies, on an allow-listed 127.0.0.1', async () => {
    const secret = 'whsec_receiver_test';
    let verified: unknown;
    receiver.respond = (req, res) => {
      verified = verifyWebhook({ secret, body: req.body, headers: req.headers });
      res.writeHead(200).end('ok');
    };
    const events: WebhookAttemptEvent[] = [];
    const d = make({ allow: ['127.0.0.1'], onAttempt: (e) => events.push(e) });
    const body = JSON.stringify({ type: 'submission.done', submission: { id: 's1', verdict: 'accepted' } });
    expect(d.enqueue({ url: `${base}/hooks/judge?x=1`, body, secret, deliveryId: 'd-1' })).toBe(true);
    await until(() => events.length === 1);
    expect(verified).toMatchObject({ ok: true });
    const [req] = receiver.received;
    expect(req).toMatchObject({ method: 'POST', url: '/hooks/judge?x=1', body });
    expect(req!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-judgekit-delivery': 'd-1',
      'x-judgekit-event': 'submission.done',
      host: `127.0.0.1:${receiver.port}`,
    });
    expect(events[0]).toMatchObject({ state: 'delivered', attempt: 1, outcome: { ok: true, status: 200 } });
    expect(d.stats()).toMatchObject({ delivered: 1, failed: 0, attempts: 1, pending: 0 });
  });

  it('retries 503 and network failures with backoff, keeping the delivery id, until it succeeds', async () => {
    let n = 0;
    receiver.respond = (_req, res) => {
      n++;
      if (n === 1) res.writeHead(503, { 'retry-after': '0' }).end();
      else if (n === 2) res.socket?.destroy();
      else res.writeHead(200).end();
    };
    const events: WebhookAttemptEvent[] = [];
    const d = make({ allow: ['127.0.0.1'], onAttempt: (e) => events.push(e) });
    d.enqueue({ url: base, method: 'PUT', body: '{}', deliveryId: 'same' });
    await until(() => events.some((e) => e.state !== 'retrying'));
    expect(events.map((e) => e.state)).toEqual(['retrying', 'retrying', 'delivered']);
    expect(events[0]!.outcome).toMatchObject({ ok: false, retry: true, status: 503 });
    expect(events[1]!.outcome).toMatchObject({ ok: false, retry: true, status: null });
    expect(new Set(receiver.received.map((r) => r.headers['x-judgekit-delivery']))).toEqual(new Set(['same']));
    expect(receiver.received.every((r) => r.method === 'PUT')).toBe(true);
    // Unsigned without a secret.
    expect(receiver.received[0]!.headers['x-judgekit-signature']).toBeUndefined();
  });

  it('gives up after maxAttempts, and at once on a 4xx or a redirect (never followed)', async () => {
    receiver.respond = (req, res) => {
      if (req.url === '/gone') res.writeHead(410).end();
      else if (req.url === '/moved') res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      else res.writeHead(500).end();
    };
    const events: WebhookAttemptEvent[] = [];
    const d = make({ allow: ['127.0.0.1'], maxAttempts: 3, onAttempt: (e) => events.push(e) });
    d.enqueue({ url: `${base}/gone`, body: '{}', deliveryId: 'gone' });
    d.enqueue({ url: `${base}/moved`, body: '{}', deliveryId: 'moved' });
    d.enqueue({ url: `${base}/broken`, body: '{}', deliveryId: 'broken' });
    await until(() => events.filter((e) => e.state === 'failed').length === 3);
    const attemptsOf = (id: string) => receiver.received.filter((r) => r.headers['x-judgekit-delivery'] === id).length;
    expect([attemptsOf('gone'), attemptsOf('moved'), attemptsOf('broken')]).toEqual([1, 1, 3]);
    expect(receiver.received.some((r) => r.url === '/latest')).toBe(false);
    expect(events.find((e) => e.deliveryId === 'moved')!.outcome).toMatchObject({
      error: expect.stringContaining('redirects are not followed'),
    });
    expect(d.stats()).toMatchObject({ delivered: 0, failed: 3, attempts: 5 });
  });

  it('ends a hanging attempt at its timeout', async () => {
    receiver.respond = () => {};
    const events: WebhookAttemptEvent[] = [];
    const d = make({ allow: ['127.0.0.1'], maxAttempts: 2, timeoutMs: 200, onAttempt: (e) => events.push(e) });
    d.enqueue({ url: base, body: '{}' });
    await until(() => events.some((e) => e.state === 'failed'));
    expect(events.map((e) => (e.outcome.ok ? '' : e.outcome.error))).toEqual(['no answer within 200 ms', 'no answer within 200 ms']);
  });

  it('refuses a receiver on 127.0.0.1 that is not allow-listed: nothing reaches it', async () => {
    const events: WebhookAttemptEvent[] = [];
    const d = make({ onAttempt: (e) => events.push(e) });
    await expect(d.check(base)).rejects.toMatchObject({ code: 'JDG_ERR_WEBHOOK_URL_REFUSED', details: { reason: 'loopback' } });
    await expect(d.check(`http://localhost:${receiver.port}/`)).rejects.toMatchObject({ details: { reason: 'loopback' } });
    await expect(d.check(`http://[::1]:${receiver.port}/`)).rejects.toMatchObject({ details: { reason: 'loopback' } });
    await expect(d.check('http://169.254.169.254/latest/meta-data/')).rejects.toMatchObject({ details: { reason: 'link-local' } });
    await expect(d.check('file:///etc/passwd')).rejects.toMatchObject({ details: { reason: 'scheme' } });
    d.enqueue({ url: base, body: '{}' });
    d.enqueue({ url: `http://localhost:${receiver.port}/`, body: '{}' });
    await until(() => events.length === 2);
    expect(events.every((e) => e.state === 'failed' && e.attempt === 1)).toBe(true);
    expect(receiver.received).toHaveLength(0);
  });

  it('resolves the name once per attempt and connects to the checked address (DNS rebinding)', async () => {
    const answers = ['127.0.0.1', '169.254.169.254'];
    let lookups = 0;
    const policy = new WebhookPolicy({ allow: ['127.0.0.1'] }, async () => [{ address: answers[Math.min(lookups++, 1)]!, family: 4 }]);
    const outcome = await attemptDelivery(policy, { url: `http://hooks.rebind.test:${receiver.port}/x`, body: '{}', deliveryId: 'r' });
    expect(outcome).toMatchObject({ ok: true, status: 204 });
    expect(lookups).toBe(1);
    expect(receiver.received[0]!.headers.host).toBe(`hooks.rebind.test:${receiver.port}`);
    // The next attempt resolves again, gets the metadata address, and is refused before connecting.
    const second = await attemptDelivery(policy, { url: `http://hooks.rebind.test:${receiver.port}/x`, body: '{}', deliveryId: 'r' });
    expect(second).toMatchObject({ ok: false, retry: false, error: expect.stringContaining('169.254.169.254, a link-local address') });
    expect(receiver.received).toHaveLength(1);
  });

  it('returns from enqueue at once while the receiver is slow, drops beyond maxPending, and counts in metrics', async () => {
    const held: ServerResponse[] = [];
    receiver.respond = (_req, res) => held.push(res);
    const registry = new Registry();
    const d = make({ allow: ['127.0.0.1'], concurrency: 1, maxPending: 2, registry });
    const started = performance.now();
    expect(d.enqueue({ url: base, body: '{}' })).toBe(true);
    expect(d.enqueue({ url: base, body: '{}' })).toBe(true);
    expect(d.enqueue({ url: base, body: '{}' })).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
    await until(() => held.length === 1);
    for (const res of held.splice(0)) res.writeHead(200).end();
    await until(() => held.length === 1);
    for (const res of held.splice(0)) res.writeHead(200).end();
    await until(() => d.stats().delivered === 2);
    const text = await registry.metrics();
    expect(text).toContain('judgekit_webhook_deliveries_total{outcome="delivered"} 2');
    expect(text).toContain('judgekit_webhook_deliveries_total{outcome="dropped"} 1');
    expect(text).toContain('judgekit_webhook_attempts_total{result="delivered"} 2');
    expect(text).toMatch(/judgekit_webhook_pending 0/);
  });

  it('closes gracefully: attempts in flight finish, scheduled retries are abandoned, new ones are dropped', async () => {
    receiver.respond = (req, res) => {
      setTimeout(() => res.writeHead(req.url === '/ok' ? 200 : 500).end(), 50);
    };
    const d = make({ allow: ['127.0.0.1'], initialDelayMs: 60_000, maxDelayMs: 60_000 });
    d.enqueue({ url: `${base}/ok`, body: '{}' });
    d.enqueue({ url: `${base}/bad`, body: '{}' });
    await until(() => receiver.received.length === 2);
    await d.close();
    expect(d.stats()).toMatchObject({ delivered: 1, failed: 1, pending: 0 });
    expect(d.enqueue({ url: base, body: '{}' })).toBe(false);
  });
});
