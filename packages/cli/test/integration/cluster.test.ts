import { once } from 'node:events';
import { startTestRedis, type TestRedis } from '@judgekit/redis/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, CliProcesses, partsReady, until } from './harness.js';

// A real cluster: one API-only `judgekit serve --redis-url` and two `judgekit worker` processes on a
// redis-server of this test's own (AOF on), judging in the real nsjail sandbox. Workers are
// SIGKILLed, the API node and Redis are restarted.
const procs = new CliProcesses();

async function startApi(redisUrl: string): Promise<{ proc: CliProcess; base: string }> {
  return procs.serve(['--concurrency', '0', '--redis-url', redisUrl, '--rate-limit', '0', '--log-format', 'json']);
}

async function startWorker(redisUrl: string): Promise<CliProcess> {
  const args = ['worker', '--redis-url', redisUrl, '--runner', 'nsjail', '--concurrency', '2', '--stall-timeout-ms', '2000'];
  return (await procs.start(args, /"msg":"worker ready"/, 'the worker ready')).proc;
}

const json = { 'content-type': 'application/json' };
type Result = {
  id: string;
  status: string;
  verdict: string | null;
  message: string | null;
  startedAt: string | null;
  tests: { stdout: string }[];
};

/** The submission ids a worker reported done (its JSON log lines). */
const doneBy = (proc: CliProcess) => new Set([...proc.out().matchAll(/"submissionId":"([^"]+)","verdict"/g)].map((m) => m[1]!));

const suite = (await partsReady({ redis: true })) ? describe : describe.skip;

suite('a cluster: API node and two workers on Redis', () => {
  let redis: TestRedis;
  let api: { proc: CliProcess; base: string };
  let workerA: CliProcess;
  let workerB: CliProcess;
  const submit = async (body: object): Promise<string> => {
    const r = await fetch(`${api.base}/v1/submissions`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    expect(r.status, await r.clone().text()).toBe(202);
    return ((await r.json()) as Result).id;
  };
  const get = async (id: string): Promise<Result> => (await (await fetch(`${api.base}/v1/submissions/${id}`)).json()) as Result;
  const finished = async (ids: string[], timeoutMs = 120_000) => {
    await until(
      async () => (await Promise.all(ids.map(get))).every((r) => r.status === 'done' || r.status === 'cancelled'),
      timeoutMs,
      'every submission finished',
    );
    return Promise.all(ids.map(get));
  };

  beforeAll(async () => {
    redis = await startTestRedis();
    [api, workerA, workerB] = await Promise.all([startApi(redis.url), startWorker(redis.url), startWorker(redis.url)]);
  });

  afterAll(async () => {
    procs.killAll();
    await Promise.all(procs.started.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : null)));
    await redis?.destroy();
  });

  it('lists both workers on GET /v1/workers', async () => {
    await until(
      async () => ((await (await fetch(`${api.base}/v1/workers`)).json()) as { workers: unknown[] }).workers.length === 2,
      20_000,
      'two workers',
    );
    const body = (await (await fetch(`${api.base}/v1/workers`)).json()) as { workers: Record<string, unknown>[]; workersAlive: number };
    expect(body.workersAlive).toBe(2);
    for (const w of body.workers) {
      expect(w).toMatchObject({ runner: 'nsjail', concurrency: 2, state: 'ready', host: expect.any(String), lastSeen: expect.any(String) });
    }
    expect(new Set(body.workers.map((w) => w.pid))).toEqual(new Set([workerA.pid, workerB.pid]));
  });

  it('judges 200 submissions through the seed API and /v1: all finish, on both workers, first in first out', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 2 === 0) {
        const r = await fetch(`${api.base}/execute`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ source_code: `print(${i})`, stdin_data: '' }),
        });
        expect(r.status).toBeLessThan(300);
        ids.push(((await r.json()) as { submission_id: string }).submission_id);
      } else {
        ids.push(await submit({ language: 'python3', source: `print(${i})` }));
      }
    }
    const results = await finished(ids, 180_000);
    results.forEach((r, i) => {
      expect(r, r.message ?? '').toMatchObject({ status: 'done', verdict: 'accepted' });
      expect(r.tests[0]!.stdout).toBe(`${i}\n`);
    });
    const seed = (await (await fetch(`${api.base}/result/${ids[0]}`)).json()) as { status: string };
    expect(seed.status).toBe('OK');
    // Both workers took a share, and each submission was judged once.
    const a = [...doneBy(workerA)].filter((id) => ids.includes(id));
    const b = [...doneBy(workerB)].filter((id) => ids.includes(id));
    expect(a.length).toBeGreaterThan(20);
    expect(b.length).toBeGreaterThan(20);
    expect(a.length + b.length).toBe(200);
    expect(new Set([...a, ...b]).size).toBe(200);
    // FIFO: a submission starts at most a few places (four slots in all) from its place in line.
    const order = results.map((r, i) => ({ i, at: Date.parse(r.startedAt!) })).sort((x, y) => x.at - y.at || x.i - y.i);
    const displacement = Math.max(...order.map((o, rank) => Math.abs(o.i - rank)));
    expect(displacement).toBeLessThanOrEqual(8);
  });

  it('streams a worker’s events over SSE on the API node', async () => {
    const id = await submit({
      language: 'python3',
      source: 'import time\ntime.sleep(0.5)\nprint(input())',
      tests: [{ input: 'a' }, { input: 'b' }],
    });
    const response = await fetch(`${api.base}/v1/submissions/${id}/events`);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await response.text();
    const types = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'test')).toHaveLength(2);
    expect(types).toContain('running');
    expect(text).toContain('"verdict":"accepted"');
  });

  it('cancels on the API node a submission running on a worker, within 1 s', async () => {
    const id = await submit({ language: 'python3', source: 'while True: pass', limits: { wallTimeMs: 20_000, cpuTimeMs: 20_000 } });
    await until(async () => (await get(id)).status === 'running', 30_000, 'running');
    const started = performance.now();
    const r = await fetch(`${api.base}/v1/submissions/${id}/cancel`, { method: 'POST' });
    const body = (await r.json()) as Result;
    const elapsed = performance.now() - started;
    expect(body.status).toBe('cancelled');
    expect(elapsed).toBeLessThan(1000);
    expect((await get(id)).status).toBe('cancelled');
  });

  it('re-runs on the other worker what a SIGKILLed worker was running: no submission stays running, none has two results', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(await submit({ language: 'python3', source: `import time\ntime.sleep(2)\nprint(${i})`, limits: { wallTimeMs: 10_000 } }));
    // Wait until the worker to be killed holds some of them.
    await until(
      async () => {
        const w = ((await (await fetch(`${api.base}/v1/workers`)).json()) as { workers: { pid: number; running: number }[] }).workers;
        return (w.find((x) => x.pid === workerA.pid)?.running ?? 0) > 0;
      },
      30_000,
      'worker A running',
    );
    workerA.kill('SIGKILL');
    await once(workerA, 'exit');
    const results = await finished(ids, 90_000);
    results.forEach((r, i) => {
      expect(r, r.message ?? '').toMatchObject({ status: 'done', verdict: 'accepted' });
      expect(r.tests[0]!.stdout).toBe(`${i}\n`);
    });
    // The dead worker's heartbeat expires; it leaves the list.
    await until(
      async () => ((await (await fetch(`${api.base}/v1/workers`)).json()) as { workers: unknown[] }).workers.length === 1,
      30_000,
      'one worker listed',
    );
    workerA = await startWorker(redis.url);
  });

  it('serves finished results from a restarted API node', async () => {
    const id = await submit({ language: 'python3', source: 'print(7)' });
    await finished([id]);
    api.proc.kill('SIGTERM');
    const [code] = (await once(api.proc, 'exit')) as [number];
    expect(code).toBe(0);
    api = await startApi(redis.url);
    expect(await get(id)).toMatchObject({ status: 'done', verdict: 'accepted', tests: [{ stdout: '7\n' }] });
    const seed = (await (await fetch(`${api.base}/result/${id}`)).json()) as { status: string; stdout: string };
    expect(seed).toMatchObject({ status: 'OK' });
  });

  it('loses no accepted submission when Redis restarts mid-load, answers 503 with Retry-After meanwhile, and reconnects by itself', async () => {
    const accepted: string[] = [];
    for (let i = 0; i < 20; i++) accepted.push(await submit({ language: 'python3', source: `import time\ntime.sleep(0.3)\nprint(${i})` }));
    await redis.stop();
    const refused = await fetch(`${api.base}/v1/submissions`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ language: 'python3', source: 'print(1)' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('JDG_ERR_BACKEND_UNAVAILABLE');
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    for (let i = 20; i < 30; i++) {
      // The API node reconnects by itself: submissions are taken again once Redis answers.
      let id: string | null = null;
      await until(
        async () => {
          const r = await fetch(`${api.base}/v1/submissions`, {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ language: 'python3', source: `print(${i})` }),
          });
          if (r.status === 202) id = ((await r.json()) as Result).id;
          return id !== null;
        },
        30_000,
        'the API node takes submissions again',
      );
      accepted.push(id!);
    }
    const results = await finished(accepted, 120_000);
    results.forEach((r, i) => {
      expect(r, r.message ?? '').toMatchObject({ status: 'done', verdict: 'accepted' });
      expect(r.tests[0]!.stdout).toBe(`${i}\n`);
    });
  });

  it('lets a SIGTERMed worker finish what it runs, take nothing new, and exit 0', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(await submit({ language: 'python3', source: `import time\ntime.sleep(4)\nprint(${i})`, limits: { wallTimeMs: 10_000 } }));
    await until(
      async () => {
        const w = ((await (await fetch(`${api.base}/v1/workers`)).json()) as { workers: { pid: number; running: number }[] }).workers;
        return (w.find((x) => x.pid === workerB.pid)?.running ?? 0) > 0;
      },
      30_000,
      'worker B running',
    );
    const before = doneBy(workerB).size;
    workerB.kill('SIGTERM');
    const [code] = (await once(workerB, 'exit')) as [number];
    expect(code).toBe(0);
    expect(doneBy(workerB).size).toBeGreaterThan(before);
    const results = await finished(ids, 60_000);
    for (const r of results) expect(r).toMatchObject({ status: 'done', verdict: 'accepted' });
  });
});
