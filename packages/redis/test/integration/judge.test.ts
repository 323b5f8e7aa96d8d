import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Judge, JudgeError, type JudgeEvent, type RunnerHealth, type Sandbox } from '@judgekit/core';
import { FakeRunner } from '@judgekit/core/testing';
import { openRedisBackend, type RedisBackend } from '@judgekit/redis';
import { redisServerPath, startTestRedis, type TestRedis } from '@judgekit/redis/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// Judges on a real redis-server wired through @judgekit/redis, with the FakeRunner standing in
// for the sandbox (the cluster suite in packages/cli runs real nsjail workers as processes).
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/held-worker.ts', import.meta.url));

if (!redisServerPath() && process.env.CI) throw new Error('redis-server is not installed (scripts/setup/redis.sh)');

const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) => {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** A program that blocks until released (or aborted). */
function held() {
  const waiting: (() => void)[] = [];
  return {
    program: async (_r: unknown, _f: unknown, { signal }: { signal?: AbortSignal | undefined }) => {
      await new Promise<void>((resolve, reject) => {
        waiting.push(resolve);
        signal?.addEventListener('abort', () => reject(new JudgeError('JDG_ERR_OPERATION_ABORTED', 'aborted')), { once: true });
      });
      return { stdout: 'held\n' };
    },
    pending: () => waiting.length,
    release: () => {
      for (const r of waiting.splice(0)) r();
    },
  };
}

/** A runner whose engine is gone: every open fails as unavailable, health says so. */
class BrokenRunner extends FakeRunner {
  protected override async openSandbox(): Promise<Sandbox> {
    throw new JudgeError('JDG_ERR_SANDBOX_UNAVAILABLE', 'the engine is down (test)');
  }
  override async health(): Promise<RunnerHealth> {
    return { ready: false, details: {}, problems: [{ message: 'the engine is down (test)' }] };
  }
}

const suite = redisServerPath() ? describe : describe.skip;
let counter = 0;

suite('judges sharing Redis', () => {
  let redis: TestRedis;
  const cleanups: (() => Promise<unknown>)[] = [];
  const prefix = () => `j${process.pid}x${counter++}`;
  const backend = async (role: 'api' | 'worker', ns: string, extra: Partial<Parameters<typeof openRedisBackend>[0]> = {}) => {
    const b = await openRedisBackend({ url: redis.url, role, prefix: ns, concurrency: role === 'api' ? 0 : 2, ...extra });
    cleanups.push(() => b.close());
    return b;
  };
  const judgeOn = (b: RedisBackend, options: ConstructorParameters<typeof Judge>[0]) => {
    const judge = new Judge({ queue: b.queue, store: b.store, bus: b.bus, ...options });
    cleanups.unshift(() => judge.destroy());
    return judge;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c().catch(() => {});
  });
  afterAll(async () => {
    await redis.destroy();
  });

  it('delivers a worker’s events to the API judge’s watch and wait', async () => {
    const ns = prefix();
    const api = judgeOn(await backend('api', ns), { concurrency: 0 });
    judgeOn(await backend('worker', ns), { runner: new FakeRunner({ program: (r) => ({ stdout: `${r.stdin}` }) }), concurrency: 2 });
    const id = await api.submit({ language: 'python3', source: 'x', tests: [{ input: 'a', expectedOutput: 'a' }, { input: 'b' }] });
    const seen: JudgeEvent['type'][] = [];
    for await (const e of api.watch(id)) seen.push(e.type);
    expect(seen).toEqual(['queued', 'running', 'test', 'test', 'done']);
    expect(await api.wait(id)).toMatchObject({ status: 'done', verdict: 'accepted', tests: [{ stdout: 'a' }, { stdout: 'b' }] });
  });

  it('enforces maxQueued for the whole cluster, counting every node’s submissions', async () => {
    const ns = prefix();
    const one = judgeOn(await backend('api', ns), { concurrency: 0, maxQueued: 3 });
    const two = judgeOn(await backend('api', ns), { concurrency: 0, maxQueued: 3 });
    await one.submit({ language: 'python3', source: 'x' });
    await two.submit({ language: 'python3', source: 'x' });
    await one.submit({ language: 'python3', source: 'x' });
    await expect(two.submit({ language: 'python3', source: 'x' })).rejects.toMatchObject({ code: 'JDG_ERR_QUEUE_FULL' });
  });

  it('cancels a queued submission from any node, and a running one on the worker that runs it', async () => {
    const ns = prefix();
    const api = judgeOn(await backend('api', ns), { concurrency: 0 });
    const gate = held();
    const runner = new FakeRunner({ program: gate.program });
    const worker = judgeOn(await backend('worker', ns, { concurrency: 1 }), { runner, concurrency: 1 });
    const running = await api.submit({ language: 'python3', source: 'x' });
    const queued = await api.submit({ language: 'python3', source: 'x' });
    await until(() => gate.pending() === 1, 'the first runs');
    expect((await api.cancel(queued)).status).toBe('cancelled');
    const started = performance.now();
    expect((await api.cancel(running)).status).toBe('cancelled');
    expect(performance.now() - started).toBeLessThan(1000);
    await until(() => runner.openSandboxes === 0, 'the sandbox is gone');
    expect(worker.stats().cancelled).toBe(1);
  });

  it('keeps a broken worker from draining the queue into internal errors: it gives its jobs back and reports unhealthy', async () => {
    const ns = prefix();
    const api = judgeOn(await backend('api', ns), { concurrency: 0 });
    const broken = judgeOn(await backend('worker', ns, { concurrency: 2 }), { runner: new BrokenRunner(), concurrency: 2 });
    const ids = await Promise.all(Array.from({ length: 4 }, () => api.submit({ language: 'python3', source: 'x' })));
    await until(() => broken.ready().runner?.available === false, 'the broken worker noticed');
    await new Promise((r) => setTimeout(r, 300));
    for (const id of ids) expect((await api.get(id)).status).toBe('queued');
    judgeOn(await backend('worker', ns), { runner: new FakeRunner(), concurrency: 2 });
    const results = await Promise.all(ids.map((id) => api.wait(id, { timeoutMs: 15_000 })));
    for (const r of results) expect(r).toMatchObject({ status: 'done', verdict: 'accepted' });
    expect(broken.stats().finished).toEqual({});
    expect(broken.ready()).toMatchObject({ ready: false, runner: { available: false, reason: expect.stringContaining('engine is down') } });
  });

  it('ends as internal_error, with why, a job whose worker was SIGKILLed more often than maxReruns', async () => {
    const ns = prefix();
    const api = judgeOn(await backend('api', ns), { concurrency: 0 });
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: root,
      env: { ...process.env, REDIS_URL: redis.url, PREFIX: ns, MAX_RERUNS: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await until(() => out.includes('ready'), 'the worker process is ready', 60_000);
    const id = await api.submit({ language: 'python3', source: 'x' });
    await until(() => out.includes(`running ${id}`), 'the worker process runs it');
    expect((await api.get(id)).status).toBe('running');
    child.kill('SIGKILL');
    await once(child, 'exit');
    // Another worker finds the stalled job; with maxReruns 0 it ends it instead of running it again.
    const runs: string[] = [];
    judgeOn(await backend('worker', ns, { lockDurationMs: 1000, stalledIntervalMs: 500, maxReruns: 0 }), {
      runner: new FakeRunner({
        program: () => {
          runs.push('ran');
          return {};
        },
      }),
      concurrency: 1,
    });
    const result = await api.wait(id, { timeoutMs: 15_000 });
    expect(result).toMatchObject({
      status: 'done',
      verdict: 'internal_error',
      message: expect.stringContaining('stopped before finishing it 1 times'),
    });
    expect(runs).toEqual([]);
  });

  it('resyncs after the bus reconnects: a wait whose done event was lost still ends', async () => {
    const ns = prefix();
    const b = await backend('api', ns);
    const api = judgeOn(b, { concurrency: 0 });
    const id = await api.submit({ language: 'python3', source: 'x' });
    const waiting = api.wait(id, { timeoutMs: 15_000 });
    // The result is written while this node hears nothing (as when a done is published during an outage).
    const stored = (await b.store.get(id))!;
    await b.store.set(id, {
      ...stored,
      input: null,
      result: { ...stored.result, status: 'done', verdict: 'accepted', finishedAt: new Date().toISOString() },
    });
    await redis.stop();
    await redis.start();
    expect(await waiting).toMatchObject({ status: 'done', verdict: 'accepted' });
  });

  it('loses no acknowledged write when Redis is killed with SIGKILL (AOF)', async () => {
    const ns = prefix();
    const b = await backend('api', ns);
    const api = judgeOn(b, { concurrency: 0 });
    const ids = await Promise.all(Array.from({ length: 50 }, () => api.submit({ language: 'python3', source: 'x' })));
    await redis.kill();
    await redis.start();
    await until(async () => (await b.queue.waiting().catch(() => -1)) >= 0, 'the API node reconnected');
    expect(await b.queue.waiting()).toBe(50);
    for (const id of ids) expect((await api.get(id)).status).toBe('queued');
  });
});
