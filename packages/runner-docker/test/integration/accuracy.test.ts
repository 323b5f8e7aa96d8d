import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFixture } from '../../../runner-nsjail/test/integration/harness.js';
import { DockerRunner } from '../../src/index.js';
import { dockerUnavailable } from './require-docker.js';

const MiB = 1024 * 1024;
const missing = await dockerUnavailable();

// The nsjail runner's accuracy bounds, measured per step by jk-exec inside the gVisor container.
describe.skipIf(missing !== null)('docker limits and measurement accuracy', () => {
  let runner: DockerRunner;
  beforeAll(() => {
    runner = new DockerRunner({ pool: { size: 1, languages: ['c'] } });
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
    expect(performance.now() - started).toBeLessThan(4000);
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

  it('ends a step whose container the engine killed for memory as memory, not a crash', async () => {
    // A container cap far below the step's own limit: the engine's OOM killer ends the whole
    // gVisor sandbox before jk-exec sees the limit.
    const small = new DockerRunner({ pool: { size: 0 }, containerMemoryBytes: 96 * MiB });
    try {
      const out = await runFixture(small, 'touch-100mb.c', { limits: { memoryBytes: 512 * MiB, wallTimeMs: 5000 } });
      expect(out.limitExceeded).toBe('memory');
    } finally {
      await small.close();
    }
  });
});
