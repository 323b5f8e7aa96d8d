import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { until } from '../judge/gate.fixture.js';
import { WarmPool } from './warm-pool.js';

/** Items are numbers; the log tells what was built and destroyed. */
function counting(opts: { failBuilds?: () => boolean; buildMs?: number } = {}) {
  let next = 0;
  const built: number[] = [];
  const destroyed: number[] = [];
  return {
    built,
    destroyed,
    build: async (signal: AbortSignal) => {
      await sleep(opts.buildMs ?? 1, undefined, { signal }).catch(() => {});
      if (opts.failBuilds?.()) throw new Error('engine down');
      const item = ++next;
      built.push(item);
      return item;
    },
    destroy: async (item: number) => {
      destroyed.push(item);
    },
  };
}

describe('WarmPool', () => {
  it('builds ahead up to its size, hands each item out once, and refills in the background', async () => {
    const c = counting();
    const pool = new WarmPool({ size: 2, build: c.build, destroy: c.destroy });
    pool.fill();
    await until(() => pool.stats().ready === 2);
    const a = await pool.take();
    const b = await pool.take();
    expect(new Set([a, b]).size).toBe(2);
    await until(() => pool.stats().ready === 2);
    expect(pool.ready).not.toContain(a);
    expect(pool.stats()).toMatchObject({ hits: 2, misses: 0 });
    await pool.destroy(a);
    await pool.destroy(a);
    expect(c.destroyed).toEqual([a]);
    await pool.close();
    expect(c.destroyed.sort()).toEqual([a, ...pool.ready, 3, 4].sort());
  });

  it('builds on the spot when nothing is ready, and with size 0 never builds ahead', async () => {
    const c = counting();
    const pool = new WarmPool({ size: 0, build: c.build, destroy: c.destroy });
    pool.fill();
    await sleep(10);
    expect(c.built).toEqual([]);
    expect(await pool.take()).toBe(1);
    await sleep(10);
    expect(pool.stats()).toMatchObject({ ready: 0, misses: 1 });
    await pool.close();
  });

  it('never hands out an item that fails its check; it is destroyed instead', async () => {
    const c = counting();
    const dead = new Set([1]);
    const pool = new WarmPool({ size: 2, build: c.build, destroy: c.destroy, check: (item) => !dead.has(item) });
    pool.fill();
    await until(() => pool.stats().ready === 2);
    expect(await pool.take()).toBe(2);
    expect(c.destroyed).toEqual([1]);
    await pool.close();
  });

  it('flushes everything ready after a fault, and backs off while builds keep failing', async () => {
    let failing = false;
    const c = counting({ failBuilds: () => failing });
    const errors: unknown[] = [];
    const pool = new WarmPool({ size: 2, build: c.build, destroy: c.destroy, retryDelayMs: 50, onError: (e) => errors.push(e) });
    pool.fill();
    await until(() => pool.stats().ready === 2);
    failing = true;
    await pool.flush();
    expect(c.destroyed.sort()).toEqual([1, 2]);
    pool.fill();
    await until(() => errors.length >= 1);
    const failuresSoon = pool.stats().buildFailures;
    await sleep(30);
    // Backing off: no storm of builds against an engine that is down.
    expect(pool.stats().buildFailures).toBeLessThanOrEqual(failuresSoon + 1);
    await expect(pool.take()).rejects.toThrow('engine down');
    failing = false;
    await until(() => pool.stats().ready === 2);
    await pool.close();
  });

  it('evicts ready items an engine reports dead, and refills', async () => {
    const c = counting();
    const pool = new WarmPool({ size: 2, build: c.build, destroy: c.destroy });
    pool.fill();
    await until(() => pool.stats().ready === 2);
    expect(pool.evict((item) => item === 1)).toBe(1);
    await until(() => pool.stats().ready === 2);
    expect(pool.ready).toEqual([2, 3]);
    await pool.close();
  });

  it('on close, stops refilling, waits for builds in progress and destroys every item it still holds', async () => {
    const c = counting({ buildMs: 30 });
    const pool = new WarmPool({ size: 3, buildConcurrency: 3, build: c.build, destroy: c.destroy });
    pool.fill();
    await sleep(5);
    await pool.close();
    await pool.close();
    expect(c.destroyed.sort()).toEqual(c.built.sort());
    await expect(pool.take()).rejects.toThrow(/closed/);
    pool.fill();
    await sleep(40);
    expect(pool.stats().building).toBe(0);
  });

  it('when nothing is ready, starts one more build and hands the first to end, the other going to the pool', async () => {
    // Builds end only when released; an item's number is the order in which builds ended.
    const releases: (() => void)[] = [];
    let next = 0;
    let failNext = false;
    const destroyed: number[] = [];
    const pool = new WarmPool({
      size: 1,
      build: async () => {
        await new Promise<void>((resolve) => releases.push(resolve));
        if (failNext) {
          failNext = false;
          throw new Error('engine down');
        }
        return ++next;
      },
      destroy: async (item: number) => {
        destroyed.push(item);
      },
      onError: () => {},
      retryDelayMs: 10,
    });
    pool.fill();
    await until(() => releases.length === 1);

    // The build in progress is stuck: the one begun for the taker ends first and is handed out.
    const taken = pool.take();
    await until(() => releases.length === 2);
    releases.pop()!();
    expect(await taken).toBe(1);
    expect(pool.stats()).toMatchObject({ hits: 0, waited: 1, misses: 0 });
    releases.pop()!();
    await until(() => pool.stats().ready === 1);
    expect(pool.ready).toEqual([2]);
    expect(await pool.take()).toBe(2);

    // A build that fails while another is in progress does not fail the taker: it gets the other.
    await until(() => releases.length === 1);
    const second = pool.take();
    await until(() => releases.length === 2);
    failNext = true;
    releases.shift()!();
    await sleep(5);
    releases.shift()!();
    expect(await second).toBe(3);
    expect(pool.stats()).toMatchObject({ waited: 2, misses: 0, buildFailures: 1 });

    // A taker aborted while it waits throws; the builds still end and go to the pool.
    await until(() => releases.length >= 1);
    const abort = new AbortController();
    const aborted = pool.take({ signal: abort.signal });
    await until(() => releases.length === 2);
    abort.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'JDG_ERR_OPERATION_ABORTED' });
    releases.shift()!();
    releases.shift()!();
    await until(() => pool.stats().ready === 2);
    await pool.close();
    expect(destroyed.sort()).toEqual([4, 5]);
  });

  it('refuses a size that is not a whole number ≥ 0', () => {
    expect(() => new WarmPool({ size: -1, build: async () => 1, destroy: async () => {} })).toThrow(RangeError);
  });
});
