import { type FakeProgram, FakeRunner, FastqJobQueue, Judge } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { TenantQueue } from './tenant-queue.js';

/** A program that blocks each run until released, recording the order runs start in. */
function gated() {
  const started: string[] = [];
  const releases: (() => void)[] = [];
  const program: FakeProgram = async (req) => {
    started.push(String(req.stdin));
    await new Promise<void>((resolve) => releases.push(resolve));
    return { stdout: String(req.stdin) };
  };
  const until = async (n: number) => {
    for (let i = 0; i < 500 && started.length < n; i++) await new Promise((r) => setTimeout(r, 5));
  };
  return {
    program,
    started,
    releaseAll: () => {
      for (const release of releases.splice(0)) release();
    },
    until,
  };
}

const input = (tag: string) => ({ language: 'python3', source: 'x', stdin: tag });

describe('TenantQueue', () => {
  it('keeps a tenant to maxRunning, so another tenant is not stuck behind its backlog', async () => {
    const g = gated();
    const queue = new TenantQueue(new FastqJobQueue({ concurrency: 2 }), { maxRunning: (t) => (t === 'big' ? 1 : null) });
    const judge = new Judge({ runner: new FakeRunner({ program: g.program }), queue, concurrency: 2 });
    const big = await Promise.all(['b1', 'b2', 'b3'].map((tag) => judge.submit(input(tag), { tenant: 'big' })));
    const small = await judge.submit(input('s1'), { tenant: 'small' });
    await g.until(2);
    // big's first run and small's run share the two slots; b2 and b3 are held back, not queued ahead of s1.
    expect(g.started.sort()).toEqual(['b1', 's1']);
    expect(queue.held).toBe(2);
    expect(queue.queuedOf('big')).toBe(2);
    expect(await queue.waiting()).toBe(2);
    g.releaseAll();
    await g.until(3);
    expect(g.started).toContain('b2');
    expect(g.started).not.toContain('b3');
    g.releaseAll();
    await g.until(4);
    g.releaseAll();
    const results = await Promise.all([...big, small].map((id) => judge.wait(id)));
    expect(results.map((r) => r.tests[0]?.stdout)).toEqual(['b1', 'b2', 'b3', 's1']);
    expect(queue.held).toBe(0);
    await judge.close();
  });

  it('cancels a held submission without running it, and hands on the next one in order', async () => {
    const g = gated();
    const queue = new TenantQueue(new FastqJobQueue({ concurrency: 4 }), { maxRunning: () => 1 });
    const judge = new Judge({ runner: new FakeRunner({ program: g.program }), queue, concurrency: 4 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((tag) => judge.submit(input(tag), { tenant: 't' })));
    await g.until(1);
    expect((await judge.cancel(b!)).status).toBe('cancelled');
    g.releaseAll();
    await g.until(2);
    g.releaseAll();
    expect((await judge.wait(a!)).status).toBe('done');
    expect((await judge.wait(c!)).tests[0]?.stdout).toBe('c');
    expect(g.started).toEqual(['a', 'c']);
    await judge.close();
  });
});
