import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accuracyCases, runFixture } from '../../../runner-nsjail/test/integration/harness.js';
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

  // The same bounds as the nsjail runner's (a container's start is slower to see from outside).
  accuracyCases(() => runner, { hostBoundMs: 4000 });

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
