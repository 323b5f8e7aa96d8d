// bench/sessions: live sessions through real nsjail sandboxes, against baselines measured in the
// same run on the same machine. Needs root and nsjail (scripts/setup/nsjail.sh).
//   node --import tsx bench/sessions/index.ts [--quick]
// 1. keystroke-to-echo: a byte sent over /v1/sessions reaches the program's terminal in the
//    sandbox and its echo comes back over the WebSocket (target p50 ≤ 5 ms); baseline: the same
//    WebSocket round trip to an echo route in the same server, without a sandbox.
// 2. start-to-prompt: judge.session() until a Python program's input() prompt shows, against a
//    lone judge.run() of the same program (target ≤ 1.5×); a bare python3 spawn for scale.
// 3. 50 sessions at once: all start, all answer a keystroke, all end.
// 4. Docker (gVisor): 1 and 2 again on the Docker runner, each against baselines of its own run
//    (the same echo route; a lone Docker judge.run of the same program). Skipped without Docker.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from '@judgekit/http-adapter';
import { DockerRunner } from '@judgekit/runner-docker';
import { NsjailRunner } from '@judgekit/runner-nsjail';
import WebSocket, { WebSocketServer } from 'ws';

const run = promisify(execFile);
const quick = process.argv.includes('--quick');
const scale = (n: number) => (quick ? Math.max(10, Math.round(n / 10)) : n);
const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const line = (what: string, figure: string, baseline: string, target: string, ok: boolean) =>
  console.log(`${ok ? 'PASS' : 'MISS'}  ${what.padEnd(40)} ${figure.padStart(14)}  baseline ${baseline.padStart(14)}   target ${target}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** A WebSocket whose next message matching `test` can be awaited. */
async function client(url: string) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let waiter: { test: (m: Record<string, unknown>) => boolean; resolve: () => void } | null = null;
  socket.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Record<string, unknown>;
    if (waiter?.test(m)) {
      const w = waiter;
      waiter = null;
      w.resolve();
    }
  });
  return {
    socket,
    next(test: (m: Record<string, unknown>) => boolean): Promise<void> {
      return new Promise((resolve) => (waiter = { test, resolve }));
    },
  };
}

/** Keystroke-to-echo and start-to-prompt on one server, each against its baseline of the same run. */
async function figures(
  label: string,
  server: Awaited<ReturnType<typeof createServer>>,
  base: string,
  echoUrl: string,
  keys: number,
  starts: number,
): Promise<{ lone: number[] }> {
  // 1. Keystrokes, interleaved with the baseline so both see the same load.
  const session = await client(`${base}/v1/sessions`);
  const started = session.next((m) => m.type === 'data' && String(m.data).includes('ready'));
  session.socket.send(JSON.stringify({ type: 'start', language: 'python3', tty: true, source: 'print("ready", flush=True)\ninput()\n' }));
  await started;
  const bare = await client(echoUrl);
  const viaSandbox: number[] = [];
  const viaEcho: number[] = [];
  for (let i = 0; i < keys; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    let t = performance.now();
    let got = session.next((m) => m.type === 'data' && m.data === key);
    session.socket.send(JSON.stringify({ type: 'stdin', data: key }));
    await got;
    viaSandbox.push(performance.now() - t);
    t = performance.now();
    got = bare.next((m) => m.data === key);
    bare.socket.send(JSON.stringify({ type: 'stdin', data: key }));
    await got;
    viaEcho.push(performance.now() - t);
  }
  session.socket.close();
  bare.socket.close();
  line(
    `${label}keystroke-to-echo p50 (${keys} keys)`,
    `${fmt(median(viaSandbox))} ms`,
    `${fmt(median(viaEcho))} ms`,
    '≤ 5 ms',
    median(viaSandbox) <= 5,
  );
  console.log(`      p90 ${fmt(p(viaSandbox, 0.9))} ms, p99 ${fmt(p(viaSandbox, 0.99))} ms (baseline p90 ${fmt(p(viaEcho, 0.9))} ms)`);

  // 2. Start to the first prompt, against a lone run of the same program; interleaved.
  const source = 'name = input("name? ")\nprint("hi", name)\n';
  const toPrompt: number[] = [];
  const lone: number[] = [];
  const barePython: number[] = [];
  for (let i = 0; i < starts + 2; i++) {
    let t = performance.now();
    const s = await server.judge.session({ language: 'python3', source, tty: true });
    for await (const e of s) {
      if (e.type === 'data' && e.data.includes('name? ')) break;
    }
    const prompt = performance.now() - t;
    s.kill();
    await s.exit;
    t = performance.now();
    const result = await server.judge.run({ language: 'python3', source, stdin: 'ada\n' });
    const alone = performance.now() - t;
    if (result.verdict !== 'accepted') throw new Error(`lone run: ${result.verdict} ${result.message}`);
    t = performance.now();
    await run('/usr/bin/python3', ['-c', 'pass']);
    const py = performance.now() - t;
    if (i < 2) continue; // warm-up
    toPrompt.push(prompt);
    lone.push(alone);
    barePython.push(py);
  }
  const ratio = median(toPrompt) / median(lone);
  line(
    `${label}start-to-prompt, Python (${starts} runs)`,
    `${fmt(median(toPrompt), 1)} ms`,
    `${fmt(median(lone), 1)} ms`,
    '≤ 1.5× a lone run',
    ratio <= 1.5,
  );
  console.log(`      ratio ${fmt(ratio)}×; bare python3 -c pass ${fmt(median(barePython), 1)} ms`);

  return { lone };
}

async function main(): Promise<void> {
  console.log(`bench/sessions${quick ? ' (quick)' : ''}: ${new Date().toISOString()}, node ${process.version}\n`);
  const server = await createServer({
    runner: new NsjailRunner(),
    port: 0,
    host: '127.0.0.1',
    logger: false,
    rateLimit: false,
    judgeOptions: { sessions: { maxPerKey: 64 } },
  });
  const base = (await server.listen()).replace(/^http/, 'ws');
  const echo = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  echo.on('connection', (s) => s.on('message', (d) => s.send(JSON.stringify({ type: 'data', data: JSON.parse(d.toString()).data }))));
  await new Promise((resolve) => echo.once('listening', resolve));
  const echoUrl = `ws://127.0.0.1:${(echo.address() as { port: number }).port}`;

  const { lone } = await figures('', server, base, echoUrl, scale(300), scale(30));
  // 3. Fifty at once.
  const many = quick ? 20 : 50;
  const t0 = performance.now();
  const clients = await Promise.all(Array.from({ length: many }, () => client(`${base}/v1/sessions`)));
  await Promise.all(
    clients.map((c) => {
      const ready = c.next((m) => m.type === 'data' && String(m.data).includes('ready'));
      c.socket.send(JSON.stringify({ type: 'start', language: 'python3', tty: true, source: 'print("ready", flush=True)\ninput()\n' }));
      return ready;
    }),
  );
  const allStarted = performance.now() - t0;
  const echoes: number[] = [];
  await Promise.all(
    clients.map(async (c) => {
      const t = performance.now();
      const got = c.next((m) => m.type === 'data' && m.data === 'z');
      c.socket.send(JSON.stringify({ type: 'stdin', data: 'z' }));
      await got;
      echoes.push(performance.now() - t);
    }),
  );
  const ended = clients.map((c) => new Promise((resolve) => c.socket.once('close', resolve)));
  for (const c of clients) c.socket.send(JSON.stringify({ type: 'stdin', data: '\r' }));
  await Promise.all(ended);
  line(`${many} sessions: all started`, `${fmt(allStarted, 0)} ms`, `${fmt(median(lone), 1)} ms`, 'all respond', true);
  console.log(
    `      a keystroke with ${many} live: p50 ${fmt(median(echoes))} ms, max ${fmt(Math.max(...echoes))} ms; running after: ${server.judge.runningSessions}`,
  );

  await server.close();

  // 4. The same figures on Docker (gVisor): a session is a step of the container's supervisor.
  const docker = new DockerRunner({ pool: { size: 2, languages: ['python3'] } });
  const dockerReady = await docker.health().then(
    (h) => h.ready && /python3=/.test(h.details.images ?? ''),
    () => false,
  );
  if (dockerReady) {
    console.log('');
    const dockerServer = await createServer({
      runner: docker,
      port: 0,
      host: '127.0.0.1',
      logger: false,
      rateLimit: false,
      judgeOptions: { sessions: { maxPerKey: 64 } },
    });
    const dockerBase = (await dockerServer.listen()).replace(/^http/, 'ws');
    await figures('docker: ', dockerServer, dockerBase, echoUrl, scale(200), scale(15));
    await dockerServer.close();
  } else {
    await docker.close();
    console.log('\ndocker: skipped (no Docker engine with runsc and judgekit/python3 here)');
  }
  echo.close();
}

await main();
