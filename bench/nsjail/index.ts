// bench/nsjail: what judging through real nsjail sandboxes costs, against bare process spawns
// measured in the same run on the same machine. Needs root and nsjail (scripts/setup/nsjail.sh).
//   node --import tsx bench/nsjail/index.ts [--quick]
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { c, defaultLimits, Judge, type Limits, python3, type SubmissionInput } from '@judgekit/core';
import { NsjailRunner } from '@judgekit/runner-nsjail';

const run = promisify(execFile);
const quick = process.argv.includes('--quick');
const scale = (n: number) => (quick ? Math.max(10, Math.round(n / 10)) : n);

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const line = (what: string, figure: string, baseline: string, target: string, ok: boolean) =>
  console.log(`${ok ? 'PASS' : 'MISS'}  ${what.padEnd(44)} ${figure.padStart(16)}  baseline ${baseline.padStart(16)}   target ${target}`);
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function timeEach(count: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/** Runs `count` jobs with at most `concurrency` at once; returns jobs per second. */
async function rate(count: number, concurrency: number, job: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const expectAccepted = (verdict: string | null, what: string) => {
  if (verdict !== 'accepted') throw new Error(`${what}: expected accepted, got ${verdict}`);
};

async function main(): Promise<void> {
  const python = '/usr/bin/python3';
  console.log(`bench/nsjail${quick ? ' (quick)' : ''}: ${new Date().toISOString()}, node ${process.version}\n`);

  // 1. Latency: sequential trivial Python submissions through Judge.run against bare spawns.
  const latencyCount = scale(200);
  const judge = new Judge({ runner: new NsjailRunner(), concurrency: 1, maxQueued: 100_000 });
  const pass: SubmissionInput = { language: 'python3', source: 'pass' };
  for (let i = 0; i < 10; i++) {
    await run(python, ['-c', 'pass']);
    expectAccepted((await judge.run(pass)).verdict, 'warm-up');
  }
  // Interleaved, one bare spawn then one judged run, so both see the same load on a shared host.
  const bare: number[] = [];
  const judged: number[] = [];
  for (let i = 0; i < latencyCount; i++) {
    bare.push(...(await timeEach(1, () => run(python, ['-c', 'pass']))));
    judged.push(...(await timeEach(1, async () => expectAccepted((await judge.run(pass)).verdict, 'latency'))));
  }
  bare.sort((a, b) => a - b);
  judged.sort((a, b) => a - b);
  const ratio = quantile(judged, 0.5) / quantile(bare, 0.5);
  line(
    `latency p50, ${latencyCount} × Judge.run python 'pass'`,
    `${fmt(quantile(judged, 0.5))} ms`,
    `${fmt(quantile(bare, 0.5))} ms`,
    '',
    true,
  );
  line('latency p99', `${fmt(quantile(judged, 0.99))} ms`, `${fmt(quantile(bare, 0.99))} ms`, '', true);
  line('latency: ratio of medians (judged / bare)', `${fmt(ratio, 2)}×`, '1.00×', '≤ 2.0×', ratio <= 2.0);
  await judge.close();

  // 2. Throughput: a trivial C program, compiled once per submission, several tests each, at
  //    concurrency 2; the baseline does the same work bare: gcc once, then the binary per test.
  const testsPerSubmission = 10;
  const submissions = scale(500) / testsPerSubmission;
  const source = '#include <stdio.h>\nint main(void) { int x; if (scanf("%d", &x) != 1) return 1; printf("%d\\n", x * 2); return 0; }\n';
  const tests = Array.from({ length: testsPerSubmission }, (_, i) => ({ input: `${i}\n`, expectedOutput: `${i * 2}\n` }));
  const workDir = mkdtempSync(join(tmpdir(), 'judgekit-bench-'));
  const bareSubmission = async (i: number) => {
    const dir = join(workDir, String(i));
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'main.c'), source);
    await run('gcc', ['-O2', '-std=gnu17', '-pipe', '-o', join(dir, 'main'), join(dir, 'main.c'), '-lm']);
    for (const t of tests) {
      const child = execFile(join(dir, 'main'));
      const out = new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout!.on('data', (d) => (stdout += d));
        child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}`))));
      });
      child.stdin!.end(t.input);
      if ((await out) !== t.expectedOutput) throw new Error('bare run gave a wrong answer');
    }
  };
  const throughputJudge = new Judge({ runner: new NsjailRunner(), concurrency: 2, maxQueued: 100_000 });
  // Alternating rounds of bare and judged work, so both see the same load on a shared host.
  const rounds = 5;
  let bareSeconds = 0;
  let judgedSeconds = 0;
  for (let round = 0; round < rounds; round++) {
    const perRound = Math.ceil(submissions / rounds);
    bareSeconds += perRound / (await rate(perRound, 2, (i) => bareSubmission(round * perRound + i)));
    judgedSeconds +=
      perRound /
      (await rate(perRound, 2, async () =>
        expectAccepted((await throughputJudge.run({ language: 'c', source, tests })).verdict, 'throughput'),
      ));
  }
  rmSync(workDir, { recursive: true, force: true });
  await throughputJudge.close();
  const bareRate = (Math.ceil(submissions / rounds) * rounds) / bareSeconds;
  const judgedRate = (Math.ceil(submissions / rounds) * rounds) / judgedSeconds;
  const runsJudged = judgedRate * testsPerSubmission;
  const runsBare = bareRate * testsPerSubmission;
  line(
    `throughput, ${submissions * testsPerSubmission} C runs (${testsPerSubmission}/submission), conc. 2`,
    `${fmt(runsJudged)} runs/s`,
    `${fmt(runsBare)} runs/s`,
    '',
    true,
  );
  line('throughput: ratio (judged / bare)', `${fmt(runsJudged / runsBare, 2)}×`, '1.00×', '≥ 0.5×', runsJudged / runsBare >= 0.5);

  // 3. Resident memory of the judge through 5,000 runs (bash, 20 tests per submission, conc. 2),
  // in a plain Node process on the built packages, so the TypeScript loader is not in the figure.
  const totalRuns = scale(5000);
  const MB = 1024 * 1024;
  const child = execFileSync(process.execPath, [fileURLToPath(new URL('./rss-child.mjs', import.meta.url)), String(totalRuns)], {
    encoding: 'utf8',
  });
  const rss = JSON.parse(child.trim().split('\n').pop()!) as { start: number; peak: number; end: number };
  line(
    `judge RSS through ${totalRuns} runs (peak)`,
    `${fmt(rss.peak / MB)} MB`,
    `${fmt(rss.start / MB)} MB`,
    '< 150 MB',
    rss.peak < 150 * MB,
  );
  line('judge RSS at the end', `${fmt(rss.end / MB)} MB`, `${fmt(rss.start / MB)} MB`, '', true);
  line(
    'judge RSS growth: peak / end − start',
    `${fmt((rss.peak - rss.start) / MB)} / ${fmt((rss.end - rss.start) / MB)} MB`,
    '0 MB',
    '',
    true,
  );

  // 4. Accuracy of the measured limits (the same bounds the tests assert), for the record.
  console.log('');
  const runner = new NsjailRunner();
  const once = async (language: typeof c, source: string, limits: Partial<Limits>) => {
    const box = await runner.open({ language });
    try {
      await box.write([{ path: language.sourceFile, content: source }]);
      const argv = language.id === 'c' ? ['./main'] : ['python3', '-B', language.sourceFile];
      if (language.id === 'c') {
        const compiled = await box.exec({
          argv: ['gcc', '-O2', '-o', 'main', 'main.c'],
          limits: { ...defaultLimits, cpuTimeMs: 15_000, wallTimeMs: 30_000, memoryBytes: 1024 * MB },
        });
        if (compiled.exitCode !== 0) throw new Error(compiled.stderr);
      }
      return await box.exec({ argv, limits: { ...defaultLimits, ...limits } });
    } finally {
      await box.dispose();
    }
  };
  const busy = await once(c, 'int main(void) { volatile unsigned long i = 0; for (;;) i++; }', { cpuTimeMs: 1000, wallTimeMs: 5000 });
  line(
    'cpu: busy loop, 1,000 ms cpu limit',
    `${fmt(busy.cpuTimeMs)} ms ${busy.limitExceeded}`,
    'limit 1,000 ms',
    '1,000–1,150 ms, cpu',
    busy.limitExceeded === 'cpu' && busy.cpuTimeMs >= 1000 && busy.cpuTimeMs <= 1150,
  );
  const sleep = await once(python3, 'import time\ntime.sleep(5)', { wallTimeMs: 1000 });
  line(
    'wall: sleep(5), 1,000 ms wall limit',
    `${fmt(sleep.wallTimeMs)} ms ${sleep.limitExceeded}`,
    'limit 1,000 ms',
    '≤ 1,300 ms, wall',
    sleep.limitExceeded === 'wall' && sleep.wallTimeMs <= 1300,
  );
  const touch = await once(
    c,
    '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint main(void) { size_t n = 100u << 20; char *volatile p = malloc(n); memset(p, 1, n); printf("%d\\n", p[n - 1]); return 0; }',
    { memoryBytes: 256 * MB },
  );
  line(
    'memory: touches 100 MiB',
    `${fmt(touch.memoryBytes / MB)} MiB`,
    'touched 100 MiB',
    '100–120 MiB',
    touch.memoryBytes >= 100 * MB && touch.memoryBytes <= 120 * MB,
  );
  const bomb = await once(
    c,
    '#include <stdlib.h>\n#include <string.h>\nint main(void) { for (;;) { char *volatile p = malloc(1 << 20); if (!p) return 7; memset(p, 1, 1 << 20); } }',
    {
      memoryBytes: 64 * MB,
    },
  );
  line(
    'memory: above a 64 MiB limit',
    `${bomb.limitExceeded} (${bomb.signal})`,
    `peak ${fmt(bomb.memoryBytes / MB)} MiB`,
    'memory',
    bomb.limitExceeded === 'memory',
  );
  await runner.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
