import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanguageRegistry } from '../languages/registry.js';
import type { Job, JobDelivery, JobQueue } from '../queue/contract.js';
import { defaultLimits, defaultMaxLimits } from '../runner/limits.js';
import type { ResultStore, StoredSubmission } from '../store/contract.js';
import { type PreparedSubmission, prepareSubmission } from '../submission/prepare.js';
import type { SubmissionResult } from '../submission/result.js';

/** What the queue and store contract suite needs from a backend. */
export interface BackendContractOptions {
  /** Shown in the describe block, e.g. `fastq/LRU` or `BullMQ/Redis`. */
  name: string;
  /** Called once before the suite (start a server, connect). */
  setup?(): Promise<void>;
  /** Called once after the suite. */
  teardown?(): Promise<void>;
  /**
   * A new, empty queue with this concurrency. With `shared`, every call made within one test
   * reaches the same jobs (two processes on one Redis); the suite closes each queue.
   */
  createQueue(options: { concurrency: number; namespace: string }): JobQueue | Promise<JobQueue>;
  /** A new, empty store keeping results `ttlMs` after their last write. */
  createStore(options: { ttlMs: number; namespace: string }): ResultStore | Promise<ResultStore>;
  /** Several queues created with one namespace share their jobs (a cluster). */
  shared?: boolean;
  /** The store refuses to overwrite a final result (`set` answers `false`): a store shared by processes. */
  immutableFinals?: boolean;
}

const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) => {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

let counter = 0;
const languages = new LanguageRegistry();
const namespace = () => `t${process.pid}x${Date.now().toString(36)}x${counter++}`;

function job(n: number): Job {
  const submission = prepareSubmission(
    { language: 'python3', source: `print(${n})`, stdin: `${n}\n`, metadata: { n: String(n) } },
    { languages, defaultLimits, maxLimits: defaultMaxLimits },
  );
  return { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}${counter}`.slice(0, 36), submission, tenant: n % 2 ? 'acme' : null };
}

function stored(id: string, status: SubmissionResult['status'], verdict: SubmissionResult['verdict'] = null): StoredSubmission {
  const result = {
    id,
    status,
    verdict,
    message: null,
    language: { id: 'python3', version: '3.11' },
    createdAt: '2026-12-02T00:00:00.000Z',
    startedAt: status === 'queued' ? null : '2026-12-02T00:00:01.000Z',
    finishedAt: status === 'done' || status === 'cancelled' ? '2026-12-02T00:00:02.000Z' : null,
    compile: null,
    tests: [],
    summary: { passed: 0, total: 1, maxCpuTimeMs: 0, maxWallTimeMs: 0, maxMemoryBytes: 0 },
    metadata: { n: '1' },
  } as SubmissionResult;
  return { input: status === 'done' || status === 'cancelled' ? null : (job(1).submission as PreparedSubmission), result, tenant: 'acme' };
}

/**
 * The contract of job queues and result stores: every backend (the in-process fastq/LRU default,
 * BullMQ/Redis) runs the same tests. Call it at the top level of a vitest test file.
 *
 * @example
 * ```ts
 * queueStoreContractSuite({ name: 'fastq/LRU', createQueue: ({ concurrency }) => new FastqJobQueue({ concurrency }), createStore: ({ ttlMs }) => new LruResultStore({ ttlMs }) })
 * ```
 */
export function queueStoreContractSuite(options: BackendContractOptions): void {
  describe(`queue and store contract: ${options.name}`, () => {
    const open: JobQueue[] = [];
    const queue = async (concurrency: number, ns: string) => {
      const q = await options.createQueue({ concurrency, namespace: ns });
      open.push(q);
      return q;
    };
    beforeAll(async () => {
      await options.setup?.();
    });
    afterAll(async () => {
      await Promise.allSettled(open.map((q) => q.close()));
      await options.teardown?.();
    });

    it('hands jobs out first in, first out, each as plain JSON equal to what was pushed', async () => {
      const q = await queue(1, namespace());
      const jobs = Array.from({ length: 20 }, (_, i) => job(i));
      for (const j of jobs) await q.push(j);
      const seen: Job[] = [];
      q.start(async (j) => {
        seen.push(j);
      });
      await until(() => seen.length === jobs.length, 'every job handled');
      expect(seen.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
      expect(seen).toEqual(JSON.parse(JSON.stringify(jobs)));
      await q.drain();
    });

    it('counts waiting and running jobs, and never runs more than its concurrency', async () => {
      const q = await queue(2, namespace());
      let active = 0;
      let most = 0;
      const releases: (() => void)[] = [];
      q.start(async () => {
        active++;
        most = Math.max(most, active);
        await new Promise<void>((r) => releases.push(r));
        active--;
      });
      for (let i = 0; i < 5; i++) await q.push(job(i));
      await until(async () => (await q.running()) === 2 && (await q.waiting()) === 3, 'two running, three waiting');
      while (releases.length > 0 || active > 0 || (await q.waiting()) > 0) {
        releases.shift()?.();
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(most).toBe(2);
      await until(async () => (await q.running()) === 0, 'nothing running');
    });

    it('removes a waiting job so it never runs, but not a running or unknown one', async () => {
      const q = await queue(1, namespace());
      const handled: string[] = [];
      let release!: () => void;
      const first = job(1);
      const second = job(2);
      q.start(async (j) => {
        handled.push(j.id);
        if (j.id === first.id) await new Promise<void>((r) => (release = r));
      });
      await q.push(first);
      await q.push(second);
      await until(() => handled.length === 1, 'the first job started');
      expect(await q.remove(first.id)).toBe(false);
      expect(await q.remove(second.id)).toBe(true);
      expect(await q.remove(second.id)).toBe(false);
      expect(await q.remove('00000000-0000-4000-8000-999999999999')).toBe(false);
      release();
      await q.drain();
      expect(handled).toEqual([first.id]);
      expect(await q.waiting()).toBe(0);
    });

    it('drains: resolves once the jobs running here have finished', async () => {
      const q = await queue(1, namespace());
      let finished = false;
      q.start(async () => {
        await new Promise((r) => setTimeout(r, 200));
        finished = true;
      });
      await q.push(job(1));
      await until(async () => (await q.running()) === 1, 'the job started');
      await q.drain();
      expect(finished).toBe(true);
    });

    it('keeps jobs pushed before any worker starts, for the first one that does', async () => {
      const ns = namespace();
      const producer = await queue(1, ns);
      await producer.push(job(7));
      expect(await producer.waiting()).toBe(1);
      const consumer = options.shared ? await queue(1, ns) : producer;
      const seen: string[] = [];
      consumer.start(async (j) => {
        seen.push(j.id);
      });
      await until(() => seen.length === 1, 'the early job handled');
      expect(seen).toEqual([job(7).id]);
    });

    if (options.shared) {
      it('shares one queue between workers: each job is handled once, by one of them', async () => {
        const ns = namespace();
        const producer = await queue(1, ns);
        const a = await queue(2, ns);
        const b = await queue(2, ns);
        const byWorker = { a: [] as string[], b: [] as string[] };
        const slow = (list: string[]) => async (j: Job, delivery?: JobDelivery) => {
          expect(delivery?.attempt).toBe(1);
          list.push(j.id);
          await new Promise((r) => setTimeout(r, 20));
        };
        a.start(slow(byWorker.a));
        b.start(slow(byWorker.b));
        const jobs = Array.from({ length: 40 }, (_, i) => job(100 + i));
        for (const j of jobs) await producer.push(j);
        await until(() => byWorker.a.length + byWorker.b.length === jobs.length, 'every job handled');
        await new Promise((r) => setTimeout(r, 100));
        const all = [...byWorker.a, ...byWorker.b];
        expect(new Set(all).size).toBe(jobs.length);
        expect(all.length).toBe(jobs.length);
        expect(byWorker.a.length).toBeGreaterThan(0);
        expect(byWorker.b.length).toBeGreaterThan(0);
      });

      it('gives a released job back to the queue for another worker', async () => {
        const ns = namespace();
        const broken = await queue(1, ns);
        const healthy = await queue(1, ns);
        const seen: string[] = [];
        broken.start(async (_j, delivery) => {
          seen.push('broken');
          await broken.pause?.();
          delivery?.release?.();
        });
        await broken.push(job(1));
        await until(() => seen.length === 1, 'the broken worker took it');
        healthy.start(async () => {
          seen.push('healthy');
        });
        await until(() => seen.includes('healthy'), 'the healthy worker judged it');
        expect(seen).toEqual(['broken', 'healthy']);
      });
    }

    it('stores, reads and deletes submissions as plain JSON', async () => {
      const store = await options.createStore({ ttlMs: 60_000, namespace: namespace() });
      const value = stored('00000000-0000-4000-8000-000000000001', 'queued');
      expect(await store.get(value.result.id)).toBeUndefined();
      expect(await store.set(value.result.id, value)).not.toBe(false);
      expect(await store.get(value.result.id)).toEqual(JSON.parse(JSON.stringify(value)));
      expect(await store.delete(value.result.id)).toBe(true);
      expect(await store.delete(value.result.id)).toBe(false);
      expect(await store.get(value.result.id)).toBeUndefined();
    });

    it('keeps the latest state of a submission, and drops its input once it is done', async () => {
      const store = await options.createStore({ ttlMs: 60_000, namespace: namespace() });
      const id = '00000000-0000-4000-8000-000000000002';
      for (const status of ['queued', 'running'] as const) await store.set(id, stored(id, status));
      expect((await store.get(id))?.result.status).toBe('running');
      await store.set(id, stored(id, 'done', 'accepted'));
      expect(await store.get(id)).toMatchObject({ input: null, result: { status: 'done', verdict: 'accepted' }, tenant: 'acme' });
    });

    it('forgets a submission its time to live after its last write', async () => {
      const store = await options.createStore({ ttlMs: 150, namespace: namespace() });
      const id = '00000000-0000-4000-8000-000000000003';
      await store.set(id, stored(id, 'done', 'accepted'));
      expect(await store.get(id)).toBeDefined();
      await until(async () => (await store.get(id)) === undefined, 'the result expired', 5000);
    });

    if (options.immutableFinals) {
      it('never overwrites a final result, and refuses a progress write for a submission that is gone', async () => {
        const store = await options.createStore({ ttlMs: 60_000, namespace: namespace() });
        const id = '00000000-0000-4000-8000-000000000004';
        expect(await store.set(id, stored(id, 'queued'))).toBe(true);
        expect(await store.set(id, stored(id, 'done', 'accepted'))).toBe(true);
        expect(await store.set(id, stored(id, 'done', 'wrong_answer'))).toBe(false);
        expect(await store.set(id, stored(id, 'running'))).toBe(false);
        expect(await store.set(id, stored(id, 'cancelled'))).toBe(false);
        expect((await store.get(id))?.result.verdict).toBe('accepted');
        const gone = '00000000-0000-4000-8000-000000000005';
        expect(await store.set(gone, stored(gone, 'running'))).toBe(false);
        expect(await store.get(gone)).toBeUndefined();
        // A final result read back from a durable store may warm an empty cache.
        expect(await store.set(gone, stored(gone, 'done', 'accepted'))).toBe(true);
      });
    }
  });
}
