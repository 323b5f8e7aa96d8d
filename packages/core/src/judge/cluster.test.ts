import { describe, expect, it } from 'vitest';
import { isJudgeError, JudgeError } from '../errors/judge-error.js';
import type { JudgeEvent } from '../events/contract.js';
import { InProcessBus } from '../events/in-process-bus.js';
import type { Job, JobDelivery, JobHandler, JobQueue } from '../queue/contract.js';
import { FastqJobQueue } from '../queue/fastq-queue.js';
import { FakeRunner } from '../runner/fake-runner.js';
import type { ResultStore } from '../store/contract.js';
import { LruResultStore } from '../store/lru-store.js';
import { gate, until } from './gate.fixture.js';
import { Judge } from './judge.js';

/** An API-only judge and a worker judge sharing one queue, store and bus, as two processes would. */
function cluster(program = gate().program) {
  const bus = new InProcessBus();
  const queue = new FastqJobQueue({ concurrency: 1 });
  const store = new LruResultStore();
  const runner = new FakeRunner({ program });
  const api = new Judge({ concurrency: 0, bus, queue, store });
  const worker = new Judge({ runner, bus, queue, store, concurrency: 1 });
  return { api, worker, runner, queue, bus };
}

describe('Judge across processes (one bus, queue and store)', () => {
  it('lets an API-only judge without a runner take submissions that a worker judges', async () => {
    const { api, worker } = cluster((r) => ({ stdout: `${r.stdin}` }));
    expect(api.runner).toBeUndefined();
    const events: string[] = [];
    api.on('event', (e) => events.push(e.type));
    const result = await api.run({ language: 'python3', source: 'x', tests: [{ input: '7', expectedOutput: '7' }] });
    expect(result).toMatchObject({ status: 'done', verdict: 'accepted' });
    expect(events).toEqual(['queued', 'running', 'test', 'done']);
    expect(api.stats()).toMatchObject({ queued: 0, running: 0 });
    expect(worker.stats().finished).toEqual({ accepted: 1 });
    await worker.close();
    await api.close();
  });

  it('never consumes the queue with concurrency 0: jobs wait for a worker', async () => {
    const queue = new FastqJobQueue();
    const api = new Judge({ concurrency: 0, queue, runner: new FakeRunner() });
    const id = await api.submit({ language: 'python3', source: 'x' });
    await new Promise((r) => setTimeout(r, 20));
    expect((await api.get(id)).status).toBe('queued');
    expect(queue.waiting()).toBe(1);
    expect(api.ready()).toMatchObject({ ready: true, runner: { name: 'fake', available: true } });
    await api.close();
  });

  it('streams a worker’s events to a watcher on the API judge', async () => {
    const g = gate();
    const { api, worker } = cluster(g.program);
    const id = await api.submit({ language: 'c', source: 'x', tests: [{}, {}] });
    const seen: string[] = [];
    const watching = (async () => {
      for await (const e of api.watch(id)) seen.push(e.type);
    })();
    while (!seen.includes('done')) {
      await g.release();
      await new Promise((r) => setTimeout(r, 5));
    }
    await watching;
    expect(seen.filter((t) => t !== 'queued')).toEqual(['running', 'compiled', 'test', 'test', 'done']);
    await worker.close();
    await api.close();
  });

  it('routes a cancel asked on the API judge to the worker running it', async () => {
    const g = gate();
    const { api, worker, runner } = cluster(g.program);
    const id = await api.submit({ language: 'python3', source: 'x' });
    await until(() => g.pending() === 1);
    const result = await api.cancel(id);
    expect(result.status).toBe('cancelled');
    expect(runner.openSandboxes).toBe(0);
    expect(worker.stats()).toMatchObject({ running: 0, cancelled: 1 });
    await worker.close();
    await api.close();
  });

  it('ignores a cancel for a submission no judge runs, and answers with its state after cancelWaitMs', async () => {
    const bus = new InProcessBus();
    const store = new LruResultStore();
    const api = new Judge({ concurrency: 0, bus, store, cancelWaitMs: 30 });
    const id = await api.submit({ language: 'python3', source: 'x' });
    // As if a worker elsewhere had started it and gone silent.
    const stored = store.get(id)!;
    stored.result = { ...stored.result, status: 'running' };
    expect((await api.cancel(id)).status).toBe('running');
    await api.close();
  });

  it('skips a re-delivered job whose submission is already done, making no second result', async () => {
    const execs: string[] = [];
    let handler: JobHandler | undefined;
    const jobs: Job[] = [];
    const queue: JobQueue = {
      start: (h) => {
        handler = h;
      },
      push: (job) => {
        jobs.push(job);
      },
      remove: () => false,
      waiting: () => 0,
      running: () => 0,
      drain: async () => {},
      close: async () => {},
    };
    await using judge = new Judge({
      queue,
      runner: new FakeRunner({
        program: (r) => {
          execs.push(String(r.stdin));
          return {};
        },
      }),
    });
    const events: JudgeEvent['type'][] = [];
    judge.on('event', (e) => events.push(e.type));
    const id = await judge.submit({ language: 'python3', source: 'x', stdin: 'once' });
    expect(JSON.parse(JSON.stringify(jobs[0]))).toEqual(jobs[0]);
    expect(jobs[0]).toMatchObject({ id, tenant: null, submission: { languageId: 'python3' } });
    await handler!(jobs[0]!);
    const first = await judge.get(id);
    await handler!(jobs[0]!);
    await handler!(JSON.parse(JSON.stringify(jobs[0])));
    expect(execs).toEqual(['once']);
    expect(events).toEqual(['queued', 'running', 'test', 'done']);
    expect(await judge.get(id)).toBe(first);
  });

  it('re-runs a job whose judge died while running it (the store still says running)', async () => {
    const store = new LruResultStore();
    const bus = new InProcessBus();
    const api = new Judge({ concurrency: 0, store, bus });
    const id = await api.submit({ language: 'python3', source: 'x', stdin: 'again' });
    const stored = store.get(id)!;
    stored.result = { ...stored.result, status: 'running', startedAt: new Date().toISOString() };
    let handler: JobHandler | undefined;
    const queue: JobQueue = {
      start: (h) => {
        handler = h;
      },
      push: () => {},
      remove: () => false,
      waiting: () => 0,
      running: () => 0,
      drain: async () => {},
      close: async () => {},
    };
    await using worker = new Judge({ queue, store, bus, runner: new FakeRunner() });
    await handler!({ id, submission: stored.input!, tenant: null });
    expect(await api.get(id)).toMatchObject({ status: 'done', verdict: 'accepted', tests: [{ stdout: 'again' }] });
    await worker.close();
    await api.close();
  });

  it('announces nothing when the store refuses its final write (another process’s result stands)', async () => {
    const rows = new Map<string, string>();
    const store: ResultStore = {
      get: (id) => (rows.has(id) ? JSON.parse(rows.get(id)!) : undefined),
      set: (id, value) => {
        if (value.result.status === 'done') return false;
        rows.set(id, JSON.stringify(value));
        return true;
      },
      delete: (id) => rows.delete(id),
    };
    await using judge = new Judge({ store, runner: new FakeRunner(), concurrency: 1 });
    const events: JudgeEvent['type'][] = [];
    judge.on('event', (e) => events.push(e.type));
    const id = await judge.submit({ language: 'python3', source: 'x' });
    await until(() => judge.stats().finished.accepted === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['queued', 'running', 'test']);
    expect((await judge.get(id)).status).toBe('running');
  });

  it('ends an abandoned delivery as internal_error with the queue’s reason, without running it', async () => {
    let handler: ((job: Job, delivery?: JobDelivery) => Promise<void>) | undefined;
    const jobs: Job[] = [];
    const queue: JobQueue = {
      start: (h) => {
        handler = h;
      },
      push: (job) => {
        jobs.push(job);
      },
      remove: () => false,
      waiting: () => 0,
      running: () => 0,
      drain: async () => {},
      close: async () => {},
    };
    const runs: string[] = [];
    await using judge = new Judge({
      queue,
      runner: new FakeRunner({
        program: () => {
          runs.push('ran');
          return {};
        },
      }),
    });
    const id = await judge.submit({ language: 'python3', source: 'x' });
    await handler!(jobs[0]!, { attempt: 3, abandoned: 'its workers stopped twice' });
    expect(await judge.get(id)).toMatchObject({
      status: 'done',
      verdict: 'internal_error',
      message: expect.stringContaining('its workers stopped twice'),
    });
    expect(runs).toEqual([]);
  });

  it('gives a job back with release, without a result, while its runner is unavailable', async () => {
    let handler: ((job: Job, delivery?: JobDelivery) => Promise<void>) | undefined;
    const jobs: Job[] = [];
    const queue: JobQueue = {
      start: (h) => {
        handler = h;
      },
      push: (job) => {
        jobs.push(job);
      },
      remove: () => false,
      waiting: () => 0,
      running: () => 0,
      drain: async () => {},
      close: async () => {},
    };
    class Down extends FakeRunner {
      protected override async openSandbox(): Promise<never> {
        throw new JudgeError('JDG_ERR_SANDBOX_UNAVAILABLE', 'down');
      }
    }
    await using judge = new Judge({ queue, runner: new Down() });
    const id = await judge.submit({ language: 'python3', source: 'x' });
    let released = 0;
    await handler!(jobs[0]!, { attempt: 1, release: () => released++ });
    expect(released).toBe(1);
    expect((await judge.get(id)).status).toBe('queued');
    expect(judge.ready().runner?.available).toBe(false);
  });

  it('refuses a judge that would run submissions without a runner', () => {
    expect(() => new Judge({})).toThrow(expect.objectContaining({ code: 'JDG_ERR_CONFIG_INVALID' }));
    const error = (() => {
      try {
        new Judge({ concurrency: 1 });
      } catch (e) {
        return e;
      }
    })();
    expect(isJudgeError(error, 'JDG_ERR_CONFIG_INVALID')).toBe(true);
  });
});
