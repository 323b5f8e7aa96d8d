import { startTestCluster, type TestCluster } from '@judgekit/postgres/testing';
import { closeRedis, connectRedis } from '@judgekit/redis';
import { startTestRedis, type TestRedis } from '@judgekit/redis/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcesses, partsReady } from './harness.js';

// The cluster with durable history: an API-only node and a `judgekit worker --database-url`, on a
// redis-server and a PostgreSQL of this test's own, judging in nsjail.
const procs = new CliProcesses();

const suite = (await partsReady({ redis: true, postgres: true })) ? describe : describe.skip;

suite('a cluster with PostgreSQL: judgekit worker --database-url', () => {
  let redis: TestRedis;
  let cluster: TestCluster;
  let db: pg.Pool;
  let base: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    [redis, cluster] = await Promise.all([startTestRedis(), startTestCluster()]);
    db = new pg.Pool({ connectionString: cluster.url });
    // An idle connection breaks when the test's PostgreSQL stops; the pool does not need it.
    db.on('error', () => {});
    ({ base } = await procs.serve([
      '--concurrency',
      '0',
      '--redis-url',
      redis.url,
      '--database-url',
      cluster.url,
      '--log-format',
      'json',
      '--rate-limit',
      '0',
    ]));
    auth = { authorization: `Bearer ${await procs.createKey(cluster.url, 'acme')}` };
    await procs.start(
      ['worker', '--redis-url', redis.url, '--database-url', cluster.url, '--runner', 'nsjail', '--concurrency', '2'],
      /"msg":"worker ready"/,
      'the worker ready',
    );
  });

  afterAll(async () => {
    await procs.stopAll();
    await db?.end();
    await Promise.all([redis?.destroy(), cluster?.destroy()]);
  });

  it('writes every result to PostgreSQL, serves it once Redis has let it go, and lists it', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${base}/v1/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ language: 'python3', source: `print(${i})`, metadata: { round: 'r1' } }),
      });
      expect(r.status).toBe(202);
      ids.push(((await r.json()) as { id: string }).id);
    }
    const get = async (id: string) =>
      (await (await fetch(`${base}/v1/submissions/${id}`, { headers: auth })).json()) as {
        status: string;
        verdict: string;
        tests: { stdout: string }[];
      };
    const started = Date.now();
    while (!(await Promise.all(ids.map(get))).every((r) => r.status === 'done')) {
      if (Date.now() - started > 60_000) throw new Error('not every submission finished');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Written by the worker, durable: one row each, done.
    const { rows } = await db.query<{ id: string; status: string; verdict: string }>(
      'SELECT id, status, verdict FROM judgekit_submissions WHERE id = ANY($1)',
      [ids],
    );
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row).toMatchObject({ status: 'done', verdict: 'accepted' });
    // Redis lets the results go (as after their TTL): they are read back from PostgreSQL.
    const client = await connectRedis(redis.url);
    for (const id of ids) await client.del(`judgekit:submission:${id}`);
    await closeRedis(client);
    const again = await get(ids[3]!);
    expect(again).toMatchObject({ status: 'done', verdict: 'accepted', tests: [{ stdout: '3\n' }] });
    const page = (await (await fetch(`${base}/v1/submissions?metadata.round=r1&limit=100`, { headers: auth })).json()) as {
      submissions: { id: string }[];
    };
    expect(page.submissions.map((i) => i.id).sort()).toEqual([...ids].sort());
  });
});
