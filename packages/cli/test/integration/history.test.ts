import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestCluster, type TestCluster } from '@judgekit/postgres/testing';
import { verifyWebhook } from '@judgekit/webhooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CliProcesses, partsReady, stopGracefully, until } from './harness.js';

// `judgekit serve --database-url` as a real process, against a real PostgreSQL of its own and the
// real nsjail sandbox: tenants on every API, webhooks, a SIGKILL between a run and its write,
// PostgreSQL restarted under load.
const procs = new CliProcesses();
const cli = (args: string[]) => procs.run(args);
const serve = (args: string[]) => procs.serve(['--runner', 'nsjail', '--log-level', 'info', ...args]);

const suite = (await partsReady({ postgres: true })) ? describe : describe.skip;

suite('judgekit serve with PostgreSQL', () => {
  let cluster: TestCluster;
  let db: pg.Pool;
  let keys: Record<'acme' | 'globex' | 'ops', string>;
  let acmeSecret: string;
  let receiver: Server;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let hookBase: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    db = new pg.Pool({ connectionString: cluster.url });
    // Idle connections break when the test restarts PostgreSQL; the pool reconnects.
    db.on('error', () => {});
    ({ keys, acmeSecret } = await procs.provisionTenants(cluster.url));
    // A webhook receiver on 127.0.0.5, the one destination the servers below allow-list.
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    receiver.listen(0, '127.0.0.5');
    await once(receiver, 'listening');
    hookBase = `http://127.0.0.5:${(receiver.address() as AddressInfo).port}`;
  }, 300_000);

  afterAll(async () => {
    procs.killAll();
    receiver?.closeAllConnections();
    receiver?.close();
    await db?.end();
    await cluster?.destroy();
  });

  const call = async (
    base: string,
    key: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {}
    // biome-ignore lint/suspicious/noExplicitAny: test answers
    return { status: res.status, json: json as any, text };
  };

  it('keeps each tenant to its own submissions on every API: seed, /v1, Piston, Judge0, SSE and WebSocket events, listing', async () => {
    const { proc, base } = await serve(['--database-url', cluster.url, '--webhook-allow', '127.0.0.5']);
    try {
      const py = { language: 'python3', source: 'print(int(input()) * 2)', stdin: '21\n', metadata: { course: 'cs101' } };
      const v1 = await call(base, keys.acme, 'POST', '/v1/submissions?wait=true', py);
      expect(v1.status).toBe(200);
      expect(v1.json.tests[0].stdout).toBe('42\n');
      const seed = await call(base, keys.acme, 'POST', '/execute', { source_code: 'print(7)', stdin_data: '' });
      const seedId = seed.json.submission_id as string;
      await until(async () => (await call(base, keys.acme, 'GET', `/result/${seedId}`)).json.status === 'OK');
      const piston = await call(base, keys.acme, 'POST', '/api/v2/execute', {
        language: 'python',
        version: '*',
        files: [{ content: 'print(3)' }],
      });
      expect(piston.status).toBe(200);
      const judge0 = await call(
        base,
        null,
        'POST',
        '/submissions?wait=true',
        { language_id: 71, source_code: 'print(5)' },
        { 'X-Auth-Token': keys.acme },
      );
      expect(judge0.status).toBe(201);
      const token = judge0.json.token as string;

      // globex sees none of it: exactly as for an id that does not exist.
      const id = v1.json.id as string;
      for (const [method, path] of [
        ['GET', `/v1/submissions/${id}`],
        ['DELETE', `/v1/submissions/${id}`],
        ['POST', `/v1/submissions/${id}/cancel`],
        ['GET', `/v1/submissions/${id}/events`],
        ['GET', `/result/${seedId}`],
        ['DELETE', `/result/${seedId}`],
      ] as const) {
        const r = await call(base, keys.globex, method, path);
        expect(r.status, `${method} ${path}`).toBe(404);
      }
      expect((await call(base, null, 'GET', `/submissions/${token}`, undefined, { 'X-Auth-Token': keys.globex })).status).toBe(404);
      expect((await call(base, null, 'GET', `/submissions/${token}`, undefined, { 'X-Auth-Token': keys.acme })).status).toBe(200);
      const batch = await call(base, keys.globex, 'GET', `/v1/submissions?ids=${id},${seedId}`);
      expect(batch.json.submissions.map((s: { error?: { code: string } }) => s.error?.code)).toEqual([
        'JDG_ERR_SUBMISSION_NOT_FOUND',
        'JDG_ERR_SUBMISSION_NOT_FOUND',
      ]);
      const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/submissions/${id}/events?access_token=${keys.globex}`);
      const [code] = (await once(socket, 'close')) as [number];
      expect(code).toBe(4404);
      const own = new WebSocket(`${base.replace('http', 'ws')}/v1/submissions/${id}/events?access_token=${keys.acme}`);
      const [message] = (await once(own, 'message')) as [Buffer];
      expect(JSON.parse(message.toString())).toMatchObject({ type: 'done', id });

      // Listing: each tenant its own; admins any tenant; others refused.
      const acmeList = await call(base, keys.acme, 'GET', '/v1/submissions?limit=100');
      const acmeIds = acmeList.json.submissions.map((s: { id: string }) => s.id);
      expect(acmeIds).toEqual(expect.arrayContaining([id, seedId, token]));
      expect(acmeIds).toHaveLength(4); // /v1, seed, Piston, Judge0
      expect((await call(base, keys.globex, 'GET', '/v1/submissions')).json.submissions).toEqual([]);
      expect(
        (await call(base, keys.acme, 'GET', '/v1/submissions?metadata.course=cs101')).json.submissions.map((s: { id: string }) => s.id),
      ).toEqual([id]);
      expect((await call(base, keys.globex, 'GET', '/v1/submissions?tenant=acme')).status).toBe(403);
      expect((await call(base, keys.ops, 'GET', '/v1/submissions?tenant=acme&limit=100')).json.submissions).toHaveLength(4);
      expect((await call(base, keys.ops, 'GET', '/v1/submissions?tenant=*&limit=100')).json.submissions.length).toBeGreaterThanOrEqual(4);
      expect((await call(base, keys.acme, 'GET', '/v1/submissions?verdict=great')).json.error.code).toBe('JDG_ERR_INPUT_INVALID');
      expect((await call(base, keys.acme, 'GET', '/v1/submissions?colour=red')).json.error.details.issues[0].path).toBe('colour');
      expect((await call(base, keys.acme, 'GET', '/metrics')).status).toBe(403);
      const metrics = await call(base, keys.ops, 'GET', '/metrics');
      expect(metrics.text).toContain('judgekit_history_pending_writes 0');

      // Each row carries its tenant in PostgreSQL.
      const { rows } = await db.query('SELECT tenant, count(*)::int AS n FROM judgekit_submissions GROUP BY tenant');
      expect(rows).toEqual([{ tenant: 'acme', n: 4 }]);

      // A signed webhook to the allow-listed receiver, verified with the tenant's secret.
      const hooked = await call(base, keys.acme, 'POST', '/v1/submissions', { ...py, callbackUrl: `${hookBase}/judged` });
      await until(() => received.some((r) => JSON.parse(r.body).submission.id === hooked.json.id), 30_000, 'webhook');
      const hook = received.find((r) => JSON.parse(r.body).submission.id === hooked.json.id)!;
      expect(verifyWebhook({ secret: acmeSecret, body: hook.body, headers: hook.headers })).toMatchObject({ ok: true });
      expect(JSON.parse(hook.body)).toMatchObject({
        type: 'submission.done',
        submission: { verdict: 'accepted', tests: [{ stdout: '42\n' }] },
      });

      // SSRF: refused at submit, with a reason, before anything is queued.
      for (const [url, reason] of [
        ['http://127.0.0.1:9/x', 'loopback'],
        ['http://169.254.169.254/latest/meta-data/', 'link-local'],
        ['http://[::1]:9/x', 'loopback'],
        [`http://localhost:${(receiver.address() as AddressInfo).port}/x`, 'loopback'],
        ['file:///etc/passwd', 'scheme'],
      ]) {
        const r = await call(base, keys.acme, 'POST', '/v1/submissions', { ...py, callbackUrl: url });
        expect(r.status, url).toBe(400);
        expect(r.json.error).toMatchObject({ code: 'JDG_ERR_WEBHOOK_URL_REFUSED', details: { reason } });
      }
      expect(Number((await db.query("SELECT count(*) FROM judgekit_submissions WHERE callback_url LIKE '%169.254%'")).rows[0].count)).toBe(
        0,
      );
    } finally {
      await stopGracefully(proc);
    }
  });

  it('leaves no "done" that PostgreSQL lacks when SIGKILLed between a run and its write, and a restart judges it once', async () => {
    const first = await serve(['--database-url', cluster.url, '--webhook-allow', '127.0.0.5']);
    const slow = { language: 'python3', source: 'import time\ntime.sleep(1)\nprint("late")', callbackUrl: `${hookBase}/after-crash` };
    const created = await call(first.base, keys.acme, 'POST', '/v1/submissions', slow);
    expect(created.status).toBe(202);
    const id = created.json.id as string;
    await until(async () => (await db.query('SELECT status FROM judgekit_submissions WHERE id = $1', [id])).rows[0]?.status === 'running');
    // Hold the row, so the final write waits: the run ends, its result cannot be written.
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM judgekit_submissions WHERE id = $1 FOR UPDATE', [id]);
    await until(
      async () =>
        (await db.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'judgekit' AND wait_event_type = 'Lock'"))
          .rows[0].n > 0,
      30_000,
      'the final write waiting on the row',
    );
    first.proc.kill('SIGKILL');
    await once(first.proc, 'exit');
    // The dead server's statement must not complete after its death: its connections go with it.
    await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'judgekit'");
    await holder.query('ROLLBACK');
    holder.release();
    const after = (await db.query('SELECT status, verdict FROM judgekit_submissions WHERE id = $1', [id])).rows[0];
    expect(after.status).not.toBe('done');
    expect(Number((await db.query('SELECT count(*) FROM judgekit_webhook_deliveries WHERE submission_id = $1', [id])).rows[0].count)).toBe(
      0,
    );

    // The restarted server finds what the dead one left and judges it again: one row, one result, one webhook.
    const second = await serve(['--database-url', cluster.url, '--webhook-allow', '127.0.0.5']);
    try {
      await until(
        async () => (await call(second.base, keys.acme, 'GET', `/v1/submissions/${id}`)).json.status === 'done',
        60_000,
        're-run',
      );
      const result = (await call(second.base, keys.acme, 'GET', `/v1/submissions/${id}`)).json;
      expect(result).toMatchObject({ verdict: 'accepted', tests: [{ stdout: 'late\n' }] });
      await until(() => received.some((r) => JSON.parse(r.body).submission.id === id), 30_000, 'webhook after the re-run');
    } finally {
      await stopGracefully(second.proc);
    }
    const updated = (await db.query('SELECT updated_at FROM judgekit_submissions WHERE id = $1', [id])).rows[0].updated_at;
    // And once more: a finished submission is never judged again.
    const third = await serve(['--database-url', cluster.url, '--webhook-allow', '127.0.0.5']);
    await new Promise((r) => setTimeout(r, 1500));
    await stopGracefully(third.proc);
    const rows = (await db.query('SELECT updated_at FROM judgekit_submissions WHERE id = $1', [id])).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0].updated_at).toEqual(updated);
    expect(received.filter((r) => JSON.parse(r.body).submission.id === id)).toHaveLength(1);
    expect(Number((await db.query('SELECT count(*) FROM judgekit_webhook_deliveries WHERE submission_id = $1', [id])).rows[0].count)).toBe(
      1,
    );
  });

  it('keeps judging while PostgreSQL restarts mid-load, says degraded, and writes every result when it is back', async () => {
    // A quota that needs a count, and a key never used before the outage.
    expect((await cli(['keys', 'quota', '--tenant', 'globex', '--max-queued', '1000', '--database-url', cluster.url])).code).toBe(0);
    const unseen = await procs.createKey(cluster.url, 'initech');
    const { proc, base } = await serve(['--database-url', cluster.url]);
    try {
      const submit = (i: number) =>
        call(base, keys.globex, 'POST', '/v1/submissions', { language: 'python3', source: `print(${i})`, metadata: { batch: 'restart' } });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await submit(i)).json.id);
      await cluster.stop();
      // While it is down: submissions are still taken and judged, /readyz says degraded.
      for (let i = 5; i < 15; i++) {
        const r = await submit(i);
        expect(r.status, r.text).toBe(202);
        ids.push(r.json.id);
      }
      await until(async () => (await call(base, null, 'GET', '/readyz')).json.degraded === true, 20_000, 'degraded');
      // A key the server has not checked yet cannot be checked now: 503, never a guess.
      const refused = await call(base, unseen, 'GET', '/v1/languages');
      expect(refused.status).toBe(503);
      expect(refused.json.error.code).toBe('JDG_ERR_DATABASE_UNAVAILABLE');
      const ready = (await call(base, null, 'GET', '/readyz')).json;
      expect(ready).toMatchObject({ ready: true, degraded: true });
      expect(ready.problems.map((p: { message: string }) => p.message).join()).toMatch(/PostgreSQL is unreachable/);
      await until(
        async () =>
          (await Promise.all(ids.map((id) => call(base, keys.globex, 'GET', `/v1/submissions/${id}`)))).every(
            (r) => r.json.status === 'done',
          ),
        60_000,
        'judged while PostgreSQL is down',
      );
      await cluster.start();
      await until(async () => (await call(base, null, 'GET', '/readyz')).json.degraded === false, 30_000, 'caught up');
      const { rows } = await db.query('SELECT status, verdict FROM judgekit_submissions WHERE id = ANY($1)', [ids]);
      expect(rows).toHaveLength(15);
      expect(rows.every((r) => r.status === 'done' && r.verdict === 'accepted')).toBe(true);
    } finally {
      await stopGracefully(proc);
    }
  });
});
