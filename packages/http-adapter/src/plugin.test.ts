import { request } from 'node:http';
import { type FakeProgram, FakeRunner, Judge, type JudgeOptions } from '@judgekit/core';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type JudgekitServer } from './index.js';
import type { CreateServerOptions } from './server.js';

// These tests drive the routes with FakeRunner, a scripted test double that runs nothing. The
// real sandbox tests are in test/integration/.

const versionProbe: FakeProgram = (req) => (req.argv.includes('--version') ? { stdout: 'Python 3.11.2\n' } : { stdout: 'hi\n' });

/** A fake program that blocks every run until `release()`. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  const program: FakeProgram = async (req, _files, { signal }) => {
    if (req.argv.includes('--version')) return { stdout: 'Python 3.11.2\n' };
    // A killed program ends at once, as a sandboxed one would.
    await Promise.race([opened, new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)))]);
    return { stdout: 'done\n' };
  };
  return { program, release: () => open() };
}

const servers: JudgekitServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(
  program: FakeProgram = versionProbe,
  options: Partial<CreateServerOptions> = {},
  judgeOptions: Omit<JudgeOptions, 'runner'> = {},
) {
  const s = await createServer({ runner: new FakeRunner({ program }), logger: false, judgeOptions, ...options });
  servers.push(s);
  return s.app;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}

describe('seed API', () => {
  it('queues with POST /execute and answers the result on GET /result/:id', async () => {
    const app = await server();
    const created = await app.inject({ method: 'POST', url: '/execute', payload: { source_code: "print('hi')", stdin_data: '' } });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({ status: 'PENDING', submission_id: expect.any(String) });
    const id = created.json().submission_id as string;
    const result = await until(
      () => app.inject({ method: 'GET', url: `/result/${id}` }),
      (r) => !['PENDING', 'PROCESSING'].includes(r.json().status),
    );
    expect(result.json()).toMatchObject({ submission_id: id, status: 'OK', stdout: 'hi\n', exit_code: 0, verdict: 'accepted' });
  });

  it('ignores unknown fields and defaults the language to python3', async () => {
    const app = await server();
    const r = await app.inject({ method: 'POST', url: '/execute', payload: { source_code: 'x', extra: 1 } });
    expect(r.statusCode).toBe(200);
  });

  it('deletes a result, then answers 404 for it', async () => {
    const app = await server();
    const id = (await app.inject({ method: 'POST', url: '/execute', payload: { source_code: 'x' } })).json().submission_id;
    expect((await app.inject({ method: 'DELETE', url: `/result/${id}` })).json()).toEqual({ submission_id: id, deleted: true });
    const again = await app.inject({ method: 'DELETE', url: `/result/${id}` });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('JDG_ERR_SUBMISSION_NOT_FOUND');
    expect((await app.inject({ method: 'GET', url: `/result/${id}` })).statusCode).toBe(404);
  });

  it('reports a queued submission as PENDING and a running one as PROCESSING', async () => {
    const g = gate();
    const app = await server(g.program, {}, { concurrency: 1 });
    const first = (await app.inject({ method: 'POST', url: '/execute', payload: { source_code: 'x' } })).json().submission_id;
    const second = (await app.inject({ method: 'POST', url: '/execute', payload: { source_code: 'x' } })).json().submission_id;
    await until(
      () => app.inject({ method: 'GET', url: `/result/${first}` }),
      (r) => r.json().status === 'PROCESSING',
    );
    expect((await app.inject({ method: 'GET', url: `/result/${second}` })).json().status).toBe('PENDING');
    g.release();
  });
});

describe('v1 API', () => {
  it('creates a submission with 202 and a Location header', async () => {
    const app = await server();
    const r = await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python3', source: 'x' } });
    expect(r.statusCode).toBe(202);
    expect(r.headers.location).toBe(`/v1/submissions/${r.json().id}`);
    expect(r.json().status).toMatch(/queued|running|done/);
  });

  it('holds ?wait=true until the submission is done', async () => {
    const app = await server();
    const r = await app.inject({
      method: 'POST',
      url: '/v1/submissions?wait=true',
      payload: { language: 'python3', source: 'x', stdin: 'a' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'done', verdict: 'accepted' });
  });

  it('answers 202 with the current state when the wait runs out', async () => {
    const g = gate();
    const app = await server(g.program, { maxWaitMs: 100 });
    const r = await app.inject({
      method: 'POST',
      url: '/v1/submissions?wait=true&timeoutMs=5000',
      payload: { language: 'python3', source: 'x' },
    });
    expect(r.statusCode).toBe(202);
    expect(r.json().status).toMatch(/queued|running/);
    g.release();
  });

  it('gets, cancels and deletes a submission', async () => {
    const g = gate();
    const app = await server(g.program);
    const id = (await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python3', source: 'x' } })).json().id;
    expect((await app.inject({ method: 'GET', url: `/v1/submissions/${id}` })).json().id).toBe(id);
    const cancelled = await app.inject({ method: 'POST', url: `/v1/submissions/${id}/cancel` });
    expect(cancelled.json().status).toBe('cancelled');
    const deleted = await app.inject({ method: 'DELETE', url: `/v1/submissions/${id}` });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await app.inject({ method: 'GET', url: `/v1/submissions/${id}` })).statusCode).toBe(404);
    g.release();
  });

  it('creates a batch, reporting each refused item in place, and gets a batch by ids', async () => {
    const app = await server();
    const r = await app.inject({
      method: 'POST',
      url: '/v1/submissions/batch',
      payload: {
        submissions: [
          { language: 'python3', source: 'a' },
          { language: 'cobol', source: 'b' },
        ],
      },
    });
    expect(r.statusCode).toBe(200);
    const [ok, refused] = r.json().submissions;
    expect(ok).toMatchObject({ id: expect.any(String), status: 'queued' });
    expect(refused.error.code).toBe('JDG_ERR_LANGUAGE_UNKNOWN');
    const got = await app.inject({ method: 'GET', url: `/v1/submissions?ids=${ok.id},missing` });
    expect(got.json().submissions[0].id).toBe(ok.id);
    expect(got.json().submissions[1]).toMatchObject({ id: 'missing', error: { code: 'JDG_ERR_SUBMISSION_NOT_FOUND' } });
  });

  it('lists languages with the versions the probes detect', async () => {
    const app = await server();
    const r = await app.inject({ method: 'GET', url: '/v1/languages' });
    const python = r.json().languages.find((l: { id: string }) => l.id === 'python3');
    expect(python).toMatchObject({ version: '3.11.2', compiled: false, aliases: expect.arrayContaining(['py']) });
  });

  it('streams events as Server-Sent Events, ending after done', async () => {
    const g = gate();
    const app = await server(g.program);
    const id = (await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python3', source: 'x' } })).json().id;
    const response = app.inject({ method: 'GET', url: `/v1/submissions/${id}/events` });
    setTimeout(() => g.release(), 50);
    const r = await response;
    expect(r.headers['content-type']).toMatch(/text\/event-stream/);
    const types = [...r.body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(types.at(-1)).toBe('done');
    expect(types).toContain('test');
  });
});

describe('errors', () => {
  it('answers 400 with field paths for a schema violation', async () => {
    const app = await server();
    const r = await app.inject({
      method: 'POST',
      url: '/v1/submissions',
      payload: { language: 'python3', source: 'x', limits: { cpuTimeMs: -1 }, tests: [{ input: 5 }] },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('JDG_ERR_INPUT_INVALID');
    const paths = r.json().error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['limits.cpuTimeMs', 'tests.0.input']));
  });

  it('answers 400 for malformed JSON', async () => {
    const app = await server();
    const r = await app.inject({
      method: 'POST',
      url: '/v1/submissions',
      headers: { 'content-type': 'application/json' },
      payload: '{"language":',
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('JDG_ERR_HTTP_BODY_MALFORMED');
  });

  it('answers 422 for an unknown language, listing the known ones', async () => {
    const app = await server();
    const r = await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'cobol', source: 'x' } });
    expect(r.statusCode).toBe(422);
    expect(r.json().error.code).toBe('JDG_ERR_LANGUAGE_UNKNOWN');
    expect(r.json().error.details.known).toEqual(expect.arrayContaining(['python3', 'c', 'java']));
  });

  it('answers 400 for a limit above the maximum, naming it', async () => {
    const app = await server();
    const r = await app.inject({
      method: 'POST',
      url: '/v1/submissions',
      payload: { language: 'python3', source: 'x', limits: { wallTimeMs: 3_000_000 } },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'JDG_ERR_LIMIT_EXCEEDS_MAX', details: { limit: 'wallTimeMs' } });
  });

  it('accepts an empty body with a JSON content type on every route that takes no body', async () => {
    const app = await server();
    const id = (
      await app.inject({ method: 'POST', url: '/v1/submissions?wait=true', payload: { language: 'python3', source: 'x' } })
    ).json().id;
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const checked: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { requestBody?: unknown }>>)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (operation.requestBody || path.endsWith('/events')) continue;
        const url = path
          .replace(/\{[a-z_]+\}/g, id)
          .replace('/v1/submissions', '/v1/submissions')
          .concat(path === '/v1/submissions' ? `?ids=${id}` : '');
        for (const type of ['application/json', 'application/json; charset=utf-8', 'text/plain']) {
          const r = await app.inject({ method: method.toUpperCase() as 'GET', url, headers: { 'content-type': type }, payload: '' });
          // Deleted by the first DELETE, a submission is then unknown (404): any answer but a body error
          // (each API in its own shape; Judge0's listing answers 400 without a database, for its own reason).
          expect(r.statusCode, `${method} ${url} with ${type}: ${r.body}`).not.toBe(415);
          expect(r.body, `${method} ${url} with ${type}`).not.toMatch(/BODY_MALFORMED|MEDIA_TYPE|not valid JSON|body|content.type/i);
          expect(r.statusCode, `${method} ${url}`).toBeLessThan(500);
        }
        checked.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        'DELETE /result/{submission_id}',
        'POST /v1/submissions/{id}/cancel',
        'DELETE /v1/submissions/{id}',
        'GET /healthz',
      ]),
    );
  });

  it('still refuses an empty body where the route needs one', async () => {
    const app = await server();
    for (const url of ['/v1/submissions', '/execute', '/v1/submissions/batch']) {
      const r = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '' });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error.code, url).toBe('JDG_ERR_HTTP_BODY_MALFORMED');
    }
    const poisoned = await app.inject({
      method: 'POST',
      url: '/v1/submissions',
      headers: { 'content-type': 'application/json' },
      payload: '{"language":"python3","source":"x","__proto__":{"x":1}}',
    });
    expect(poisoned.statusCode).toBe(400);
    const form = await app.inject({ method: 'POST', url: '/v1/submissions', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(form.statusCode).toBe(415);
    expect(form.json().error.code).toBe('JDG_ERR_HTTP_MEDIA_TYPE');
  });

  it('refuses a NUL byte in args with a coded 400 on every API, before anything is queued', async () => {
    const app = await server();
    const args = ['ok', 'a\u0000b'];
    const v1 = await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python3', source: 'x', args } });
    expect(v1.statusCode).toBe(400);
    expect(v1.json().error).toMatchObject({ code: 'JDG_ERR_INPUT_INVALID', details: { issues: [{ path: 'args.1' }] } });
    const seed = await app.inject({ method: 'POST', url: '/execute', payload: { source_code: 'x', args } });
    expect(seed.statusCode).toBe(400);
    expect(seed.json().error.code).toBe('JDG_ERR_INPUT_INVALID');
    const piston = await app.inject({
      method: 'POST',
      url: '/api/v2/execute',
      payload: { language: 'python3', files: [{ content: 'x' }], args },
    });
    expect(piston.statusCode).toBe(400);
    expect(piston.json().message).toMatch(/args\.1.*NUL/);
    const batch = await app.inject({
      method: 'POST',
      url: '/v1/submissions/batch',
      payload: { submissions: [{ language: 'python3', source: 'x', args }] },
    });
    expect(batch.statusCode).toBe(400);
    const seedArgs = await app.inject({ method: 'POST', url: '/execute?', payload: { source_code: 'x', args: ['fine'] } });
    expect(seedArgs.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).not.toMatch(/verdict="internal_error"/);
  });

  it('answers 413 above the body limit', async () => {
    const app = await server(versionProbe, { bodyLimitBytes: 1024 });
    const r = await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python3', source: 'x'.repeat(4096) } });
    expect(r.statusCode).toBe(413);
    expect(r.json().error.code).toBe('JDG_ERR_HTTP_BODY_TOO_LARGE');
  });

  it('answers 404 with the error shape for an unknown route and an unknown id', async () => {
    const app = await server();
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).json().error.code).toBe('JDG_ERR_HTTP_ROUTE_NOT_FOUND');
    expect((await app.inject({ method: 'GET', url: '/v1/submissions/unknown' })).statusCode).toBe(404);
  });

  it('answers 503 with Retry-After when the queue is full', async () => {
    const g = gate();
    const app = await server(g.program, { retryAfterSeconds: 7 }, { concurrency: 1, maxQueued: 1 });
    const submit = () => app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python3', source: 'x' } });
    await submit();
    await until(
      async () => (await app.inject({ method: 'GET', url: '/metrics' })).body,
      (body) => /^judgekit_submissions_running 1$/m.test(body),
    );
    await submit();
    const full = await submit();
    expect(full.statusCode).toBe(503);
    expect(full.headers['retry-after']).toBe('7');
    expect(full.json().error.code).toBe('JDG_ERR_QUEUE_FULL');
    g.release();
  });
});

describe('API keys and rate limits', () => {
  it('answers 401 without a key or with a wrong one, and serves with a right one', async () => {
    const app = await server(versionProbe, { apiKeys: ['k1', 'k2'] });
    const none = await app.inject({ method: 'GET', url: '/v1/languages' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/Bearer/);
    expect(none.json().error.code).toBe('JDG_ERR_HTTP_UNAUTHORIZED');
    expect((await app.inject({ method: 'GET', url: '/v1/languages', headers: { authorization: 'Bearer nope' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/languages', headers: { authorization: 'Bearer k2' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('takes the key as ?access_token= on the events route only, for EventSource and browser WebSockets', async () => {
    const app = await server(versionProbe, { apiKeys: ['k1'] });
    const auth = { authorization: 'Bearer k1' };
    const id = (
      await app.inject({ method: 'POST', url: '/v1/submissions?wait=true', headers: auth, payload: { language: 'py', source: 'x' } })
    ).json().id;
    expect((await app.inject({ method: 'GET', url: `/v1/submissions/${id}/events?access_token=k1` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/v1/submissions/${id}/events?access_token=no` })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: `/v1/submissions/${id}?access_token=k1` })).statusCode).toBe(401);
  });

  it('answers 429 with Retry-After past the limit, counting each key apart', async () => {
    const app = await server(versionProbe, { apiKeys: ['a', 'b'], rateLimit: { max: 2, timeWindowMs: 60_000 } });
    const get = (key: string) => app.inject({ method: 'GET', url: '/v1/submissions/x', headers: { authorization: `Bearer ${key}` } });
    await get('a');
    await get('a');
    const limited = await get('a');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('JDG_ERR_HTTP_RATE_LIMITED');
    expect((await get('b')).statusCode).toBe(404);
  });

  it('counts by address when no keys are configured, whatever token a client invents', async () => {
    const app = await server(versionProbe, { rateLimit: { max: 1, timeWindowMs: 60_000 } });
    const get = (token: string) => app.inject({ method: 'GET', url: '/v1/submissions/x', headers: { authorization: `Bearer ${token}` } });
    expect((await get('one')).statusCode).toBe(404);
    expect((await get('two')).statusCode).toBe(429);
  });
});

describe('operations', () => {
  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    const app = await server();
    await app.inject({ method: 'POST', url: '/v1/submissions?wait=true', payload: { language: 'python3', source: 'x' } });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ ready: true, runner: 'fake' });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const name of [
      'judgekit_submissions_queued',
      'judgekit_submissions_running',
      'judgekit_submissions_finished_total{verdict="accepted"} 1',
      'judgekit_submission_duration_seconds_bucket',
      'judgekit_sandbox_failures_total 0',
      'judgekit_http_request_duration_seconds_bucket',
    ]) {
      expect(metrics).toContain(name);
    }
  });

  it('serves an OpenAPI 3 document generated from the zod schemas, and Swagger UI at /docs', async () => {
    const app = await server();
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/execute', '/result/{submission_id}', '/v1/submissions', '/v1/submissions/{id}/events', '/api/v2/execute']),
    );
    const body = doc.paths['/v1/submissions'].post.requestBody.content['application/json'].schema;
    expect(body).toEqual({ $ref: '#/components/schemas/SubmissionInput' });
    expect(doc.components.schemas.SubmissionInput.properties.limits).toBeDefined();
    expect((await app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });

  it('declares what each route really answers: no body on 204, an event stream on the events route', async () => {
    const app = await server();
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/v1/submissions/{id}'].delete.responses['204']).toEqual({ description: 'Deleted; no body.' });
    expect(Object.keys(doc.paths['/v1/submissions/{id}/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
    expect(doc.tags.map((t: { name: string }) => t.name)).toEqual(['operations', 'seed', 'v1', 'cluster', 'piston', 'judge0']);
    const deleted = await app.inject({ method: 'DELETE', url: '/v1/submissions/unknown' });
    expect(deleted.json().error.code).toBe('JDG_ERR_SUBMISSION_NOT_FOUND');
  });

  it('leaves the APIs turned off out of the routes and the document', async () => {
    const app = await server(versionProbe, { seedApi: false, pistonApi: false, judge0: false });
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/api/v2') || p === '/execute')).toBe(false);
    expect(doc.tags.map((t: { name: string }) => t.name)).toEqual(['operations', 'v1', 'cluster']);
    expect((await app.inject({ method: 'POST', url: '/execute', payload: { source_code: 'x' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/statuses' })).statusCode).toBe(404);
  });

  it('serves under a prefix and answers paths outside it in the same error shape', async () => {
    const app = await server(versionProbe, { prefix: '/judge' });
    expect((await app.inject({ method: 'GET', url: '/judge/healthz' })).statusCode).toBe(200);
    const outside = await app.inject({ method: 'GET', url: '/healthz' });
    expect(outside.statusCode).toBe(404);
    expect(outside.json().error.code).toBe('JDG_ERR_HTTP_ROUTE_NOT_FOUND');
  });

  it('registers under a prefix inside an existing Fastify app', async () => {
    const { judgekitPlugin } = await import('./index.js');
    const judge = new Judge({ runner: new FakeRunner({ program: versionProbe }) });
    const app = Fastify();
    app.get('/', async () => 'host app');
    await app.register(judgekitPlugin, { prefix: '/judge', judge, docs: false });
    const r = await app.inject({ method: 'POST', url: '/judge/v1/submissions?wait=true', payload: { language: 'py', source: 'x' } });
    expect(r.json().verdict).toBe('accepted');
    expect((await app.inject({ method: 'GET', url: '/' })).body).toBe('host app');
    expect((await app.inject({ method: 'GET', url: '/judge/api/v2/runtimes' })).json()[0].language).toBe('python3');
    await app.close();
    await judge.close();
  });
});

describe('Piston v2', () => {
  it('parses a JSON body sent as text/plain, as Piston clients do', async () => {
    const app = await server();
    const r = await app.inject({
      method: 'POST',
      url: '/api/v2/execute',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      payload: JSON.stringify({ language: 'python', version: '3.11', files: [{ name: 'x.py', content: 'print(1)' }] }),
    });
    expect(r.json()).toMatchObject({ language: 'python3', version: '3.11.2', run: { stdout: 'hi\n', code: 0, status: null } });
  });

  it('answers 400 { message } for an unknown runtime or version', async () => {
    const app = await server();
    const r = await app.inject({
      method: 'POST',
      url: '/api/v2/execute',
      payload: { language: 'cobol', version: '*', files: [{ content: '' }] },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ message: 'cobol-* runtime is unknown' });
    const v = await app.inject({
      method: 'POST',
      url: '/api/v2/execute',
      payload: { language: 'python3', version: '2.7', files: [{ content: '' }] },
    });
    expect(v.json()).toEqual({ message: 'python3-2.7 runtime is unknown' });
  });

  it('leaves limits to the judge: compile_cpu_time is checked against the CPU maximum, not the wall one', async () => {
    const app = await server(versionProbe, {}, { maxLimits: { cpuTimeMs: 5000, wallTimeMs: 60_000 } });
    const execute = (extra: Record<string, number>) =>
      app.inject({ method: 'POST', url: '/api/v2/execute', payload: { language: 'c', files: [{ content: 'int main(){}' }], ...extra } });
    const cpu = await execute({ compile_cpu_time: 10_000 });
    expect(cpu.statusCode).toBe(400);
    expect(cpu.json()).toEqual({ message: 'compile_cpu_time cannot exceed the configured limit of 5000' });
    expect((await execute({ run_timeout: 70_000 })).json()).toEqual({ message: 'run_timeout cannot exceed the configured limit of 60000' });
    expect((await execute({ compile_timeout: 10_000, run_cpu_time: 5000 })).statusCode).toBe(200);
  });

  it('cancels the run when the client goes away', async () => {
    const g = gate();
    const s = await createServer({ runner: new FakeRunner({ program: g.program }), logger: false, port: 0 });
    servers.push(s);
    const base = await s.listen();
    const client = request(`${base}/api/v2/execute`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    client.on('error', () => {});
    client.end(JSON.stringify({ language: 'python3', files: [{ content: 'x' }] }));
    await until(
      async () => s.judge.stats().running,
      (n) => n === 1,
    );
    client.destroy();
    await until(
      async () => s.judge.stats().cancelled,
      (n) => n === 1,
    );
    expect(s.judge.stats().running).toBe(0);
  });

  it('answers schema violations as { message }', async () => {
    const app = await server();
    const r = await app.inject({ method: 'POST', url: '/api/v2/execute', payload: { language: 'python3', files: [] } });
    expect(r.statusCode).toBe(400);
    expect(Object.keys(r.json())).toEqual(['message']);
  });
});
