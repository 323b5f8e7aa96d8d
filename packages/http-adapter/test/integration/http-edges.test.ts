import { connect } from 'node:net';
import { type FakeProgram, FakeRunner } from '@judgekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CreateServerOptions, createServer, type JudgekitServer } from '../../src/index.js';

// The HTTP edges, over a real listening server and raw sockets: what a client sees on the wire.
// The judging is scripted (FakeRunner): these tests are about the transport, not the sandbox.

const servers: JudgekitServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function listening(options: Partial<CreateServerOptions> = {}, program?: FakeProgram) {
  const server = await createServer({ runner: new FakeRunner(program ? { program } : {}), logger: false, port: 0, ...options });
  servers.push(server);
  const base = await server.listen();
  return { server, base, url: new URL(base) };
}

/** Sends raw bytes, then collects the answer until the server closes (or `ms` pass). */
function raw(url: URL, head: string, body?: { totalBytes: number; chunkBytes: number; pauseMs: number }, ms = 20_000) {
  return new Promise<{ response: string; error: string | null }>((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let response = '';
    let error: string | null = null;
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (d) => (response += d));
    socket.on('error', (e) => (error = (e as NodeJS.ErrnoException).code ?? e.message));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ response, error });
    });
    socket.write(head);
    if (!body) return;
    let sent = 0;
    const chunk = Buffer.alloc(body.chunkBytes, 'a');
    const next = () => {
      if (sent >= body.totalBytes || socket.destroyed) return;
      sent += chunk.length;
      socket.write(chunk, () => setTimeout(next, body.pauseMs));
    };
    next();
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));

describe('HTTP edges on a listening server', () => {
  it('answers a 50 MB upload 413 in the error shape after reading it, so a client still sending sees no EPIPE', async () => {
    const { url } = await listening();
    const total = 50 * 1024 * 1024;
    for (const path of ['/v1/submissions', '/execute', '/api/v2/execute']) {
      const head = `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${total}\r\n\r\n`;
      const { response, error } = await raw(url, head, { totalBytes: total, chunkBytes: 256 * 1024, pauseMs: 2 });
      expect(error, path).toBeNull();
      expect(statusOf(response), path).toBe(413);
      expect(response).toMatch(/\r\nconnection: close\r\n/i);
      const body = bodyOf(response);
      if (path.startsWith('/api/v2')) expect(body).toEqual({ message: 'The request body is larger than the body limit.' });
      else expect(body.error.code).toBe('JDG_ERR_HTTP_BODY_TOO_LARGE');
    }
  });

  it('answers an over-long id 414 and an over-long request line 431, both in the error shape', async () => {
    const { base } = await listening();
    const long = await fetch(`${base}/v1/submissions/${'a'.repeat(300)}`);
    expect(long.status).toBe(414);
    expect(((await long.json()) as { error: { code: string } }).error.code).toBe('JDG_ERR_HTTP_URL_TOO_LONG');
    const seedLong = await fetch(`${base}/result/${'a'.repeat(300)}`);
    expect(seedLong.status).toBe(414);
    // An id of 101 to 128 characters is an ordinary unknown id; 129 to 256 break the schema.
    expect((await fetch(`${base}/v1/submissions/${'a'.repeat(120)}`)).status).toBe(404);
    expect((await fetch(`${base}/v1/submissions/${'a'.repeat(200)}`)).status).toBe(400);
    const huge = await fetch(`${base}/v1/submissions?ids=${'a,'.repeat(20_000)}`);
    expect(huge.status).toBe(431);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('JDG_ERR_HTTP_HEADERS_TOO_LARGE');
  });

  it('reads 16 KB of ?ids= and answers in the error shape: a hundred ids are fine, more are refused by name', async () => {
    const { base } = await listening();
    const hundred = Array.from({ length: 100 }, (_, i) => `${'x'.repeat(120)}${i}`).join(',');
    expect(hundred.length).toBeGreaterThan(12_000);
    const ok = await fetch(`${base}/v1/submissions?ids=${hundred}`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { submissions: unknown[] }).submissions).toHaveLength(100);
    const sixteenK = 'y'.repeat(127).concat(',').repeat(128);
    expect(sixteenK.length).toBe(16_384);
    const tooMany = await fetch(`${base}/v1/submissions?ids=${sixteenK}`);
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: { code: string } }).error.code).toBe('JDG_ERR_INPUT_INVALID');
  });

  it('answers broken HTTP 400 in the error shape', async () => {
    const { url } = await listening();
    const { response } = await raw(url, 'GET /healthz HTTP/1.1\r\nhost x\r\n\r\n');
    expect(statusOf(response)).toBe(400);
    expect(bodyOf(response).error.code).toBe('JDG_ERR_HTTP_REQUEST_MALFORMED');
  });

  it('drains on close: still listening, new submissions get 503 with Retry-After, reads and held waits go on', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const program: FakeProgram = async () => {
      await gate;
      return { stdout: 'late\n' };
    };
    const { server, base } = await listening({ retryAfterSeconds: 4, shutdownTimeoutMs: 20_000 }, program);
    const held = fetch(`${base}/v1/submissions?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python3', source: 'x' }),
    });
    for (let i = 0; i < 200 && server.judge.stats().running === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const closed = server.close();
    // New connections during the drain (fetch opens fresh ones; the server keeps its socket open).
    const refused = await fetch(`${base}/v1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ language: 'python3', source: 'x' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('4');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toMatch(/JDG_ERR_(HTTP_SHUTTING_DOWN|JUDGE_CLOSED)/);
    const seed = await fetch(`${base}/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"source_code":"x"}',
    });
    expect(seed.status).toBe(503);
    expect(seed.headers.get('retry-after')).toBe('4');
    const piston = await fetch(`${base}/api/v2/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python3', files: [{ content: 'x' }] }),
    });
    expect(piston.status).toBe(503);
    const judge0 = await fetch(`${base}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language_id: 71, source_code: 'print(1)' }),
    });
    expect(judge0.status).toBe(503);
    expect(judge0.headers.get('retry-after')).toBe('4');
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    release();
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { tests: { stdout: string }[] }).tests[0]?.stdout).toBe('late\n');
    await closed;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('sends CORS headers only for configured origins, preflight included, also with API keys', async () => {
    const { base } = await listening({ corsOrigins: ['https://contest.example'], apiKeys: ['k'] });
    const preflight = await fetch(`${base}/v1/submissions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://contest.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://contest.example');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const get = await fetch(`${base}/v1/languages`, { headers: { origin: 'https://contest.example', authorization: 'Bearer k' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('https://contest.example');
    const other = await fetch(`${base}/v1/languages`, { headers: { origin: 'https://evil.example', authorization: 'Bearer k' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const { base: plain } = await listening();
    const off = await fetch(`${plain}/v1/languages`, { headers: { origin: 'https://contest.example' } });
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
  });
});
