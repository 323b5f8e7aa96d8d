import { FakeRunner, Judge } from '@judgekit/core';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, migrate, PostgresStore, schemaStatus, shippedMigrations } from '../../src/index.js';
import { startTestCluster, type TestCluster } from '../../src/testing/index.js';
import { done, input, result, stored } from './fixtures.js';

let cluster: TestCluster;
let pool: pg.Pool;
let store: PostgresStore;

beforeAll(async () => {
  cluster = await startTestCluster();
  pool = createPool({ connectionString: cluster.url });
  await migrate(pool, cluster.url);
  store = new PostgresStore({ pool, maxStoredOutputBytes: 1024 });
});

afterAll(async () => {
  await pool?.end();
  await cluster?.destroy();
});

const rowsOf = async (id: string) =>
  Number((await pool.query('SELECT count(*) AS n FROM judgekit_submissions WHERE id = $1', [id])).rows[0].n);

describe('migrations (node-pg-migrate)', () => {
  it('apply once, record themselves, and do nothing the second time', async () => {
    expect(await migrate(pool, cluster.url)).toEqual([]);
    const status = await schemaStatus(pool, cluster.url);
    expect(status.pending).toEqual([]);
    expect(status.applied).toEqual(shippedMigrations());
    expect(shippedMigrations()).toEqual(['1733100000000_history', '1733200000000_labels-owner']);
  });

  it('run once when several processes start together (they wait for the advisory lock)', async () => {
    const fresh = createPool({ connectionString: cluster.url.replace(/\/judgekit$/, '/postgres') });
    await fresh.query('DROP DATABASE IF EXISTS racing');
    await fresh.query('CREATE DATABASE racing');
    const url = cluster.url.replace(/\/judgekit$/, '/racing');
    const pools = [createPool({ connectionString: url }), createPool({ connectionString: url }), createPool({ connectionString: url })];
    const ran = await Promise.all(pools.map((p) => migrate(p, url)));
    expect(ran.flat()).toEqual(shippedMigrations());
    await Promise.all(pools.map((p) => p.end()));
    await fresh.query('DROP DATABASE racing');
    await fresh.end();
  });

  it('revert with down, and bring an older schema with data up to date (the labels backfilled)', async () => {
    const fresh = createPool({ connectionString: cluster.url.replace(/\/judgekit$/, '/postgres') });
    await fresh.query('CREATE DATABASE updown');
    const url = cluster.url.replace(/\/judgekit$/, '/updown');
    const p = createPool({ connectionString: url });
    await migrate(p, url);
    expect(await migrate(p, url, { direction: 'down' })).toEqual(['1733200000000_labels-owner']);
    expect((await schemaStatus(p, url)).pending).toEqual(['1733200000000_labels-owner']);
    // Data written under the first schema only…
    const r = result({ metadata: { course: 'cs101', group: 'b' } });
    await p.query(
      `INSERT INTO judgekit_submissions (id, tenant, status, language, created_at, metadata, result) VALUES ($1, 'acme', 'done', 'python3', $2, $3, $4)`,
      [r.id, r.createdAt, JSON.stringify(r.metadata), JSON.stringify(done(r))],
    );
    // …is found by a metadata listing once the second migration has run.
    expect(await migrate(p, url)).toEqual(['1733200000000_labels-owner']);
    const page = await new PostgresStore({ pool: p }).list({ tenant: 'acme', metadata: { group: 'b' }, limit: 10 });
    expect(page.items.map((x) => x.id)).toEqual([r.id]);
    expect(await migrate(p, url, { direction: 'down', count: Number.POSITIVE_INFINITY })).toEqual([
      '1733200000000_labels-owner',
      '1733100000000_history',
    ]);
    expect((await p.query("SELECT to_regclass('judgekit_submissions') AS t")).rows[0].t).toBeNull();
    await p.end();
    await fresh.query('DROP DATABASE updown');
    await fresh.end();
  });

  it('say JDG_ERR_DATABASE_UNAVAILABLE, with the password hidden, when nothing listens', async () => {
    const url = 'postgres://judge:s3cret@127.0.0.1:1/judgekit';
    const p = createPool({ connectionString: url, connectTimeoutMs: 2000 });
    const error = await migrate(p, url).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'JDG_ERR_DATABASE_UNAVAILABLE' });
    expect((error as Error).message).toContain('postgres://judge:***@127.0.0.1:1/judgekit');
    expect((error as Error).message).not.toContain('s3cret');
    await p.end();
  });
});

describe('the PostgreSQL store', () => {
  it('keeps the input and the result, and hands the input back only while unfinished', async () => {
    const queued = result({ metadata: { course: 'cs101' } });
    await store.set(queued.id, stored(queued, input(), 'acme'));
    expect(await store.get(queued.id)).toEqual({ input: input(), result: queued, tenant: 'acme' });
    const running = { ...queued, status: 'running' as const, startedAt: new Date().toISOString() };
    await store.set(queued.id, stored(running, input(), 'acme'));
    const finished = done(running);
    await store.set(queued.id, stored(finished, null, 'acme'));
    expect(await store.get(queued.id)).toEqual({ input: null, result: finished, tenant: 'acme' });
    expect(await store.getInput(queued.id)).toEqual(input());
    expect(await rowsOf(queued.id)).toBe(1);
  });

  it('is idempotent: the same writes again, a late progress write or a re-run never change a finished result', async () => {
    const r = result();
    const final = done(r);
    await store.set(r.id, stored(r, input()));
    await store.set(r.id, stored(final));
    await store.set(r.id, stored(final));
    await store.set(r.id, stored({ ...r, status: 'running' }, input()));
    await store.set(r.id, stored(done(r, { verdict: 'wrong_answer' })));
    expect((await store.get(r.id))?.result).toEqual(final);
    expect(await rowsOf(r.id)).toBe(1);
  });

  it('deletes by id', async () => {
    const r = result();
    await store.set(r.id, stored(r, input()));
    expect(await store.delete(r.id)).toBe(true);
    expect(await store.get(r.id)).toBeUndefined();
    expect(await store.delete(r.id)).toBe(false);
    expect(await store.get('no\0such')).toBeUndefined();
    expect(await store.delete('no\0such')).toBe(false);
  });

  it('keeps NUL bytes, lone surrogates and non-ASCII output exactly', async () => {
    const r = result({ metadata: { tag: 'a\0b', name: 'Zoë ✓' } });
    const odd = `nul:\0 lone:\udc00 emoji:😀 text:Grüße`;
    const final = done(r, { tests: [{ ...done(r).tests[0]!, stdout: odd, stderr: '\0\0' }] });
    await store.set(r.id, stored(final));
    const back = await store.get(r.id);
    expect(back?.result.tests[0]?.stdout).toBe(odd);
    expect(back?.result.tests[0]?.stderr).toBe('\0\0');
    expect(back?.result.metadata).toEqual({ tag: 'a\0b', name: 'Zoë ✓' });
  });

  it('caps each stored output at maxStoredOutputBytes on a character boundary, flagging it truncated', async () => {
    const r = result();
    const big = 'é'.repeat(2000); // 4000 bytes
    const final = done(r, { tests: [{ ...done(r).tests[0]!, stdout: big, stderr: 'small' }] });
    await store.set(r.id, stored(final));
    const test = (await store.get(r.id))?.result.tests[0];
    expect(Buffer.byteLength(test!.stdout)).toBe(1024);
    expect(test!.stdout).toBe('é'.repeat(512));
    expect(test).toMatchObject({ stdoutTruncated: true, stderr: 'small', stderrTruncated: false });
  });

  it('adds one webhook delivery, in the same statement, when a submission with a callback finishes', async () => {
    const r = result();
    const url = 'https://hooks.example/judge';
    await store.set(r.id, stored(r, input({ callbackUrl: url }), 'acme'));
    await store.set(r.id, stored({ ...r, status: 'running' }, input({ callbackUrl: url }), 'acme'));
    const deliveries = async () => (await pool.query('SELECT * FROM judgekit_webhook_deliveries WHERE submission_id = $1', [r.id])).rows;
    expect(await deliveries()).toEqual([]);
    const final = done(r);
    await store.set(r.id, stored(final, null, 'acme'));
    await store.set(r.id, stored(final, null, 'acme'));
    const rows = await deliveries();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ url, tenant: 'acme', state: 'pending', attempts: 0 });
    expect(JSON.parse(rows[0].body)).toEqual({ type: 'submission.done', submission: final });
    const plain = result();
    await store.set(plain.id, stored(done(plain)));
    expect((await pool.query('SELECT count(*) AS n FROM judgekit_webhook_deliveries WHERE submission_id = $1', [plain.id])).rows[0].n).toBe(
      '0',
    );
  });

  it('counts a tenant’s queued and running submissions', async () => {
    const tenant = `t-${Date.now()}`;
    for (const status of ['queued', 'queued', 'running', 'done'] as const) {
      const r = result({ status });
      await store.set(r.id, stored(r, input(), tenant));
    }
    expect(await store.unfinishedCounts(tenant)).toEqual({ queued: 2, running: 1 });
    expect(await store.unfinishedCounts('nobody')).toEqual({ queued: 0, running: 0 });
  });

  it('serves a Judge as its only store: every submission lands as one row', async () => {
    const judge = new Judge({ runner: new FakeRunner(), store, concurrency: 2 });
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        judge.submit({ language: 'python3', source: 'x', tests: [{ input: `${i}`, expectedOutput: `${i}` }] }),
      ),
    );
    const results = await Promise.all(ids.map((id) => judge.wait(id)));
    expect(results.every((r) => r.status === 'done' && r.verdict === 'accepted')).toBe(true);
    const { rows } = await pool.query('SELECT id, status, verdict FROM judgekit_submissions WHERE id = ANY($1)', [ids]);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.status === 'done' && r.verdict === 'accepted')).toBe(true);
    for (const id of ids) expect((await store.getInput(id)) as { languageId: string }).toMatchObject({ languageId: 'python3' });
    await judge.close();
  });
});
