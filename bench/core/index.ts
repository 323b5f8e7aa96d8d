// bench/core: throughput of the judging machinery and memory per stored result, with an instant
// in-memory runner (no sandbox), so the figures are judgekit's own overhead. Each measurement runs
// in a fresh child process; throughput runs pinned to one core (taskset -c 0), GC threads included.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FakeRunner, Judge, LruResultStore, type SubmissionResult } from '@judgekit/core';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const line = (what: string, figure: string, target: string, ok: boolean | null) =>
  console.log(`${ok === null ? '    ' : ok ? 'PASS' : 'MISS'}  ${what.padEnd(58)} ${figure.padStart(12)}   ${target}`);

/** Submissions per second: `burst` submits at a time (1 = one after another), the judge's default concurrency. */
async function throughput(count: number, burst: number): Promise<number> {
  const judge = new Judge({ runner: new FakeRunner({ program: () => ({ stdout: 'ok\n' }) }), maxQueued: count });
  const input = { language: 'python3', source: 'print("ok")', tests: [{ input: '', expectedOutput: 'ok' }] };
  let finished = 0;
  const done = new Promise<void>((resolve) =>
    judge.on('event', (e) => {
      if (e.type === 'done' && ++finished === count) resolve();
    }),
  );
  const started = performance.now();
  for (let i = 0; i < count; i += burst) await Promise.all(Array.from({ length: burst }, () => judge.submit(input)));
  await done;
  const seconds = (performance.now() - started) / 1000;
  await judge.close();
  return count / seconds;
}

/** Baseline in the same process: a promise and a JSON round trip per item. */
async function baselineLoop(count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await Promise.resolve(JSON.parse(JSON.stringify({ i, ok: true })));
  return count / ((performance.now() - started) / 1000);
}

function rss(): number {
  globalThis.gc?.();
  return process.memoryUsage().rss;
}

function memoryPerResult(count: number): { bytes: number; total: number; empty: number } {
  const store = new LruResultStore({ maxEntries: count });
  const before = rss();
  const now = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const result: SubmissionResult = {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      status: 'done',
      verdict: 'accepted',
      message: null,
      language: { id: 'python3', version: '3.11.2' },
      createdAt: now,
      startedAt: now,
      finishedAt: now,
      compile: null,
      tests: [
        {
          name: '1',
          verdict: 'accepted',
          message: null,
          exitCode: 0,
          signal: null,
          stdout: `${i}\n`,
          stderr: '',
          stdoutTruncated: false,
          stderrTruncated: false,
          cpuTimeMs: 12,
          wallTimeMs: 21.5,
          memoryBytes: 9_437_184,
          limitExceeded: null,
        },
      ],
      summary: { passed: 1, total: 1, maxCpuTimeMs: 12, maxWallTimeMs: 21.5, maxMemoryBytes: 9_437_184 },
      metadata: null,
    };
    store.set(result.id, { input: null, result, tenant: null });
  }
  const after = rss();
  return { bytes: (after - before) / count, total: after, empty: before };
}

const count = Number(process.env.BENCH_CORE_COUNT ?? 100_000);

if (process.argv.includes('--memory-child')) {
  console.log(JSON.stringify(memoryPerResult(100_000)));
} else if (process.argv.includes('--throughput-child')) {
  await throughput(10_000, 1); // warm-up
  const base = await baselineLoop(count);
  const serial = await throughput(count, 1);
  const burst = await throughput(count, 100);
  console.log(JSON.stringify({ base, serial, burst }));
} else {
  const self = fileURLToPath(import.meta.url);
  const child = (flag: string, pin: boolean) => {
    const argv = [process.execPath, '--expose-gc', '--import', 'tsx', self, flag];
    let pinned = false;
    if (pin) {
      try {
        execFileSync('taskset', ['-c', '0', 'true']);
        pinned = true;
      } catch {}
    }
    const out = pinned
      ? execFileSync('taskset', ['-c', '0', ...argv], { encoding: 'utf8' })
      : execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    return { ...JSON.parse(out), pinned };
  };
  const load = (await import('node:os')).loadavg()[0]!;
  console.log(
    `bench/core on ${availableParallelism()} cores (load ${fmt(load, 1)}), node ${process.version}, ${fmt(count)} submissions per figure\n`,
  );
  const t = child('--throughput-child', true);
  const where = t.pinned ? 'one core' : 'unpinned: taskset missing';
  line(`submit → done, bursts of 100 submits, ${where}`, `${fmt(t.burst)}/s`, 'target ≥ 20,000/s', t.burst >= 20_000);
  line(`submit → done, one submit at a time, ${where}`, `${fmt(t.serial)}/s`, '(no target)', null);
  line(
    'baseline: a promise + JSON round trip per item, same process',
    `${fmt(t.base)}/s`,
    `ratio burst/baseline ${fmt(t.burst / t.base, 4)}`,
    null,
  );
  const m = child('--memory-child', false);
  const totalMb = m.total / 1024 / 1024;
  line('resident memory holding 100,000 small results', `${fmt(totalMb, 1)} MB`, 'target ≤ 250 MB', totalMb <= 250);
  line('baseline: the same process holding none', `${fmt(m.empty / 1024 / 1024, 1)} MB`, `${fmt(m.bytes)} B per stored result`, null);
}
