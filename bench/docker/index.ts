// Benchmark of @judgekit/runner-docker: latency and throughput of trivial Python submissions
// through Judge.run with the warm pool, each beside the same work done with a plain
// `docker run --rm --network none --runtime=runsc IMAGE python3 -c pass`, measured in this run.
// Then C compiled once + 20 tests through one submission, on this runner and on the nsjail runner in
// the same run (issue 16 item 4: at most 3x nsjail), each test a step of the container's one
// long-lived jk-exec over the attach stream.
// Run: node --import tsx bench/docker/index.ts   (needs scripts/setup/docker.sh done; root)
//      JUDGEKIT_BENCH_ONLY=compile runs only the C + 20 tests part.
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import { promisify } from 'node:util';
import { Judge } from '@judgekit/core';
import { DockerRunner } from '@judgekit/runner-docker';
import { NsjailRunner } from '@judgekit/runner-nsjail';

const run = promisify(execFile);
const image = process.env.JUDGEKIT_BENCH_IMAGE ?? 'judgekit/python3:latest';
const latencyRuns = Number(process.env.JUDGEKIT_BENCH_LATENCY_RUNS ?? 40);
const baselineLatencyRuns = Number(process.env.JUDGEKIT_BENCH_BASELINE_RUNS ?? 20);
const throughputCount = Number(process.env.JUDGEKIT_BENCH_THROUGHPUT ?? 100);
const concurrency = 2;

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};
const ms = (n: number) => `${n.toFixed(0)} ms`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function pool<T>(count: number, width: number, fn: (i: number) => Promise<T>): Promise<number> {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await fn(next++);
    }),
  );
  return performance.now() - t;
}

const plainDockerRun = () => run('docker', ['run', '--rm', '--network', 'none', '--runtime=runsc', image, 'python3', '-c', 'pass']);

/** Judgekit containers started by this process (other judges on the machine are not counted). */
function judgekitContainers(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const filters = encodeURIComponent(JSON.stringify({ label: ['org.judgekit.runner', `org.judgekit.pid=${process.pid}`] }));
    const req = http.request(
      { socketPath: '/var/run/docker.sock', path: `/containers/json?all=true&filters=${filters}`, headers: { Host: 'docker' } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve((JSON.parse(body) as { Id: string }[]).map((c) => c.Id)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// A pool of 4 started 4 at a time keeps ahead of 2 concurrent submissions on a 2-core host.
const runner = new DockerRunner({ pool: { size: 4, startConcurrency: 4, languages: ['python3'] } });
const judge = new Judge({ runner, concurrency });
const trivial = { language: 'python3', source: 'pass' };

const cSource = '#include <stdio.h>\nint main(void) { int x; if (scanf("%d", &x) != 1) return 1; printf("%d\\n", x * 2); return 0; }\n';
const cTests = Array.from({ length: 20 }, (_, i) => ({ input: `${i}\n`, expectedOutput: `${i * 2}\n` }));
const compileRounds = Number(process.env.JUDGEKIT_BENCH_COMPILE_ROUNDS ?? 7);

/** C compiled once + 20 tests, Docker against nsjail, rounds alternating; medians and the per-test step cost. */
async function compileAndTests(): Promise<void> {
  const dockerRunner = new DockerRunner({ pool: { size: 1, languages: ['c'] } });
  const nsjailRunner = new NsjailRunner();
  const judges = { docker: new Judge({ runner: dockerRunner }), nsjail: new Judge({ runner: nsjailRunner }) };
  const times: Record<keyof typeof judges, number[]> = { docker: [], nsjail: [] };
  const perTest: number[] = [];
  try {
    for (const judge of Object.values(judges)) {
      const warm = await judge.run({ language: 'c', source: cSource, tests: cTests });
      if (warm.verdict !== 'accepted') throw new Error(`warm-up: ${warm.verdict} ${JSON.stringify(warm).slice(0, 400)}`);
    }
    for (let round = 0; round < compileRounds; round++) {
      for (const name of ['docker', 'nsjail'] as const) {
        await new Promise((resolve) => setTimeout(resolve, name === 'docker' ? 1500 : 200)); // the pool refills
        let result: Awaited<ReturnType<Judge['run']>> | undefined;
        times[name].push(await timed(async () => (result = await judges[name].run({ language: 'c', source: cSource, tests: cTests }))));
        if (result?.verdict !== 'accepted') throw new Error(`${name}: ${result?.verdict}`);
        if (name === 'docker')
          perTest.push(
            quantile(
              result.tests.map((t) => t.wallTimeMs),
              0.5,
            ),
          );
      }
    }
  } finally {
    await judges.docker.close();
    await judges.nsjail.close();
    await dockerRunner.close();
    await nsjailRunner.close();
  }
  const d = quantile(times.docker, 0.5);
  const n = quantile(times.nsjail, 0.5);
  console.log(`bench/docker  C compiled once + 20 tests, one submission, median of ${compileRounds} rounds (alternating)`);
  console.log('figure                               docker        nsjail                  ratio     target');
  console.log(
    `C + 20 tests, Judge.run               ${ms(d).padEnd(13)} ${ms(n).padEnd(23)} ${(d / n).toFixed(2).padEnd(9)} ≤ 3.00 ${d / n <= 3 ? 'met' : 'NOT MET'}`,
  );
  console.log(
    `a test's own wall time inside gVisor  ${`${quantile(perTest, 0.5).toFixed(1)} ms`.padEnd(13)} (the program's, as jk-exec measured it)`,
  );
}

if (process.env.JUDGEKIT_BENCH_ONLY === 'compile') {
  await compileAndTests();
  process.exit(0);
}

try {
  await compileAndTests();
  // Warm up both paths (image cache, pool fill).
  const first = await judge.run(trivial);
  if (first.verdict !== 'accepted') throw new Error(`warm-up submission: ${first.verdict} ${JSON.stringify(first).slice(0, 400)}`);
  await plainDockerRun();
  await new Promise((resolve) => setTimeout(resolve, 3000));

  // Latency: one at a time, letting the pool refill between submissions as a judge at low load would.
  const judgeLatency: number[] = [];
  for (let i = 0; i < latencyRuns; i++) {
    judgeLatency.push(await timed(() => judge.run(trivial)));
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
  const plainLatency: number[] = [];
  for (let i = 0; i < baselineLatencyRuns; i++) plainLatency.push(await timed(plainDockerRun));

  // Throughput: 100 submissions, 2 at a time, against plain docker run, 2 at a time.
  let notAccepted = 0;
  const judgeMs = await pool(throughputCount, concurrency, async () => {
    const r = await judge.run(trivial);
    if (r.verdict !== 'accepted') notAccepted++;
  });
  const plainMs = await pool(throughputCount, concurrency, plainDockerRun);

  const jp50 = quantile(judgeLatency, 0.5);
  const jp99 = quantile(judgeLatency, 0.99);
  const bp50 = quantile(plainLatency, 0.5);
  const bp99 = quantile(plainLatency, 0.99);
  const judgeRate = throughputCount / (judgeMs / 1000);
  const plainRate = throughputCount / (plainMs / 1000);

  console.log(
    `bench/docker  image ${image}, runtime runsc, ${latencyRuns} latency runs (baseline ${baselineLatencyRuns}), ${throughputCount} submissions at concurrency ${concurrency}`,
  );
  console.log('figure                               judgekit      baseline (docker run)   ratio     target');
  console.log(
    `latency p50, Judge.run trivial py     ${ms(jp50).padEnd(13)} ${ms(bp50).padEnd(23)} ${(jp50 / bp50).toFixed(2).padEnd(9)} ≤ 0.50 ${jp50 / bp50 <= 0.5 ? 'met' : 'NOT MET'}`,
  );
  console.log(
    `latency p99                           ${ms(jp99).padEnd(13)} ${ms(bp99).padEnd(23)} ${(jp99 / bp99).toFixed(2).padEnd(9)} (no target)`,
  );
  console.log(
    `throughput, ${throughputCount} at concurrency ${concurrency}      ${`${judgeRate.toFixed(2)}/s`.padEnd(13)} ${`${plainRate.toFixed(2)}/s`.padEnd(23)} ${(judgeRate / plainRate).toFixed(2).padEnd(9)} ≥ 2.00 ${judgeRate / plainRate >= 2 ? 'met' : 'NOT MET'}`,
  );
  if (notAccepted) console.log(`WARNING: ${notAccepted} submissions were not accepted`);
} finally {
  await judge.close();
  await runner.close();
}
const left = await judgekitContainers();
console.log(`judgekit containers left after close: ${left.length} (target 0) ${left.length === 0 ? 'met' : 'NOT MET'}`);
if (left.length) process.exitCode = 1;
