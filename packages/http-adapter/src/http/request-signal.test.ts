import { request as httpRequest } from 'node:http';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { requestSignal } from './request-signal.js';

// A real listening server and a real client socket: the signal follows the connection, not the body.
const apps: ReturnType<typeof Fastify>[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function serve(holdMs: number) {
  const seen: { aborted: boolean; reason?: unknown }[] = [];
  const app = Fastify();
  apps.push(app);
  app.post('/hold', async (_request, reply) => {
    const signal = requestSignal(reply);
    expect(requestSignal(reply)).toBe(signal);
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    seen.push({ aborted: signal.aborted, reason: signal.reason });
    return { ok: true };
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base, seen };
}

describe('requestSignal', () => {
  it('aborts when the client goes away before the answer, with a coded reason', async () => {
    const { base, seen } = await serve(300);
    const client = httpRequest(`${base}/hold`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    client.on('error', () => {});
    client.end('{"a":1}');
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.destroy();
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen[0]?.aborted).toBe(true);
    expect(seen[0]?.reason).toMatchObject({ code: 'JDG_ERR_OPERATION_ABORTED' });
  });

  it('stays quiet for a client that waits for its answer, body read or not', async () => {
    const { base, seen } = await serve(100);
    const r = await fetch(`${base}/hold`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await r.json()).toEqual({ ok: true });
    expect(seen).toEqual([{ aborted: false, reason: undefined }]);
  });
});
