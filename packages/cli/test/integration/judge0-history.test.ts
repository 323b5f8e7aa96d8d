import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestCluster, type TestCluster } from '@judgekit/postgres/testing';
import { verifyWebhook } from '@judgekit/webhooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../../http-adapter/test/judge0-zip.js';
import { CliProcesses, partsReady, stopGracefully, until } from './harness.js';

// The Judge0 API of `judgekit serve --database-url` as a real process, with a real PostgreSQL of
// its own and the real nsjail sandbox: Judge0 callbacks through the durable outbox, the request
// attributes of fields=* read back after a restart, the listing from the durable store, and
// X-Auth-Token / X-Auth-User on tenants' keys.
const procs = new CliProcesses();
const serve = (args: string[]) => procs.serve(['--runner', 'nsjail', '--log-level', 'info', ...args]);

const suite = (await partsReady({ postgres: true })) ? describe : describe.skip;

suite('the Judge0 API of judgekit serve with PostgreSQL', () => {
  let cluster: TestCluster;
  let db: pg.Pool;
  let keys: Record<'acme' | 'globex' | 'ops', string>;
  let acmeSecret: string;
  let receiver: Server;
  const received: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  /** Answers 503 to the first attempt of each path under /flaky/, as a receiver that blips. */
  const seenFlaky = new Set<string>();
  let hookBase: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    db = new pg.Pool({ connectionString: cluster.url });
    // An idle connection ends with the cluster at the end; the pool's error is not the test's.
    db.on('error', () => {});
    ({ keys, acmeSecret } = await procs.provisionTenants(cluster.url));
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.url!.startsWith('/flaky/') && !seenFlaky.has(req.url!)) {
          seenFlaky.add(req.url!);
          res.writeHead(503).end();
          return;
        }
        res.writeHead(200).end();
      });
    });
    receiver.listen(0, '127.0.0.6');
    await once(receiver, 'listening');
    hookBase = `http://127.0.0.6:${(receiver.address() as AddressInfo).port}`;
  }, 300_000);

  afterAll(async () => {
    procs.killAll();
    receiver?.closeAllConnections();
    receiver?.close();
    await db?.end();
    await cluster?.destroy();
  });

  const call = async (base: string, method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
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

  it('sends Judge0’s callback from the durable outbox, retried, and answers what was sent after a restart', async () => {
    const args = ['--database-url', cluster.url, '--webhook-allow', '127.0.0.6'];
    let { proc, base } = await serve(args);
    const acme = { 'X-Auth-Token': keys.acme };
    const submission = {
      language_id: 71,
      source_code: 'print(input()[::-1] if open("words/one.txt").read() == "one" else "no file")',
      additional_files: buildZip([{ name: 'words/one.txt', data: 'one' }]).toString('base64'),
      stdin: 'kcabllac',
      expected_output: 'callback',
      callback_url: `${hookBase}/flaky/one`,
    };
    let token: string;
    try {
      const created = await call(base, 'POST', '/submissions', acme, submission);
      expect(created.status, created.text).toBe(201);
      token = created.json.token;
      // The first attempt is answered 503; the outbox tries again with the same PUT.
      await until(() => received.filter((r) => r.url === '/flaky/one').length >= 2, 60_000, 'the retried callback');
      const attempts = received.filter((r) => r.url === '/flaky/one');
      expect(attempts.map((a) => a.method)).toEqual(['PUT', 'PUT']);
      expect(attempts[1]!.body).toBe(attempts[0]!.body);
      const body = JSON.parse(attempts[1]!.body);
      expect(body).toEqual({
        stdout: 'Y2FsbGJhY2sK\n',
        time: expect.stringMatching(/^\d+\.\d+$/),
        memory: expect.any(Number),
        stderr: null,
        token,
        compile_output: null,
        message: null,
        status: { id: 3, description: 'Accepted' },
      });
      // Signed with the tenant's secret, as every judgekit webhook.
      expect(verifyWebhook({ secret: acmeSecret, body: attempts[1]!.body, headers: attempts[1]!.headers })).toMatchObject({ ok: true });
      await until(
        async () =>
          (await db.query('SELECT state FROM judgekit_webhook_deliveries WHERE submission_id = $1', [token])).rows[0]?.state ===
          'delivered',
        10_000,
        'the delivery row marked delivered',
      );
      const refused = await call(base, 'POST', '/submissions', acme, { ...submission, callback_url: 'http://169.254.169.254/latest' });
      expect(refused.status).toBe(422);
      expect(Object.keys(refused.json)).toEqual(['callback_url']);
    } finally {
      await stopGracefully(proc);
    }

    // Another process: the in-memory copy is gone, the durable store's input answers.
    ({ proc, base } = await serve(args));
    try {
      const all = await call(base, 'GET', `/submissions/${token}?fields=*`, acme);
      expect(all.status, all.text).toBe(200);
      expect(all.json).toMatchObject({
        source_code: submission.source_code,
        stdin: submission.stdin,
        expected_output: submission.expected_output,
        callback_url: submission.callback_url,
        stdout: 'callback\n',
        status: { id: 3 },
        language: { id: 71, name: expect.stringMatching(/^Python/) },
      });
      // The archive comes back as a zip of the same files (its bytes as sent are not kept).
      const { unpackZip } = await import('../../../http-adapter/src/judge0/zip.js');
      const files = await unpackZip(Buffer.from(all.json.additional_files, 'base64'));
      expect(files.map((f) => [f.path, f.data.toString()])).toEqual([['words/one.txt', 'one']]);
      const encoded = await call(base, 'GET', `/submissions/${token}?fields=source_code,stdin&base64_encoded=true`, acme);
      expect(Buffer.from(encoded.json.source_code, 'base64').toString()).toBe(submission.source_code);
      expect(encoded.json.stdin).toBe(`${Buffer.from(submission.stdin).toString('base64')}\n`);
    } finally {
      await stopGracefully(proc);
    }
  });

  it('lists the X-Auth-Token tenant’s submissions from PostgreSQL for an X-Auth-User admin key, 401/403 as Judge0', async () => {
    const { proc, base } = await serve(['--database-url', cluster.url]);
    try {
      const globex = { 'X-Auth-Token': keys.globex };
      const made = await call(base, 'POST', '/submissions/batch', globex, {
        submissions: ['one', 'two', 'three'].map((w) => ({ language_id: 46, source_code: `echo ${w}` })),
      });
      expect(made.status, made.text).toBe(201);
      const tokens = made.json.map((t: { token: string }) => t.token) as string[];
      for (const t of tokens)
        await until(async () => (await call(base, 'GET', `/submissions/${t}?fields=status_id`, globex)).json.status_id > 2, 30_000, 'done');

      const admin = { ...globex, 'X-Auth-User': keys.ops };
      const page = await call(base, 'GET', '/submissions?per_page=2&fields=token,stdout', admin);
      expect(page.json).toEqual({
        submissions: [
          { token: tokens[2], stdout: 'three\n' },
          { token: tokens[1], stdout: 'two\n' },
        ],
        meta: { current_page: 1, next_page: 2, prev_page: null, total_pages: 2, total_count: 3 },
      });
      // acme's own listing holds none of globex's.
      const acmePage = await call(base, 'GET', '/submissions?per_page=100&fields=token', {
        'X-Auth-Token': keys.acme,
        'X-Auth-User': keys.ops,
      });
      expect(acmePage.json.submissions.map((s: { token: string }) => s.token)).not.toContain(tokens[0]);
      expect(acmePage.json.meta.total_count).toBeGreaterThanOrEqual(1);

      // Judge0's answers: no or a wrong X-Auth-Token 401, a non-admin X-Auth-User 403, both with no body.
      expect(await call(base, 'GET', '/submissions', {})).toMatchObject({ status: 401, text: '' });
      expect((await call(base, 'GET', '/submissions', { 'X-Auth-Token': 'jk_nope_nope' })).status).toBe(401);
      expect(await call(base, 'GET', '/submissions', globex)).toMatchObject({ status: 403, text: '' });
      expect((await call(base, 'GET', '/submissions', { ...globex, 'X-Auth-User': keys.acme })).status).toBe(403);
      expect((await call(base, 'DELETE', `/submissions/${tokens[0]}`, { ...globex, 'X-Auth-User': keys.acme })).status).toBe(403);
      // Another tenant's token is unknown to acme, even with the admin's X-Auth-User.
      expect((await call(base, 'DELETE', `/submissions/${tokens[0]}`, { 'X-Auth-Token': keys.acme, 'X-Auth-User': keys.ops })).status).toBe(
        404,
      );
      const deleted = await call(base, 'DELETE', `/submissions/${tokens[0]}?fields=token,stdout`, admin);
      expect(deleted.json).toEqual({ token: tokens[0], stdout: 'b25lCg==\n' });
      expect((await db.query('SELECT count(*)::int AS n FROM judgekit_submissions WHERE id = $1', [tokens[0]])).rows[0].n).toBe(0);
    } finally {
      await stopGracefully(proc);
    }
  });
});
