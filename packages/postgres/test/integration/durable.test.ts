import { FakeRunner, Judge, LruResultStore } from '@judgekit/core';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, DurableResultStore, migrate, PostgresStore } from '../../src/index.js';
import { startTestCluster, type TestCluster } from '../../src/testing/index.js';

let cluster: TestCluster;
let pool: pg.Pool;
let database: PostgresStore;

beforeAll(async () => {
  cluster = await startTestCluster();
  pool = createPool({ connectionString: cluster.url, connectTimeoutMs: 1000 });
  await migrate(pool, cluster.url);
  database = new PostgresStore({ pool });
});

afterAll(async () => {
  await pool?.end();
  await cluster?.destroy();
});

const slowRunner = (ms: number) =>
  new FakeRunner({
    program: async (req) => {
      await new Promise((r) => setTimeout(r, ms));
      return { stdout: String(req.stdin ?? '') };
    },
  });
const submission = (i: number) => ({ language: 'python3', source: 'x', tests: [{ input: `${i}\n`, expectedOutput: `${i}\n` }] });

async function rows(ids: string[]): Promise<{ id: string; status: string; verdict: string | null }[]> {
  return (await pool.query('SELECT id, status, verdict FROM judgekit_submissions WHERE id = ANY($1)', [ids])).rows;
}

function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = async () => {
      if (await check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(tick, 25);
    };
    void tick();
  });
}

describe('PostgreSQL behind the hot cache', () => {
  it('serves a result from PostgreSQL once the cache has let it go, and deletes from both', async () => {
    const cache = new LruResultStore({ ttlMs: 50 });
    const store = new DurableResultStore({ database, cache });
    const judge = new Judge({ runner: new FakeRunner(), store });
    const result = await judge.run(submission(7));
    expect(result.verdict).toBe('accepted');
    await new Promise((r) => setTimeout(r, 80));
    expect(cache.get(result.id)).toBeUndefined();
    expect(await judge.get(result.id)).toEqual(result);
    expect(cache.get(result.id)?.result).toEqual(result);
    expect(await judge.delete(result.id)).toBe(true);
    expect(cache.get(result.id)).toBeUndefined();
    expect(await database.get(result.id)).toBeUndefined();
    await expect(judge.get(result.id)).rejects.toMatchObject({ code: 'JDG_ERR_SUBMISSION_NOT_FOUND' });
    await judge.close();
  });

  it('writes a finished result to PostgreSQL before anyone is told it is done', async () => {
    const store = new DurableResultStore({ database });
    const judge = new Judge({ runner: new FakeRunner(), store });
    const announced: string[] = [];
    const checks: Promise<{ id: string; status: string } | undefined>[] = [];
    judge.on('event', (event) => {
      if (event.type !== 'done') return;
      announced.push(event.id);
      // The query leaves from inside the event, so it sees only what PostgreSQL held when the
      // submission was announced: the final write must have been awaited before the event.
      checks.push(rows([event.id]).then((found) => found[0]));
    });
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => judge.submit(submission(i))));
    const results = await Promise.all(ids.map((id) => judge.wait(id)));
    expect(results.every((r) => r.status === 'done')).toBe(true);
    // A wait may resolve from the stored state a moment before the event is delivered, so the
    // events are awaited on their own rather than assumed delivered once every wait resolved.
    await until(() => announced.length >= ids.length);
    // Each submission is announced done exactly once.
    expect([...announced].sort()).toEqual([...ids].sort());
    const stored = await Promise.all(checks);
    expect(stored.map((r) => r?.status)).toEqual(ids.map(() => 'done'));
    await judge.close();
  });

  it('keeps judging while PostgreSQL is down, holds results in a bounded retry queue, then writes them all', async () => {
    const registry = new Registry();
    const availability: boolean[] = [];
    const store = new DurableResultStore({
      database,
      registry,
      maxPendingWrites: 30,
      retryIntervalMs: 100,
      onAvailability: (e) => availability.push(e.up),
    });
    const judge = new Judge({ runner: slowRunner(5), store, concurrency: 2, maxQueued: 1000 });
    const before = await Promise.all(Array.from({ length: 5 }, (_, i) => judge.submit(submission(i))));
    await Promise.all(before.map((id) => judge.wait(id)));
    await cluster.stop();
    const during: string[] = [];
    for (let i = 0; i < 30; i++) during.push(await judge.submit(submission(100 + i)));
    // Past the bound, a new submission is refused with a code rather than accepted and lost.
    // The store's own coded error comes through as it is (503 with Retry-After over HTTP).
    await expect(judge.submit(submission(200))).rejects.toMatchObject({ code: 'JDG_ERR_DATABASE_UNAVAILABLE' });
    const finished = await Promise.all([...before, ...during].map((id) => judge.wait(id)));
    expect(finished.every((r) => r.status === 'done' && r.verdict === 'accepted')).toBe(true);
    const health = store.health();
    expect(health).toMatchObject({ ok: false, degraded: true, pendingWrites: 30 });
    expect(health.problems[0]?.message).toMatch(/PostgreSQL is unreachable/);
    const metrics = await registry.metrics();
    expect(metrics).toContain('judgekit_history_pending_writes 30');
    expect(metrics).toContain('judgekit_history_database_up 0');
    expect(metrics).toContain('judgekit_history_writes_total{outcome="refused"} 1');
    // Reads are served while it is down: from the cache and the retry queue.
    expect((await judge.get(during[0]!)).status).toBe('done');
    await cluster.start();
    await until(() => store.pendingWrites === 0);
    expect(store.health()).toMatchObject({ ok: true, degraded: false, pendingWrites: 0 });
    const all = await rows([...before, ...during]);
    expect(all).toHaveLength(before.length + during.length);
    expect(all.every((r) => r.status === 'done' && r.verdict === 'accepted')).toBe(true);
    expect(availability).toEqual([false, true]);
    expect(await registry.metrics()).toContain('judgekit_history_database_up 1');
    await judge.close();
  });

  it('loses and doubles nothing when PostgreSQL is killed and restarted mid-load', async () => {
    const store = new DurableResultStore({ database, retryIntervalMs: 100 });
    const judge = new Judge({ runner: slowRunner(3), store, concurrency: 4, maxQueued: 1000 });
    const ids: string[] = [];
    let stop = false;
    const load = (async () => {
      for (let i = 0; !stop && i < 400; i++) {
        ids.push(await judge.submit(submission(i)));
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await until(() => ids.length >= 60);
    await cluster.kill();
    await until(() => ids.length >= 120);
    await cluster.start();
    await until(() => ids.length >= 200);
    stop = true;
    await load;
    const results = await Promise.all(ids.map((id) => judge.wait(id)));
    expect(results.every((r) => r.status === 'done' && r.verdict === 'accepted')).toBe(true);
    await until(() => store.pendingWrites === 0);
    const stored = await rows(ids);
    expect(stored).toHaveLength(ids.length);
    expect(new Set(stored.map((r) => r.id)).size).toBe(ids.length);
    expect(stored.filter((r) => r.status !== 'done')).toEqual([]);
    await judge.close();
  });
});
