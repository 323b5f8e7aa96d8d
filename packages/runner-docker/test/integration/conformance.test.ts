import { runnerConformanceSuite } from '@judgekit/core/testing';
import { describe, it } from 'vitest';
import { DockerRunner } from '../../src/index.js';
import { dockerUnavailable } from './require-docker.js';

const missing = await dockerUnavailable();
let runner: DockerRunner | undefined;

if (missing) {
  describe.skip(`runner conformance: docker (${missing}; CI fails here instead)`, () => it('needs docker', () => {}));
} else {
  runnerConformanceSuite({
    name: 'docker (gVisor)',
    createRunner: () => {
      runner = new DockerRunner({ pool: { size: 1, languages: ['python3'] } });
      return runner;
    },
    // Containers of this runner that a disposed sandbox left behind (the warm pool's are expected).
    // Containers are removed in the background after dispose; close() and settled() wait for it.
    leftovers: async () => {
      await (runner as DockerRunner).settled();
      const all = await (runner as DockerRunner).ownContainers();
      const pooled = new Set((runner as DockerRunner).pooledContainers());
      return all.filter((id) => !pooled.has(id));
    },
  });
}
