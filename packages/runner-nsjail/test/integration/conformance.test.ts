import { runnerConformanceSuite } from '@judgekit/core/testing';
import { describe, it } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { nsjailAvailable } from './nsjail-available.js';

if (nsjailAvailable()) {
  let runner: NsjailRunner;
  runnerConformanceSuite({
    name: 'nsjail',
    createRunner: () => {
      runner = new NsjailRunner();
      return runner;
    },
    leftovers: () => runner.leftovers(),
  });
} else {
  describe('runner conformance: nsjail', () => {
    it.skip('needs nsjail and root (set CI to make this a failure)', () => undefined);
  });
}
