import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { runFixture } from './harness.js';
import { nsjailAvailable } from './nsjail-available.js';

const MiB = 1024 * 1024;

describe.runIf(nsjailAvailable())('nsjail limits and measurement accuracy', () => {
  let runner: NsjailRunner;
  beforeAll(() => {
    runner = new NsjailRunner();
  });
  afterAll(() => runner.close());

  it('ends a busy loop at a 1,000 ms cpu limit and reports 1,000-1,150 ms of cpu', async () => {
    const out = await runFixture(runner, 'busy-loop.c', { limits: { cpuTimeMs: 1000, wallTimeMs: 5000 } });
    expect(out.limitExceeded).toBe('cpu');
    expect(out.cpuTimeMs).toBeGreaterThanOrEqual(1000);
    expect(out.cpuTimeMs).toBeLessThanOrEqual(1150);
  });

  it('ends sleep(5) under a 1,000 ms wall limit within 1,300 ms', async () => {
    const started = performance.now();
    const out = await runFixture(runner, 'sleep-5s.py', { limits: { wallTimeMs: 1000 } });
    expect(out.limitExceeded).toBe('wall');
    expect(out.wallTimeMs).toBeGreaterThanOrEqual(1000);
    expect(out.wallTimeMs).toBeLessThanOrEqual(1300);
    expect(out.cpuTimeMs).toBeLessThan(500);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('reports a peak of 100-120 MiB for a program that touches 100 MiB', async () => {
    const out = await runFixture(runner, 'touch-100mb.c', { limits: { memoryBytes: 256 * MiB } });
    expect(out).toMatchObject({ exitCode: 0, limitExceeded: null });
    expect(out.memoryBytes).toBeGreaterThanOrEqual(100 * MiB);
    expect(out.memoryBytes).toBeLessThanOrEqual(120 * MiB);
  });

  it('reports a program above a 64 MiB limit as memory, not a runtime error', async () => {
    const out = await runFixture(runner, 'memory-bomb.c', { limits: { memoryBytes: 64 * MiB } });
    expect(out.limitExceeded).toBe('memory');
    expect(out.signal).toBe('SIGKILL');
    expect(out.memoryBytes).toBeLessThanOrEqual(64 * MiB);
    expect(out.memoryBytes).toBeGreaterThan(48 * MiB);
  });

  it('reports abort() as SIGABRT because the program is not PID 1', async () => {
    const out = await runFixture(runner, 'abort.c');
    expect(out).toMatchObject({ exitCode: null, signal: 'SIGABRT', limitExceeded: null });
  });

  it('measures wall time with sub-millisecond resolution', async () => {
    const out = await runFixture(runner, 'sleep-5s.py', { limits: { wallTimeMs: 250 } });
    expect(out.limitExceeded).toBe('wall');
    expect(Number.isInteger(out.wallTimeMs)).toBe(false);
  });
});
