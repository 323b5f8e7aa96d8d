import { runnerAccuracySuite } from '@judgekit/core/testing';
import { NsjailRunner } from '../../src/index.js';
import { nsjailAvailable } from './nsjail-available.js';

if (nsjailAvailable()) runnerAccuracySuite({ name: 'nsjail', createRunner: () => new NsjailRunner(), hostBoundMs: 3000 });
