import { describe, expect, it } from 'vitest';
import { gate, until } from '../judge/gate.fixture.js';
import { Judge } from '../judge/judge.js';
import { FakeRunner } from '../runner/fake-runner.js';
import { OutputBudget, retainOutput } from './output-budget.js';

const never = new AbortController().signal;

describe('OutputBudget', () => {
  it('grants at once what fits, and queues the rest first come first served', async () => {
    const budget = new OutputBudget(100);
    expect(budget.acquire(60, never)).toBe(60);
    const order: string[] = [];
    const b = Promise.resolve(budget.acquire(50, never)).then((n) => order.push(`b${n}`));
    const c = Promise.resolve(budget.acquire(10, never)).then((n) => order.push(`c${n}`));
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    budget.release(60);
    await Promise.all([b, c]);
    expect(order).toEqual(['b50', 'c10']);
    expect(budget.held).toBe(60);
    expect(budget.waits).toBe(2);
  });

  it('lets a reservation larger than the whole budget take all of it', () => {
    const budget = new OutputBudget(100);
    expect(budget.acquire(1000, never)).toBe(100);
  });

  it('drops a waiter whose signal aborts, and serves the next', async () => {
    const budget = new OutputBudget(10);
    budget.acquire(10, never);
    const controller = new AbortController();
    const aborted = budget.acquire(5, controller.signal);
    const next = budget.acquire(5, never);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'JDG_ERR_OPERATION_ABORTED' });
    budget.release(10);
    expect(await next).toBe(5);
    expect(budget.held).toBe(5);
  });
});

describe('retainOutput', () => {
  const step = (stdout: string, stderr = '') => ({ stdout, stderr, stdoutTruncated: false, stderrTruncated: false });

  it('keeps stdout first, then stderr, marking what it cut', () => {
    const s = step('a'.repeat(10), 'b'.repeat(10));
    expect(retainOutput(s, 15)).toBe(15);
    expect(s).toEqual({ stdout: 'a'.repeat(10), stderr: 'b'.repeat(5), stdoutTruncated: false, stderrTruncated: true });
    const none = step('abc', 'd');
    expect(retainOutput(none, 0)).toBe(0);
    expect(none).toMatchObject({ stdout: '', stderr: '', stdoutTruncated: true, stderrTruncated: true });
  });

  it('counts UTF-8 bytes and never splits a character', () => {
    const s = step('é'.repeat(10));
    expect(retainOutput(s, 7)).toBe(6);
    expect(s.stdout).toBe('ééé');
    const emoji = step('😀'.repeat(4));
    retainOutput(emoji, 9);
    expect(emoji.stdout).toBe('😀😀');
  });
});

describe('Judge output bounds', () => {
  it('keeps at most maxResultOutputBytes of output in a result, while the checker sees every byte', async () => {
    await using judge = new Judge({
      runner: new FakeRunner({ program: () => ({ stdout: 'x'.repeat(600) }) }),
      maxResultOutputBytes: 1000,
    });
    const want = 'x'.repeat(600);
    const result = await judge.run({
      language: 'python3',
      source: '',
      tests: [{ expectedOutput: want }, { expectedOutput: want }, { expectedOutput: want }],
    });
    expect(result.verdict).toBe('accepted');
    expect(result.tests.map((t) => [t.stdout.length, t.stdoutTruncated])).toEqual([
      [600, false],
      [400, true],
      [0, true],
    ]);
  });

  it('runs no more commands at once than their output limits fit in maxOutputBytesInFlight', async () => {
    const g = gate();
    const MiB = 1 << 20;
    await using judge = new Judge({ runner: new FakeRunner({ program: g.program }), concurrency: 3, maxOutputBytesInFlight: 2 * MiB });
    const ids = await Promise.all(
      [1, 2, 3].map((i) => judge.submit({ language: 'python3', source: '', stdin: String(i), limits: { outputBytes: MiB } })),
    );
    await until(() => g.pending() === 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(g.pending()).toBe(2);
    expect(judge.stats()).toMatchObject({ outputBytesInFlight: 2 * MiB, outputWaits: 1 });
    while ((await Promise.all(ids.map((id) => judge.get(id)))).some((r) => r.status !== 'done')) await g.release(1);
    expect(g.maxRunning).toBe(2);
    expect(judge.stats().outputBytesInFlight).toBe(0);
  });
});
