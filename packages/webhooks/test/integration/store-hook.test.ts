import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeRunner, Judge, LruResultStore } from '@judgekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookDispatcher, withWebhooks } from '../../src/index.js';

describe('webhooks from the in-memory store', () => {
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  let base = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('posts each final result once, signed with its tenant’s secret, after the store has it', async () => {
    const dispatcher = new WebhookDispatcher({ allow: ['127.0.0.1'] });
    const store = withWebhooks(new LruResultStore(), dispatcher, { secretFor: (t) => (t === 'acme' ? 'whsec_acme' : null) });
    const judge = new Judge({ runner: new FakeRunner(), store });
    const withHook = await judge.run({ language: 'python3', source: 'x', stdin: 'hi', callbackUrl: `${base}/a` }, { tenant: 'acme' });
    const without = await judge.run({ language: 'python3', source: 'x', stdin: 'no hook' }, { tenant: 'acme' });
    for (let i = 0; i < 200 && received.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await dispatcher.close();
    await judge.close();
    expect(received).toHaveLength(1);
    const body = JSON.parse(received[0]!.body);
    expect(body).toEqual({ type: 'submission.done', submission: withHook });
    expect(body.submission.id).not.toBe(without.id);
    expect(verifyWebhook({ secret: 'whsec_acme', body: received[0]!.body, headers: received[0]!.headers })).toMatchObject({ ok: true });
    expect(received[0]!.headers['x-judgekit-delivery']).toBe(withHook.id);
  });
});
