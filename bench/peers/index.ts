// bench/peers: judgekit (nsjail runner) against its peer go-judge v1.12.2 and bare processes, on
// the three workloads of issue 16, all measured in the same run and interleaved so that other
// load on this shared machine hits every column alike:
//   1. trivial Python, p50 of sequential runs (60 by default);
//   2. trivial Python, 100 runs at concurrency 2 (runs per second);
//   3. C compiled once + 20 tests (wall time of the whole thing).
// Columns: bare (the same commands spawned directly, no sandbox), go-judge (REST `/run`, at its
// defaults and `-parallelism 2`), judgekit over HTTP (`POST /v1/submissions?wait=true`) and
// judgekit in process (`Judge.run`). Everyone runs Debian's /usr/bin/python3 and gcc with the
// same limits. Without go-judge (not built, no `go`, CI) it prints judgekit's figures and says
// the peer is absent. Needs root and nsjail (scripts/setup/nsjail.sh).
//
//   node --import tsx bench/peers/index.ts [--runs 60] [--throughput 100] [--c-reps 5] [--no-build] [--docker] [--quick]
// (--docker adds judgekit on Docker + gVisor to the C workload, the Docker row of the issue's table)
//
// go-judge is built on first use into $JUDGEKIT_PEERS_DIR (default /var/lib/judgekit/peers) from
// the Go module proxy the machine's `go` is configured with; JUDGEKIT_GO_JUDGE names a binary instead.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { defaultCompileLimits, defaultLimits, Judge, type SubmissionInput } from '@judgekit/core';
import { NsjailRunner } from '@judgekit/runner-nsjail';
import { treeCpuNs } from './cpu.js';
import { type GoJudge, type PeerLimits, startPeer } from './go-judge.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '60' },
    throughput: { type: 'string', default: '100' },
    'c-reps': { type: 'string', default: '5' },
    'no-build': { type: 'boolean', default: false },
    docker: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick;
const latencyRuns = quick ? 15 : Number(values.runs);
const throughputRuns = quick ? 20 : Number(values.throughput);
const cReps = quick ? 2 : Number(values['c-reps']);
const warmupRuns = quick ? 20 : 600;
const testsPerSubmission = 20;

const execFileAsync = promisify(execFile);
const python = '/usr/bin/python3';
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const load = () => loadavg()[0]!.toFixed(1);

// ---- the systems under test -------------------------------------------------------------------

/** One system: a trivial Python run, and a C submission compiled once with its tests. */
interface System {
  name: string;
  python(): Promise<void>;
  cSubmission(): Promise<void>;
  /** CPU used so far by this system (judge or server, and the sandboxes), in ns; null if unknown. */
  cpuNs(): number | null;
  /** Only in the C workload (the Docker row of issue 16's table). */
  cOnly?: boolean;
}

const pythonSource = 'print(1)\n';
const cSource = '#include <stdio.h>\nint main(void) { int x; if (scanf("%d", &x) != 1) return 1; printf("%d\\n", x * 2); return 0; }\n';
const cTests = Array.from({ length: testsPerSubmission }, (_, i) => ({ input: `${i}\n`, expectedOutput: `${i * 2}\n` }));
// judgekit's own c language: the peer and the bare baseline compile with the same command.
const gccArgv = ['/usr/bin/gcc', '-O2', '-std=gnu17', '-pipe', '-o', 'main', 'main.c', '-lm'];
const runLimits: PeerLimits = { ...defaultLimits };
const compileLimits: PeerLimits = { ...defaultCompileLimits };

const expect = (ok: boolean, what: string) => {
  if (!ok) throw new Error(what);
};

/** judgekit's HTTP server in a process of its own (jk-server.ts), like its peer. */
async function startJudgekitServer(): Promise<{ base: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./jk-server.ts', import.meta.url)), '2'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)\n/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the judgekit server exited with ${code}`)));
  });
  return {
    base,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function bareSystem(): System & { cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'judgekit-bench-peers-'));
  writeFileSync(join(dir, 'main.py'), pythonSource);
  writeFileSync(join(dir, 'main.c'), cSource);
  const runWithStdin = (file: string, args: string[], stdin: string, cwd: string) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(file, args, { cwd }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
      child.stdin!.end(stdin);
    });
  let n = 0;
  return {
    name: 'bare',
    async python() {
      const { stdout } = await execFileAsync(python, ['-B', 'main.py'], { cwd: dir });
      expect(stdout === '1\n', `bare python printed ${JSON.stringify(stdout)}`);
    },
    async cSubmission() {
      const sub = join(dir, `c${n++}`);
      mkdirSync(sub);
      writeFileSync(join(sub, 'main.c'), cSource);
      await execFileAsync(gccArgv[0]!, gccArgv.slice(1), { cwd: sub });
      for (const t of cTests) expect((await runWithStdin('./main', [], t.input, sub)) === t.expectedOutput, 'bare C gave a wrong answer');
      rmSync(sub, { recursive: true, force: true });
    },
    cpuNs: () => treeCpuNs('self', true),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function goJudgeSystem(peer: GoJudge): System {
  return {
    name: 'go-judge',
    async python() {
      const r = await peer.run({ args: [python, '-B', 'main.py'], limits: runLimits, copyIn: { 'main.py': { content: pythonSource } } });
      expect(r.status === 'Accepted' && r.files?.stdout === '1\n', `go-judge python: ${JSON.stringify(r)}`);
    },
    async cSubmission() {
      const compiled = await peer.run({
        args: gccArgv,
        limits: compileLimits,
        copyIn: { 'main.c': { content: cSource } },
        copyOutCached: ['main'],
      });
      const id = compiled.fileIds?.main;
      expect(compiled.status === 'Accepted' && id !== undefined, `go-judge compile: ${JSON.stringify(compiled)}`);
      try {
        // go-judge has no compile-once-run-many submission: each test is its own /run, one after another.
        for (const t of cTests) {
          const r = await peer.run({ args: ['./main'], stdin: t.input, limits: runLimits, copyIn: { main: { fileId: id! } } });
          expect(r.status === 'Accepted' && r.files?.stdout === t.expectedOutput, `go-judge C test: ${JSON.stringify(r)}`);
        }
      } finally {
        await peer.deleteFile(id!);
      }
    },
    cpuNs: () => peer.cpuNs(),
  };
}

function judgekitSystems(judge: Judge, server: { base: string; pid: number }): [System, System] {
  const { base } = server;
  const pythonInput: SubmissionInput = { language: 'python3', source: pythonSource };
  const cInput: SubmissionInput = { language: 'c', source: cSource, tests: cTests };
  const post = async (input: SubmissionInput): Promise<string> => {
    const r = await fetch(`${base}/v1/submissions?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await r.json()) as { verdict: string; tests?: { stdout?: string }[] };
    expect(r.status === 200, `POST /v1/submissions answered ${r.status}: ${JSON.stringify(body)}`);
    return body.verdict;
  };
  return [
    {
      name: 'judgekit /v1',
      async python() {
        const verdict = await post(pythonInput);
        expect(verdict === 'accepted', `judgekit /v1 python: ${verdict}`);
      },
      async cSubmission() {
        const verdict = await post(cInput);
        expect(verdict === 'accepted', `judgekit /v1 C: ${verdict}`);
      },
      cpuNs: () => treeCpuNs(server.pid),
    },
    {
      name: 'judgekit in-process',
      async python() {
        const result = await judge.run(pythonInput);
        expect(result.verdict === 'accepted' && result.tests[0]?.stdout === '1\n', `judgekit python: ${result.verdict}`);
      },
      async cSubmission() {
        const result = await judge.run(cInput);
        expect(result.verdict === 'accepted', `judgekit C: ${result.verdict}`);
      },
      cpuNs: () => treeCpuNs('self'),
    },
  ];
}

/** judgekit on Docker + gVisor, in process (`--docker`): the C workload only. */
async function dockerSystem(): Promise<{ system: System; close(): Promise<void> } | { absent: string }> {
  const { DockerRunner } = await import('@judgekit/runner-docker');
  const runner = new DockerRunner();
  const health = await runner.health();
  if (!health.ready) {
    await runner.close();
    return { absent: health.problems.map((p) => p.message).join('; ') };
  }
  const judge = new Judge({ runner, concurrency: 2, maxQueued: 100_000 });
  return {
    system: {
      name: 'judgekit docker',
      cOnly: true,
      python: () => Promise.reject(new Error('not measured')),
      async cSubmission() {
        const result = await judge.run({ language: 'c', source: cSource, tests: cTests });
        expect(result.verdict === 'accepted', `judgekit docker C: ${result.verdict} ${result.message ?? ''}`);
      },
      cpuNs: () => null,
    },
    close: () => judge.close(),
  };
}

// ---- measurement ------------------------------------------------------------------------------

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Runs `count` jobs, at most `concurrency` at once; returns seconds. */
async function burst(count: number, concurrency: number, job: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await job();
    }),
  );
  return (performance.now() - started) / 1000;
}

/** Every system in turn, the order rotated each round so that none always goes first. */
const rotated = <T>(xs: T[], round: number): T[] => xs.map((_, i) => xs[(i + round) % xs.length]!);

interface Figures {
  latency: number[];
  throughputSeconds: number;
  throughputCpuNs: number;
  throughputCpuKnown: boolean;
  c: number[];
}

async function main(): Promise<void> {
  console.log(
    `bench/peers${quick ? ' (quick)' : ''}: ${new Date().toISOString()}, node ${process.version}, ` +
      `${availableParallelism()} CPUs, load average ${load()} at start\n`,
  );

  const peer = await startPeer({ build: !values['no-build'], log: (l) => console.log(l) });

  const runner = new NsjailRunner();
  const health = await runner.health();
  if (!health.ready) {
    console.error(`nsjail is not ready: ${health.problems.map((p) => `${p.message} (fix: ${p.fix ?? '-'})`).join('; ')}`);
    process.exit(1);
  }
  const judge = new Judge({ runner, concurrency: 2, maxQueued: 100_000 });
  const server = await startJudgekitServer();
  const bare = bareSystem();
  const systems: System[] = [bare, ...(peer ? [goJudgeSystem(peer)] : []), ...judgekitSystems(judge, server)];
  let docker: { close(): Promise<void> } | null = null;
  if (values.docker) {
    const made = await dockerSystem();
    if ('absent' in made) console.log(`judgekit docker: ABSENT: ${made.absent}`);
    else {
      systems.push(made.system);
      docker = made;
    }
  }
  const pythonSystems = systems.filter((s) => !s.cOnly);
  console.log(
    `judgekit: nsjail runner (warm jail: ${health.details['warm jail'] ?? '?'}), Judge concurrency 2; /v1 served by process ${server.pid} at ${server.base}\n`,
  );

  const figures = new Map<System, Figures>(
    systems.map((s) => [s, { latency: [], throughputSeconds: 0, throughputCpuNs: 0, throughputCpuKnown: true, c: [] }]),
  );
  try {
    // Warm-up: page cache, the runner's launcher pool and supervisor build, go-judge's prefork;
    // then the same burst for every system, so the judge's JavaScript is in its steady state: V8's
    // optimising compiler keeps working through the first several hundred submissions (about 1 ms
    // of CPU per run until then, measured), which a long-running judge pays once. go-judge is
    // compiled ahead of time.
    for (const s of systems) {
      if (!s.cOnly) for (let i = 0; i < 5; i++) await s.python();
      await s.cSubmission();
    }
    for (const s of pythonSystems) await burst(warmupRuns, 2, () => s.python());

    // 1. Latency: sequential trivial Python runs, one of each system per round.
    for (let round = 0; round < latencyRuns; round++) {
      for (const s of rotated(pythonSystems, round)) figures.get(s)!.latency.push(await timed(() => s.python()));
    }

    // 2. Throughput: trivial Python at concurrency 2, in slices of 25 per system, rotated.
    const slice = Math.min(25, throughputRuns);
    for (let done = 0, round = 0; done < throughputRuns; done += slice, round++) {
      const count = Math.min(slice, throughputRuns - done);
      for (const s of rotated(pythonSystems, round)) {
        const f = figures.get(s)!;
        const cpuBefore = s.cpuNs();
        f.throughputSeconds += await burst(count, 2, () => s.python());
        const cpuAfter = s.cpuNs();
        if (cpuBefore === null || cpuAfter === null) f.throughputCpuKnown = false;
        else f.throughputCpuNs += cpuAfter - cpuBefore;
      }
    }

    // 3. C compiled once + 20 tests, sequential.
    for (let round = 0; round < cReps; round++) {
      for (const s of rotated(systems, round)) figures.get(s)!.c.push(await timed(() => s.cSubmission()));
    }
  } finally {
    await server.stop();
    await judge.close();
    await docker?.close();
    await peer?.stop();
    bare.cleanup();
  }

  // ---- report ----------------------------------------------------------------------------------
  const col = (s: string) => s.padStart(20);
  const header = (what: string) => console.log(`${what.padEnd(46)}${systems.map((s) => col(s.name)).join('')}`);
  const row = (what: string, values: string[]) => console.log(`${what.padEnd(46)}${values.map(col).join('')}`);
  const of = (s: System) => figures.get(s)!;
  header('workload');
  row(
    `trivial Python, p50 of ${latencyRuns} sequential (ms)`,
    systems.map((s) => (s.cOnly ? '—' : fmt(median(of(s).latency)))),
  );
  row(
    '  p90 (ms)',
    systems.map((s) => (s.cOnly ? '—' : fmt(percentile(of(s).latency, 90)))),
  );
  row(
    `${throughputRuns} trivial Python at concurrency 2 (runs/s)`,
    systems.map((s) => (s.cOnly ? '—' : fmt(throughputRuns / of(s).throughputSeconds))),
  );
  row(
    '  CPU per run (ms)',
    systems.map((s) => (s.cOnly ? '—' : of(s).throughputCpuKnown ? fmt(of(s).throughputCpuNs / 1e6 / throughputRuns) : '?')),
  );
  row(
    `C compiled once + ${testsPerSubmission} tests, median of ${cReps} (ms)`,
    systems.map((s) => fmt(median(of(s).c), 0)),
  );
  row(
    '  fastest (ms)',
    systems.map((s) => fmt(Math.min(...of(s).c), 0)),
  );
  console.log(
    '\nCPU per run: bare = the spawned processes; go-judge = its server process and its sandboxes (cgroups); judgekit /v1 = ' +
      "its server process and that process's children; judgekit in-process = this process and its children. No column counts the HTTP client.",
  );

  console.log('\nratios (lower is faster; throughput: higher is faster)');
  const ratioLine = (what: string, value: number, target: string, ok: boolean | null) =>
    console.log(`${ok === null ? 'INFO' : ok ? 'PASS' : 'MISS'}  ${what.padEnd(64)} ${`${fmt(value, 2)}×`.padStart(8)}   ${target}`);
  const goJudge = systems.find((s) => s.name === 'go-judge');
  for (const jk of pythonSystems.filter((s) => s.name.startsWith('judgekit'))) {
    const latency = median(of(jk).latency);
    const rate = throughputRuns / of(jk).throughputSeconds;
    const c = median(of(jk).c);
    ratioLine(
      `${jk.name}: Python p50 / bare`,
      latency / median(of(bare).latency),
      'target ≤ 1.2',
      latency / median(of(bare).latency) <= 1.2,
    );
    if (goJudge) {
      const r1 = latency / median(of(goJudge).latency);
      const r2 = rate / (throughputRuns / of(goJudge).throughputSeconds);
      const r3 = c / median(of(goJudge).c);
      ratioLine(`${jk.name}: Python p50 / go-judge`, r1, 'target ≤ 0.85', r1 <= 0.85);
      ratioLine(`${jk.name}: throughput at concurrency 2 / go-judge`, r2, 'target ≥ 1.0 (stretch 1.2)', r2 >= 1.0);
      ratioLine(`${jk.name}: C compile + ${testsPerSubmission} tests / go-judge`, r3, 'target ≤ 0.6', r3 <= 0.6);
    }
    ratioLine(`${jk.name}: throughput / bare`, rate / (throughputRuns / of(bare).throughputSeconds), '', null);
    ratioLine(`${jk.name}: C compile + ${testsPerSubmission} tests / bare`, c / median(of(bare).c), '', null);
  }
  const dockerRow = systems.find((s) => s.name === 'judgekit docker');
  const nsjailRow = systems.find((s) => s.name === 'judgekit in-process');
  if (dockerRow && nsjailRow) {
    const r = median(of(dockerRow).c) / median(of(nsjailRow).c);
    ratioLine(`judgekit docker: C compile + ${testsPerSubmission} tests / nsjail in-process`, r, 'target ≤ 3.0', r <= 3);
    if (goJudge)
      ratioLine('judgekit docker: C compile + tests / go-judge (no gVisor)', median(of(dockerRow).c) / median(of(goJudge).c), '', null);
  }
  if (goJudge) {
    ratioLine('go-judge: Python p50 / bare', median(of(goJudge).latency) / median(of(bare).latency), '', null);
    ratioLine('go-judge: C compile + tests / bare', median(of(goJudge).c) / median(of(bare).c), '', null);
  } else {
    console.log('\nthe peer is absent: the go-judge ratios were not measured (judgekit and bare figures above are).');
  }
  console.log(`\nload average ${load()} at the end (other work on the machine shares its ${availableParallelism()} CPUs)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
