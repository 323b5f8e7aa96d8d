import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isStaleOwner, ownerOfName, ownerPrefix, processAlive, sweepStaleOwners } from './process.js';

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  return child.pid!;
}

describe('process helpers', () => {
  it('tell a live process from a dead one', async () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(1)).toBe(true);
    expect(processAlive(await deadPid())).toBe(false);
    expect(processAlive(0)).toBe(false);
    expect(processAlive(-5)).toBe(false);
    expect(processAlive(Number.NaN)).toBe(false);
  });

  it('read back the owner of a name made with ownerPrefix', () => {
    expect(ownerPrefix('ab12')).toBe(`${process.pid}-ab12`);
    expect(ownerOfName(`${ownerPrefix('ab12')}-7`)).toEqual({ pid: process.pid });
    expect(ownerOfName('.run')).toBeNull();
  });

  it('sweep only what a dead process on this host left', async () => {
    const dead = await deadPid();
    const resources = [
      { name: `${dead}-x-1`, host: hostname() },
      { name: `${dead}-x-2`, host: 'another-host' },
      { name: `${process.pid}-x-3`, host: hostname() },
      { name: '1-x-4', host: hostname() },
      { name: 'unowned', host: hostname() },
      { name: `${dead}-x-5`, host: hostname() },
    ];
    const removed: string[] = [];
    const errors: string[] = [];
    const count = await sweepStaleOwners(resources, {
      owner: (r) => {
        const owner = ownerOfName(r.name);
        return owner && { ...owner, host: r.host };
      },
      remove: async (r) => {
        if (r.name.endsWith('-5')) throw new Error('busy');
        removed.push(r.name);
      },
      onError: (_e, r) => errors.push(r.name),
    });
    expect(removed).toEqual([`${dead}-x-1`]);
    expect(errors).toEqual([`${dead}-x-5`]);
    expect(count).toBe(1);
    expect(isStaleOwner(null)).toBe(false);
    expect(isStaleOwner({ pid: process.pid })).toBe(false);
  });
});
