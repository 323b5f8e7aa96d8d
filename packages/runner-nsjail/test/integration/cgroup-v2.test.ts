import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CgroupTree } from '../../src/cgroup.js';

// This project's machines are cgroup v1 with a cgroup2 mount beside it (/sys/fs/cgroup/unified)
// that has no memory, pids or cpu controller (and whose root delegates none, which this test
// leaves alone). What the v2 warm jail does with groups is checked there on the real kernel:
// processes move between a jail's resting leaf and a command's leaf, a leaf's counters are read,
// an emptied leaf is removed, a jail is killed and removed with its leaves. Delegation, limits
// and memory counters need a full v2 host (see docs/runners.md for what was verified where).
const unified = '/sys/fs/cgroup/unified';
const available =
  typeof process.getuid === 'function' &&
  process.getuid() === 0 &&
  existsSync(join(unified, 'cgroup.procs')) &&
  !existsSync('/sys/fs/cgroup/cgroup.controllers');

describe.runIf(available)('cgroup v2 warm-jail layout on the kernel’s own cgroup2 mount', () => {
  const parent = `JUDGEKIT-TEST-${process.pid}`;
  const tree = new CgroupTree('v2', parent, unified);
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await new CgroupTree('v2', parent, unified).destroy('1-a-1-j').catch(() => undefined);
    try {
      rmdirSync(join(unified, parent));
    } catch {
      // already gone
    }
  });

  it('moves a jail’s process to a resting leaf before delegating, runs a command in a leaf of its own, removes it all', async () => {
    await tree.ensureParents();
    const jail = await tree.make('1-a-1-j');
    const dir = jail.dirs[0]!;
    // A host process standing in for nsjail (no submitted code runs in this test).
    const stand = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(stand);
    jail.move(stand.pid!);
    expect(await jail.pids()).toEqual([stand.pid]);
    const rest = await jail.child('jail');
    rest.move(stand.pid!);
    expect(readFileSync(join(dir, 'cgroup.procs'), 'utf8')).toBe('');
    // One command's leaf: the process is there and counted there, then back to rest.
    const leaf = await jail.child('c1');
    leaf.move(stand.pid!);
    expect(readFileSync(join(leaf.dirs[0]!, 'cgroup.procs'), 'utf8').trim()).toBe(String(stand.pid));
    expect(await jail.pids()).toEqual([stand.pid]);
    leaf.markStart();
    expect(await leaf.cpuNs()).toBeGreaterThanOrEqual(0);
    rest.move(stand.pid!);
    await leaf.remove();
    expect(existsSync(leaf.dirs[0]!)).toBe(false);
    // The jail goes with its leaves and what runs in them.
    await jail.killAll([]);
    await jail.remove();
    expect(existsSync(dir)).toBe(false);
  });
});
