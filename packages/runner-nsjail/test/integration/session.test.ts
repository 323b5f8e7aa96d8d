import { readFileSync } from 'node:fs';
import { runnerSessionSuite } from '@judgekit/core/testing';
import { describe, it } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { nsjailAvailable } from './nsjail-available.js';

if (nsjailAvailable()) {
  // Sessions and interactive problems: the shared contract (core's testing kit), one runner for all cases.
  runnerSessionSuite({
    name: 'nsjail',
    createRunner: () => new NsjailRunner(),
    readExample: (name) => readFileSync(new URL(`../../../../examples/interactive/${name}`, import.meta.url), 'utf8'),
  });
} else {
  describe('sessions on nsjail', () => {
    it.skip('needs nsjail and root (set CI to make this a failure)', () => undefined);
  });
}
