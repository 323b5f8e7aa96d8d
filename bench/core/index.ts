// bench/core: throughput of the judging machinery and memory per stored result, with an
// instant in-memory runner (no sandbox), so the figures are judgekit's own overhead.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FakeRunner, Judge, LruResultStore, type SubmissionResult } from '@judgekit/core';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const line = (what: string, figure: string, target: string, ok: boolean) =>
  console.log(`${ok ? 'PASS' : 'MISS'}  ${what.padEnd(52)} ${figure.padStart(18)}   target ${target}`);

/** Submissions per wall second, and per second of CPU time used by this process (one core's worth). */
async function throughput(count: number): Promise<{ wall: number; cpu: number }> {
  // concurrency 1 keeps the measurement on one core's worth of judge work.
  const judge = new Judge({ runner: new FakeRunner({ program: () => ({ stdout: 'ok\n' }) }), concurrency: 1, maxQueued: count });
  const input = { language: 'python3', source: 'print("ok")', tests: [{ input: '', expectedOutput: 'ok' }] };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let finished = 0;
  const done = new Promise<void>((resolve) =>
    judge.on('event', (e) => {
      if (e.type === 'done' && ++finished === count) resolve();
    }),
  );
  for (let i = 0; i < count; i++) await judge.submit(input);
  await done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await judge.close();
  return { wall: count / seconds, cpu: count / ((cpu.user + cpu.system) / 1e6) };
}

/** Baseline in the same run: the bare cost of a promise per item through the event loop. */
async function baselineLoop(count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await Promise.resolve(JSON.parse(JSON.stringify({ i, ok: true })));
  return count / ((performance.now() - started) / 1000);
}

function rss(): number {
  globalThis.gc?.();
  return process.memoryUsage().rss;
}

/** Runs in a fresh child process, so nothing else the bench did is in its resident memory. */
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
    store.set(result.id, { input: null, result });
  }
  const after = rss();
  return { bytes: (after - before) / count, total: after, empty: before };
}

if (process.argv.includes('--memory-child')) {
  console.log(JSON.stringify(memoryPerResult(100_000)));
  process.exit(0);
}

const count = Number(process.env.BENCH_CORE_COUNT ?? 100_000);
console.log(`bench/core on ${availableParallelism()} cores, node ${process.version}, ${fmt(count)} items\n`);
await throughput(5_000); // warm-up
const base = await baselineLoop(count);
const rate = await throughput(count);
line('submit → done, instant runner, per CPU-second', `${fmt(rate.cpu)}/s`, '≥ 20,000/s on one core', rate.cpu >= 20_000);
console.log(`      same, per wall second (shared machine)           ${fmt(rate.wall).padStart(14)}/s`);
console.log(`      baseline: bare promise + JSON round trip         ${fmt(base).padStart(14)}/s   ratio ${fmt(rate.wall / base, 3)}`);
const child = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--memory-child'], {
  encoding: 'utf8',
});
const memory = JSON.parse(child) as ReturnType<typeof memoryPerResult>;
const totalMb = memory.total / 1024 / 1024;
line('resident memory holding 100,000 small results', `${fmt(totalMb, 1)} MB`, '≤ 250 MB', totalMb <= 250);
console.log(`      baseline: the same process holding none          ${fmt(memory.empty / 1024 / 1024, 1).padStart(14)} MB`);
console.log(`      per stored result                                ${fmt(memory.bytes).padStart(14)} B`);
