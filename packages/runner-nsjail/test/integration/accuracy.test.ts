import { afterAll, beforeAll, describe } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { accuracyCases } from './harness.js';
import { nsjailAvailable } from './nsjail-available.js';

describe.runIf(nsjailAvailable())('nsjail limits and measurement accuracy', () => {
  let runner: NsjailRunner;
  beforeAll(() => {
    runner = new NsjailRunner();
  });
  afterAll(() => runner.close());

  accuracyCases(() => runner, { hostBoundMs: 3000 });
});
