// bench/http: the HTTP layer's cost. (1) GET /v1/submissions/:id of a stored result, requests per
// second with autocannon, beside GET /healthz (the cheapest route) measured in the same run. The
// headline uses Fastify's published benchmark method (100 connections, 10 pipelined requests
// each): on a 2-CPU machine a non-pipelined autocannon needs about as much CPU per request as the
// server, so it, not the server, sets the figure (a profile shows the server half idle). The
// non-pipelined figure and the server's requests per CPU-second are printed beside it;
// (2) POST /v1/submissions?wait=true latency for a trivial Python program with the nsjail sandbox,
// against Judge.run in process for the same program, interleaved in the same run (the client is
// node:http on a kept-alive connection, not fetch, whose own parsing would be most of the gap).
//
//   node --import tsx bench/http/index.ts [--seconds 5] [--runs 200] [--warmup 300] [--connections 100] [--pipelining 10]
import { execFile } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createServer } from '@judgekit/http-adapter';
import { NsjailRunner } from '@judgekit/runner-nsjail';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '300' },
    connections: { type: 'string', default: '100' },
    pipelining: { type: 'string', default: '10' },
  },
});
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const warmupRuns = Number(values.warmup);
const connections = Number(values.connections);
const pipelining = Number(values.pipelining);

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const line = (what: string, figure: string, target: string, ok: boolean | null) =>
  console.log(`${ok === null ? 'INFO' : ok ? 'PASS' : 'MISS'}  ${what.padEnd(62)} ${figure.padStart(16)}   ${target}`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const runner = new NsjailRunner();
const health = await runner.health();
if (!health.ready) {
  console.error(`nsjail is not ready: ${health.problems.map((p) => `${p.message} (fix: ${p.fix ?? '-'})`).join('; ')}`);
  process.exit(1);
}
// Production settings, minus the rate limit (it would answer 429 to the benchmark) and request logs.
const server = await createServer({
  runner,
  port: 0,
  host: '127.0.0.1',
  logger: false,
  rateLimit: false,
  judgeOptions: { concurrency: 1 },
});
const base = await server.listen();
const program = { language: 'python3', source: 'print(1)' };

// node:http on one kept-alive connection: fetch (undici) costs about 0.4 ms more per request on
// its own side (measured with a timing hook on each side), which is the client's, not the server's.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const programBody = JSON.stringify(program);
function post(): Promise<{ id: string; verdict: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/v1/submissions?wait=true`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(programBody) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`POST answered ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text) as { id: string; verdict: string });
        });
      },
    );
    req.on('error', reject);
    req.end(programBody);
  });
}

const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/**
 * autocannon in its own process, so the load generator and the server use different cores and
 * this process's CPU time is the server's alone: requests per CPU-second of the server is a figure
 * that other load on the machine does not move much.
 */
async function cannon(path: string, pipelined = pipelining): Promise<{ rps: number; perCoreRps: number; p99: number; errors: number }> {
  const before = process.cpuUsage();
  const json = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [autocannonBin, '-j', '-c', String(connections), '-p', String(pipelined), '-d', String(seconds), `${base}${path}`],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    ),
  );
  const cpu = process.cpuUsage(before);
  const result = JSON.parse(json) as {
    requests: { average: number; total: number };
    latency: { p99: number };
    errors: number;
    non2xx: number;
  };
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    rps: result.requests.average,
    perCoreRps: result.requests.total / cpuSeconds,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

const load = () => loadavg()[0]!.toFixed(1);
console.log(
  `bench/http  (nsjail runner, ${connections} connections × ${pipelining} pipelined, median of 3 rounds of ${seconds} s, ${runs} interleaved runs after ${warmupRuns} of each; ` +
    `${availableParallelism()} CPUs, load average ${load()} at start)\n`,
);

// 1. Reads of a stored result.
const stored = await post();
if (stored.verdict !== 'accepted') throw new Error(`the stored submission was ${stored.verdict}`);
await cannon('/healthz'); // warm-up
// Alternating rounds, so that other load on the machine hits the figure and its baseline alike.
const rounds: { baseline: Awaited<ReturnType<typeof cannon>>; read: Awaited<ReturnType<typeof cannon>> }[] = [];
for (let i = 0; i < 3; i++) rounds.push({ baseline: await cannon('/healthz'), read: await cannon(`/v1/submissions/${stored.id}`) });
const middle = <T extends { rps: number }>(xs: T[]): T => [...xs].sort((p, q) => p.rps - q.rps)[Math.floor(xs.length / 2)]!;
const baseline = middle(rounds.map((r) => r.baseline));
const read = middle(rounds.map((r) => r.read));
line('GET /healthz (baseline, same run)', `${fmt(baseline.rps)} rps`, `p99 ${baseline.p99} ms`, null);
line('GET /v1/submissions/:id of a stored result', `${fmt(read.rps)} rps`, 'target ≥ 10,000 rps', read.rps >= 10_000);
line('  ratio to the baseline', `${fmt(read.rps / baseline.rps, 2)}×`, `p99 ${read.p99} ms, errors ${read.errors}`, null);
line('  per CPU-second of the server (baseline /healthz)', `${fmt(read.perCoreRps)} rps`, `${fmt(baseline.perCoreRps)} rps`, null);
// The same read without pipelining, one request in flight per connection (for the record).
const plain = middle([await cannon(`/v1/submissions/${stored.id}`, 1), await cannon(`/v1/submissions/${stored.id}`, 1)]);
line(
  `  without pipelining (${connections} connections, 1 in flight each)`,
  `${fmt(plain.rps)} rps`,
  `server ${fmt(plain.perCoreRps)} rps per CPU-second`,
  null,
);

// 2. Latency of one trivial submission over HTTP vs in process, interleaved so noise hits both alike.
// Warm-up first, the same for both: V8 compiles the judge's and the server's JavaScript as it
// runs, its optimising compiler through the first several hundred submissions (measured), which a
// long-running server pays once; the figures are its steady state.
for (let i = 0; i < warmupRuns; i++) {
  await post();
  await server.judge.run(program);
}
const http: number[] = [];
const inProcess: number[] = [];
const timed = async <T>(fn: () => Promise<T>, into: number[]): Promise<T> => {
  const t = performance.now();
  const value = await fn();
  into.push(performance.now() - t);
  return value;
};
for (let i = 0; i < runs; i++) {
  // Alternate which goes first, so a slow drift of the machine does not favour either.
  const first = i % 2 === 0 ? () => timed(post, http) : () => timed(() => server.judge.run(program), inProcess);
  const second = i % 2 === 0 ? () => timed(() => server.judge.run(program), inProcess) : () => timed(post, http);
  const a = await first();
  const b = await second();
  if (a.verdict !== 'accepted' || b.verdict !== 'accepted') throw new Error('a trivial program was not accepted');
}
const ratio = median(http) / median(inProcess);
const paired = median(http.map((h, i) => h / inProcess[i]!));
line(
  'Judge.run in process, print(1) (baseline, same run)',
  `${fmt(median(inProcess), 1)} ms`,
  `p90 ${fmt(percentile(inProcess, 90), 1)} ms`,
  null,
);
line('POST /v1/submissions?wait=true, print(1)', `${fmt(median(http), 1)} ms`, `p90 ${fmt(percentile(http, 90), 1)} ms`, null);
line('  ratio HTTP / in process (medians)', `${fmt(ratio, 3)}×`, 'target ≤ 1.1', ratio <= 1.1);
line('  ratio HTTP / in process (median of paired runs, robust to drift)', `${fmt(paired, 3)}×`, 'target ≤ 1.1', paired <= 1.1);

console.log(`\nload average ${load()} at the end (other work on the machine shares its ${availableParallelism()} CPUs)`);
agent.destroy();
await server.close();
