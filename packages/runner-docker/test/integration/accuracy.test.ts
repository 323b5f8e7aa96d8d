import { runFixture, runnerAccuracySuite } from '@judgekit/core/testing';
import { describe, expect, it } from 'vitest';
import { DockerRunner } from '../../src/index.js';
import { dockerUnavailable } from './require-docker.js';

const MiB = 1024 * 1024;
const missing = await dockerUnavailable();

if (missing) {
  describe.skip(`runner accuracy: docker (${missing}; CI fails here instead)`, () => it('needs docker', () => {}));
} else {
  // The same bounds as the nsjail runner's, measured per step by jk-exec inside the gVisor
  // container (a container's start is slower to see from outside).
  runnerAccuracySuite({
    name: 'docker (gVisor)',
    createRunner: () => new DockerRunner({ pool: { size: 1, languages: ['c'] } }),
    hostBoundMs: 4000,
    cases: () => {
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
    },
  });
}
