import { readFileSync } from 'node:fs';
import { runnerSessionSuite } from '@judgekit/core/testing';
import { describe, it } from 'vitest';
import { DockerRunner } from '../../src/index.js';
import { dockerUnavailable } from './require-docker.js';

const missing = await dockerUnavailable(['judgekit/python3:latest', 'judgekit/c:latest', 'judgekit/cpp:latest', 'judgekit/bash:latest']);

if (missing) {
  describe.skip(`sessions on docker (${missing}; CI fails here instead)`, () => it('needs docker', () => {}));
} else {
  // The same contract as nsjail's (core's testing kit): each session is a step of `jk-exec serve`
  // (op X), on a pty opened inside the gVisor container. One runner and its warm pool serve every
  // case; 10 concurrent sessions (10 containers) keep the file within the CI budget.
  runnerSessionSuite({
    name: 'docker (gVisor)',
    createRunner: () => new DockerRunner({ pool: { size: 2, languages: ['python3'] } }),
    readExample: (name) => readFileSync(new URL(`../../../../examples/interactive/${name}`, import.meta.url), 'utf8'),
    concurrentSessions: 10,
    // gVisor's terminal answers TIOCSTI with ENOTTY.
    tiocsti: 'refused',
  });
}
