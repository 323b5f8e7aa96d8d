// bench/history: the durable store on a real PostgreSQL of its own (fsync on, as in production).
//   1. results persisted per second (the judge with an instant runner writing through
//      PostgreSQL behind the hot cache) against the judging rate of trivial Python in the nsjail
//      sandbox, in the same run: target at least 5x, so PostgreSQL never limits throughput;
//   2. p50 of a filtered listing page with 1,000,000 rows in the table: target at most 20 ms.
//   node --import tsx bench/history/index.ts [--quick]
import { availableParallelism } from 'node:os';
import type { ListQuery } from '@judgekit/core';
import { FakeRunner, Judge } from '@judgekit/core';
import { createPool, DurableResultStore, migrate, PostgresStore } from '@judgekit/postgres';
import { startTestCluster } from '@judgekit/postgres/testing';
import { NsjailRunner } from '@judgekit/runner-nsjail';

const quick = process.argv.includes('--quick');
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const line = (what: string, figure: string, target: string, ok: boolean | null) =>
  console.log(`${ok === null ? '    ' : ok ? 'PASS' : 'MISS'}  ${what.padEnd(62)} ${figure.padStart(14)}   ${target}`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
};

const cluster = await startTestCluster({
  settings: { fsync: 'on', full_page_writes: 'on', synchronous_commit: 'on', shared_buffers: '256MB', max_wal_size: '2GB' },
});
const pool = createPool({ connectionString: cluster.url, max: 16 });
try {
  await migrate(pool, cluster.url);
  const concurrency = availableParallelism();

  // --- 1. persisted per second against trivial Python judged in nsjail -----------------------
  const judgeRate = async (judge: Judge, count: number, source: string) => {
    const input = { language: 'python3', source, tests: [{ input: '', expectedOutput: '1\n' }] };
    for (let i = 0; i < Math.min(8, count); i++) await judge.run(input); // warm: toolchain cache, connections
    const started = performance.now();
    const ids = await Promise.all(Array.from({ length: count }, () => judge.submit(input)));
    const results = await Promise.all(ids.map((id) => judge.wait(id)));
    const seconds = (performance.now() - started) / 1000;
    if (results.some((r) => r.verdict !== 'accepted'))
      throw new Error(`not every run was accepted: ${results.find((r) => r.verdict !== 'accepted')?.message}`);
    return { rate: count / seconds, ids };
  };

  const python = new Judge({ runner: new NsjailRunner(), concurrency, maxQueued: 100_000 });
  const python1 = await judgeRate(python, quick ? 40 : 120, 'print(1)');
  await python.close();

  const database = new PostgresStore({ pool });
  const store = new DurableResultStore({ database });
  const instant = new Judge({ runner: new FakeRunner({ program: () => ({ stdout: '1\n' }) }), store, concurrency: 8, maxQueued: 100_000 });
  const persisted = await judgeRate(instant, quick ? 2000 : 6000, 'print(1)');
  await instant.close();
  await store.flush();
  const { rows } = await pool.query("SELECT count(*) AS n FROM judgekit_submissions WHERE id = ANY($1) AND status = 'done'", [
    persisted.ids,
  ]);
  if (Number(rows[0].n) !== persisted.ids.length) throw new Error(`only ${rows[0].n} of ${persisted.ids.length} results are in PostgreSQL`);

  console.log(`\nbench/history — PostgreSQL 15 (fsync on), ${concurrency} CPUs\n`);
  line('trivial Python judged in nsjail (baseline, same run)', `${fmt(python1.rate, 1)}/s`, '', null);
  line('results persisted (judge + PostgreSQL behind the LRU, 2 writes each)', `${fmt(persisted.rate)}/s`, '', null);
  const ratio = persisted.rate / python1.rate;
  line('persisted / judged', `${fmt(ratio, 1)}x`, 'target >= 5x', ratio >= 5);

  // --- 2. a filtered page with 1,000,000 rows ---------------------------------------------------
  const total = quick ? 200_000 : 1_000_000;
  const started = performance.now();
  const loader = createPool({ connectionString: cluster.url, max: 2, statementTimeoutMs: 0 });
  // Ten tenants, a month of submissions, every filterable column varied independently (hashed); results of realistic size.
  for (let from = 1; from <= total; from += 100_000) {
    await loader.query(
      `INSERT INTO judgekit_submissions (id, tenant, status, verdict, language, created_at, finished_at, metadata, input, result)
     SELECT id, tenant, status, verdict, language, created_at, created_at + interval '1 second', metadata, NULL,
            json_build_object('id', id, 'status', status, 'verdict', verdict, 'message', NULL,
              'language', json_build_object('id', language, 'version', NULL), 'createdAt', created_at, 'startedAt', created_at,
              'finishedAt', created_at, 'compile', NULL,
              'tests', json_build_array(json_build_object('name', '1', 'verdict', verdict, 'message', NULL, 'exitCode', 0, 'signal', NULL,
                'stdout', 'output of the program\n', 'stderr', '', 'stdoutTruncated', false, 'stderrTruncated', false,
                'cpuTimeMs', 12, 'wallTimeMs', 21.5, 'memoryBytes', 9437184, 'limitExceeded', NULL)),
              'summary', json_build_object('passed', 1, 'total', 1, 'maxCpuTimeMs', 12, 'maxWallTimeMs', 21.5, 'maxMemoryBytes', 9437184),
              'metadata', metadata)
     FROM (SELECT md5(g::text)::uuid::text AS id, 'tenant' || (g % 10) AS tenant,
                  CASE WHEN g % 50 = 0 THEN 'queued' WHEN g % 50 = 1 THEN 'running' ELSE 'done' END AS status,
                  CASE WHEN g % 50 < 2 THEN NULL
                       ELSE (ARRAY['accepted','wrong_answer','time_limit_exceeded','runtime_error','compile_error'])[1 + abs(hashint4(g + 7)) % 5] END AS verdict,
                  (ARRAY['python3','cpp','java','go','rust','c','javascript'])[1 + abs(hashint4(g + 11)) % 7] AS language,
                  timestamptz '2026-01-01' + g * interval '2 seconds' AS created_at,
                  jsonb_build_object('course', 'c' || abs(hashint4(g)) % 20, 'student', 's' || abs(hashint4(g + 1000003)) % 1000) AS metadata
           FROM generate_series($1::int, $2::int) g) s`,
      [from, Math.min(total, from + 99_999)],
    );
  }
  // The metadata labels, as the store writes them with each new submission.
  await loader.query(
    `INSERT INTO judgekit_submission_labels (id, key, tenant, value, created_at)
     SELECT s.id, m.key, s.tenant, m.value, s.created_at FROM judgekit_submissions s, jsonb_each_text(s.metadata) m`,
  );
  await loader.query('VACUUM ANALYZE judgekit_submissions');
  await loader.query('VACUUM ANALYZE judgekit_submission_labels');
  await loader.end();
  const loadSeconds = (performance.now() - started) / 1000;

  const t = (i: number) => `tenant${i % 10}`;
  const mid = new Date(Date.parse('2026-01-01') + total * 1000).toISOString();
  const filters: [string, (i: number) => ListQuery][] = [
    ['tenant only', (i) => ({ tenant: t(i) })],
    ['status=queued (2%)', (i) => ({ tenant: t(i), status: 'queued' })],
    ['verdict=wrong_answer', (i) => ({ tenant: t(i), verdict: 'wrong_answer' })],
    ['language=cpp', (i) => ({ tenant: t(i), language: 'cpp' })],
    ['metadata.course=c3 (5%)', (i) => ({ tenant: t(i), metadata: { course: 'c3' } })],
    ['metadata.student=s42 (0.1%)', (i) => ({ tenant: t(i), metadata: { student: 's42' } })],
    ['createdBefore (older half)', (i) => ({ tenant: t(i), createdBefore: mid })],
    ['verdict + language + createdAfter', (i) => ({ tenant: t(i), verdict: 'accepted', language: 'go', createdAfter: mid })],
    ['every tenant (admin)', () => ({})],
  ];
  const runs = quick ? 30 : 100;
  const all: number[] = [];
  console.log(`\n${fmt(total)} rows loaded in ${fmt(loadSeconds, 1)} s; ${runs} pages of 20 per filter, a third of them 5 pages deep:`);
  for (const [name, make] of filters) {
    const times: number[] = [];
    // A filter that matches nothing would be fast for the wrong reason.
    if ((await database.list({ ...make(0), limit: 20 })).items.length < 20) throw new Error(`${name}: the first page is not full`);
    for (let i = 0; i < runs; i++) {
      let query = { ...make(i), limit: 20 };
      if (i % 3 === 0) {
        // Deeper pages: follow the cursor four times, then time the fifth page.
        for (let d = 0; d < 4; d++) {
          const page = await database.list(query);
          if (!page.nextCursor) break;
          query = { ...query, cursor: page.nextCursor };
        }
      }
      const s = performance.now();
      await database.list(query);
      times.push(performance.now() - s);
    }
    all.push(...times);
    line(`  ${name}`, `p50 ${fmt(median(times), 2)} ms`, `p99 ${fmt(percentile(times, 0.99), 2)} ms`, median(times) <= 20);
  }
  const p50 = median(all);
  line(`filtered listing page, ${fmt(total)} rows (all filters)`, `p50 ${fmt(p50, 2)} ms`, 'target <= 20 ms', p50 <= 20);
} finally {
  await pool.end();
  await cluster.destroy();
}
