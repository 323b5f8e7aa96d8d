import { Judge } from '@judgekit/core';
import { processesWithUids } from '@judgekit/core/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import * as toolchain from '../../src/toolchain.js';
import { nsjailAvailable } from './nsjail-available.js';

// Counts how often the runner resolves a toolchain's mounts (about 25 system calls each).
vi.mock('../../src/toolchain.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/toolchain.js')>();
  return { ...original, resolveMounts: vi.fn(original.resolveMounts) };
});

const uidRange = { first: 61400, count: 10 };

describe.runIf(nsjailAvailable())('NsjailRunner: resolved toolchain mounts are kept between submissions', () => {
  const runner = new NsjailRunner({ uidRange });
  const judge = new Judge({ runner, concurrency: 1 });
  afterAll(async () => {
    await judge.close();
    expect(processesWithUids(uidRange.first, uidRange.count)).toEqual([]);
    expect(await runner.leftovers()).toEqual([]);
  });

  it('resolves the default toolchain once for several submissions of a language without one configured', async () => {
    const resolve = vi.mocked(toolchain.resolveMounts);
    for (let i = 0; i < 3; i++) expect((await judge.run({ language: 'python3', source: 'print(1)' })).verdict).toBe('accepted');
    // Once for the default pool at start, answered from the cache for each submission after.
    expect(resolve).toHaveBeenCalledTimes(1);
  });
});
