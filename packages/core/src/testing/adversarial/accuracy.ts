import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../../runner/contract.js';
import { runFixture } from './fixtures.js';

const MiB = 1024 * 1024;

/** What the accuracy suite needs from a runner package. */
export interface AccuracySuiteOptions {
  /** Shown in the describe block: `runner accuracy: <name>`. */
  name: string;
  /** Creates the runner under test (once, before the cases). */
  createRunner(): Runner | Promise<Runner>;
  /**
   * How long the test may wait for a 1,000 ms wall limit to end a `sleep(5)`, as the test sees
   * it (starting a sandbox included), in ms. @defaultValue 3000
   */
  hostBoundMs?: number;
  /** The runner's own cases, registered inside the suite's `describe`. */
  cases?(runner: () => Runner): void;
}

/**
 * The measurement bounds every runner meets: a 1,000 ms cpu limit reports 1,000–1,150 ms;
 * `sleep(5)` under a 1,000 ms wall limit ends within 1,300 ms of measured wall time; touching
 * 100 MiB reports 100–120 MiB; a memory bomb is `memory` and reported at most at its limit;
 * `abort()` is SIGABRT; wall time has sub-millisecond resolution. Call it at the top level of a
 * vitest file.
 *
 * @example
 * ```ts
 * import { runnerAccuracySuite } from '@judgekit/core/testing'
 * runnerAccuracySuite({ name: 'my-runner', createRunner: () => new MyRunner() })
 * ```
 */
export function runnerAccuracySuite(options: AccuracySuiteOptions): void {
  let runner: Runner | undefined;
  const current = (): Runner => runner!;
  describe(`runner accuracy: ${options.name}`, () => {
    beforeAll(async () => {
      runner = await options.createRunner();
    });
    afterAll(async () => {
      await runner?.close();
    });

    it('ends a busy loop at a 1,000 ms cpu limit and reports 1,000-1,150 ms of cpu', async () => {
      const out = await runFixture(current(), 'busy-loop.c', { limits: { cpuTimeMs: 1000, wallTimeMs: 5000 } });
      expect(out.limitExceeded).toBe('cpu');
      expect(out.cpuTimeMs).toBeGreaterThanOrEqual(1000);
      expect(out.cpuTimeMs).toBeLessThanOrEqual(1150);
    });

    it('ends sleep(5) under a 1,000 ms wall limit within 1,300 ms', async () => {
      const started = performance.now();
      const out = await runFixture(current(), 'sleep-5s.py', { limits: { wallTimeMs: 1000 } });
      expect(out.limitExceeded).toBe('wall');
      expect(out.wallTimeMs).toBeGreaterThanOrEqual(1000);
      expect(out.wallTimeMs).toBeLessThanOrEqual(1300);
      expect(out.cpuTimeMs).toBeLessThan(500);
      expect(performance.now() - started).toBeLessThan(options.hostBoundMs ?? 3000);
    });

    it('reports a peak of 100-120 MiB for a program that touches 100 MiB', async () => {
      const out = await runFixture(current(), 'touch-100mb.c', { limits: { memoryBytes: 256 * MiB } });
      expect(out).toMatchObject({ exitCode: 0, limitExceeded: null });
      expect(out.memoryBytes).toBeGreaterThanOrEqual(100 * MiB);
      expect(out.memoryBytes).toBeLessThanOrEqual(120 * MiB);
    });

    it('reports a program above a 64 MiB limit as memory, not a runtime error', async () => {
      const out = await runFixture(current(), 'memory-bomb.c', { limits: { memoryBytes: 64 * MiB } });
      expect(out.limitExceeded).toBe('memory');
      expect(out.signal).toBe('SIGKILL');
      expect(out.memoryBytes).toBeLessThanOrEqual(64 * MiB);
      expect(out.memoryBytes).toBeGreaterThan(48 * MiB);
    });

    it('reports abort() as SIGABRT because the program is not PID 1', async () => {
      const out = await runFixture(current(), 'abort.c');
      expect(out).toMatchObject({ exitCode: null, signal: 'SIGABRT', limitExceeded: null });
    });

    it('measures wall time with sub-millisecond resolution', async () => {
      const out = await runFixture(current(), 'sleep-5s.py', { limits: { wallTimeMs: 250 } });
      expect(out.limitExceeded).toBe('wall');
      expect(Number.isInteger(out.wallTimeMs)).toBe(false);
    });

    options.cases?.(current);
  });
}
