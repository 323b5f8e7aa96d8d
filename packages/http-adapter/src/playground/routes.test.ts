import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FakeRunner } from '@judgekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type JudgekitServer } from '../index.js';
import { playgroundDir } from './assets.js';

const servers: JudgekitServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function app(options: Partial<Parameters<typeof createServer>[0]> = {}) {
  const s = await createServer({ runner: new FakeRunner(), logger: false, ...options });
  servers.push(s);
  return s.app;
}

// The page is built by `npm run build`; built here when it is missing, so the test never skips.
if (playgroundDir() === null) {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../playground/build.mjs', import.meta.url))], { stdio: 'pipe' });
}

describe('the playground routes', () => {
  it('serves the page at / with its prefix as base, and its files with etags', async () => {
    const a = await app({ prefix: '/judge', apiKeys: ['k'] });
    const page = await a.inject({ method: 'GET', url: '/judge/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<base href="/judge/">');
    const js = await a.inject({ method: 'GET', url: '/judge/playground/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('text/javascript');
    const again = await a.inject({ method: 'GET', url: '/judge/playground/app.js', headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('answers an unknown file in the error shape', async () => {
    const r = await (await app()).inject({ method: 'GET', url: '/playground/..%2Fpackage.json' });
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('JDG_ERR_HTTP_ROUTE_NOT_FOUND');
  });

  it('is off with playground: false, while /docs stays', async () => {
    const a = await app({ playground: false });
    expect((await a.inject({ method: 'GET', url: '/' })).json().error.code).toBe('JDG_ERR_HTTP_ROUTE_NOT_FOUND');
    expect((await a.inject({ method: 'GET', url: '/playground/app.js' })).statusCode).toBe(404);
    expect((await a.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });
});
