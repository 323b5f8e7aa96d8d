// bench/cluster: judgekit's cluster mode on a redis-server of its own (AOF on, appendfsync everysec).
//   1. With an instant FakeRunner, submissions per second through Redis (an API-only judge in this
//      process, worker processes consuming the BullMQ queue) with 1 and with 2 worker processes,
//      beside the in-process judge: target at least 2,000/s with 2 workers;
//   2. the added submit→done p50 of one submission at a time over the in-process judge: target at most 3 ms;
//   3. with nsjail, trivial Python through HTTP: an API-only `judgekit serve --redis-url` with two
//      `judgekit worker` processes against the single-process `judgekit serve`, same total
//      concurrency, in the same run: target at least 0.9x.
//   node --import tsx bench/cluster/index.ts [--quick]
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FakeRunner, Judge, type SubmissionInput } from '@judgekit/core';
import { openRedisBackend } from '@judgekit/redis';
import { startTestRedis } from '@judgekit/redis/testing';

const quick = process.argv.includes('--quick');
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fake-worker.ts', import.meta.url));
const bin = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const line = (what: string, figure: string, target: string, ok: boolean | null) =>
  console.log(`${ok === null ? '    ' : ok ? 'PASS' : 'MISS'}  ${what.padEnd(66)} ${figure.padStart(12)}   ${target}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const children: ChildProcess[] = [];
const start = async (args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess & { out: () => string }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start`)), 120_000);
    const check = () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
  return Object.assign(child, { out: () => out });
};
const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
};

const input: SubmissionInput = { language: 'python3', source: 'print(1)', tests: [{ input: '', expectedOutput: '1\n' }] };

/** Submissions per second: `count` submitted at once, then all waited for. */
async function throughput(judge: Judge, count: number): Promise<number> {
  for (let i = 0; i < 50; i++) await judge.run(input);
  const started = performance.now();
  const ids: string[] = [];
  // Submitted in waves, as many clients would: the queue is never empty, and never all at once.
  for (let i = 0; i < count; i += 500)
    ids.push(...(await Promise.all(Array.from({ length: Math.min(500, count - i) }, () => judge.submit(input)))));
  const results = await Promise.all(ids.map((id) => judge.wait(id)));
  const seconds = (performance.now() - started) / 1000;
  const bad = results.find((r) => r.verdict !== 'accepted');
  if (bad) throw new Error(`not accepted: ${bad.verdict} ${bad.message}`);
  return count / seconds;
}

/** p50 of submit→done, one at a time, in ms. */
async function latencyP50(judge: Judge, count: number): Promise<number> {
  for (let i = 0; i < 30; i++) await judge.run(input);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await judge.run(input);
    times.push(performance.now() - t);
  }
  return median(times);
}

const redis = await startTestRedis();
try {
  console.log(`bench/cluster on ${availableParallelism()} CPUs, redis-server ${redis.url} (AOF everysec)${quick ? ', quick' : ''}`);
  const count = quick ? 3000 : 10_000;

  // --- baseline: the in-process judge with the same instant runner -------------------------
  const local = new Judge({ runner: new FakeRunner({ program: () => ({ stdout: '1\n' }) }), concurrency: 32, maxQueued: 1_000_000 });
  const localRate = await throughput(local, count);
  const localP50 = await latencyP50(local, quick ? 200 : 500);
  await local.close();

  // --- 1 and 2: through Redis, with one and two worker processes --------------------------
  const cluster = async (workers: number, prefix: string) => {
    const api = await openRedisBackend({ url: redis.url, role: 'api', prefix });
    const judge = new Judge({ concurrency: 0, queue: api.queue, store: api.store, bus: api.bus, maxQueued: 1_000_000 });
    const procs = await Promise.all(
      Array.from({ length: workers }, () => start([fixture], { REDIS_URL: redis.url, PREFIX: prefix, CONCURRENCY: '32' }, /ready/)),
    );
    const rate = await throughput(judge, count);
    const p50 = workers === 1 ? await latencyP50(judge, quick ? 200 : 500) : null;
    await judge.close();
    await api.close();
    await Promise.all(procs.map(stop));
    return { rate, p50 };
  };
  const one = await cluster(1, 'bench1');
  const two = await cluster(2, 'bench2');

  console.log('\ninstant FakeRunner (submitted in waves of 500, then all waited for):');
  line('in-process judge (baseline)', `${fmt(localRate)}/s`, '', null);
  line('through Redis, 1 worker process', `${fmt(one.rate)}/s`, `${fmt(one.rate / localRate, 2)}x baseline`, null);
  line(
    'through Redis, 2 worker processes',
    `${fmt(two.rate)}/s`,
    `target >= 2,000/s (${fmt(two.rate / localRate, 2)}x baseline)`,
    two.rate >= 2000,
  );
  line('submit→done p50, in-process judge (baseline)', `${fmt(localP50, 2)} ms`, '', null);
  line('submit→done p50, through Redis (1 worker)', `${fmt(one.p50!, 2)} ms`, '', null);
  line('added submit→done p50 over the in-process judge', `${fmt(one.p50! - localP50, 2)} ms`, 'target <= 3 ms', one.p50! - localP50 <= 3);

  // --- 3: nsjail, trivial Python over HTTP -------------------------------------------------
  const total = Math.max(2, availableParallelism());
  const perWorker = Math.max(1, Math.floor(total / 2));
  const python = quick ? 60 : 200;
  const http = async (base: string) => {
    const post = () =>
      fetch(`${base}/v1/submissions?wait=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'python3', source: 'print(1)', tests: [{ expectedOutput: '1\n' }] }),
      }).then(async (r) => ((await r.json()) as { verdict: string }).verdict);
    for (let i = 0; i < 6; i++) await post();
    let next = 0;
    const verdicts: string[] = [];
    const started = performance.now();
    // 4 clients per judging slot keep the queue full.
    await Promise.all(
      Array.from({ length: total * 4 }, async () => {
        while (next++ < python) verdicts.push(await post());
      }),
    );
    const rate = python / ((performance.now() - started) / 1000);
    if (verdicts.some((v) => v !== 'accepted')) throw new Error(`not accepted: ${verdicts.find((v) => v !== 'accepted')}`);
    return rate;
  };
  const listening = /"address":"(http:\/\/[^"]+)"[^\n]*"msg":"listening"/;
  const serveArgs = ['serve', '--port', '0', '--runner', 'nsjail', '--rate-limit', '0', '--log-level', 'info', '--log-format', 'json'];
  const single = await start([bin, ...serveArgs, '--concurrency', String(total)], {}, listening);
  const singleRate = await http(listening.exec(single.out())![1]!);
  await stop(single);
  const apiNode = await start(
    [bin, ...serveArgs, '--concurrency', '0', '--redis-url', redis.url, '--redis-prefix', 'bench3'],
    {},
    listening,
  );
  const workers = await Promise.all(
    [0, 1].map(() =>
      start(
        [bin, 'worker', '--redis-url', redis.url, '--redis-prefix', 'bench3', '--runner', 'nsjail', '--concurrency', String(perWorker)],
        {},
        /"msg":"worker ready"/,
      ),
    ),
  );
  const clusterRate = await http(listening.exec(apiNode.out())![1]!);
  await Promise.all([stop(apiNode), ...workers.map(stop)]);
  console.log(`\ntrivial Python in nsjail over HTTP, ${python} submissions, ${total} judged at once in all:`);
  line('single-process judgekit serve (baseline)', `${fmt(singleRate, 1)}/s`, '', null);
  line(
    `API node + 2 workers (${perWorker} each) on Redis`,
    `${fmt(clusterRate, 1)}/s`,
    `target >= 0.9x (${fmt(clusterRate / singleRate, 2)}x)`,
    clusterRate / singleRate >= 0.9,
  );
} finally {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await redis.destroy();
}
