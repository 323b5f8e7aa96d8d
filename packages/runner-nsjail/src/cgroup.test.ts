import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CgroupTree, detectCgroupVersion } from './cgroup.js';
import { restingLeaf } from './warm.js';

// The hosts of this project's CI are cgroup v1 (the integration tests use it for real); the v2
// file layout is checked here against a folder shaped like /sys/fs/cgroup on a v2 host.
describe('cgroups', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'jk-cgroup-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('detects v1 from its controller mounts and v2 from cgroup.controllers', () => {
    for (const c of ['memory', 'pids', 'cpuacct']) {
      mkdirSync(join(root, c));
      writeFileSync(join(root, c, 'cgroup.procs'), '');
    }
    expect(detectCgroupVersion(root)).toBe('v1');
    const v2 = join(root, 'v2');
    mkdirSync(v2);
    writeFileSync(join(v2, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
    expect(detectCgroupVersion(v2)).toBe('v2');
    writeFileSync(join(v2, 'cgroup.controllers'), 'cpu io\n');
    expect(detectCgroupVersion(v2)).toBeNull();
  });

  it('writes v2 limits and reads v2 counters', async () => {
    const tree = new CgroupTree('v2', 'JUDGEKIT', root);
    await tree.ensureParents();
    const group = await tree.create('1-a-1', { memoryBytes: 64 * 1024 * 1024, pids: 18 });
    const dir = join(root, 'JUDGEKIT', '1-a-1');
    expect(group.procsFiles).toEqual([join(dir, 'cgroup.procs')]);
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe(String(64 * 1024 * 1024));
    expect(readFileSync(join(dir, 'memory.swap.max'), 'utf8')).toBe('0');
    expect(readFileSync(join(dir, 'pids.max'), 'utf8')).toBe('18');
    writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n');
    writeFileSync(join(dir, 'memory.peak'), '104857600\n');
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n');
    writeFileSync(join(dir, 'pids.events'), 'max 3\n');
    expect(await group.usage()).toEqual({
      cpuNs: 1_234_567_000,
      peakMemoryBytes: 104_857_600,
      oomKills: 1,
      memoryFailures: 12,
      pidsRefused: 3,
    });
    expect(await tree.list()).toEqual(['1-a-1']);
  });

  it('writes v1 limits in each controller and reads v1 counters', async () => {
    const tree = new CgroupTree('v1', 'JUDGEKIT', root);
    await tree.ensureParents();
    const group = await tree.create('1-a-2', { memoryBytes: 1 << 20, pids: 5 });
    expect(group.procsFiles).toEqual(['memory', 'pids', 'cpuacct'].map((c) => join(root, c, 'JUDGEKIT', '1-a-2', 'cgroup.procs')));
    const mem = join(root, 'memory', 'JUDGEKIT', '1-a-2');
    expect(readFileSync(join(mem, 'memory.limit_in_bytes'), 'utf8')).toBe(String(1 << 20));
    writeFileSync(join(mem, 'memory.max_usage_in_bytes'), '2048\n');
    writeFileSync(join(mem, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    writeFileSync(join(mem, 'memory.failcnt'), '7\n');
    writeFileSync(join(root, 'cpuacct', 'JUDGEKIT', '1-a-2', 'cpuacct.usage'), '5000000\n');
    writeFileSync(join(root, 'pids', 'JUDGEKIT', '1-a-2', 'pids.events'), 'max 0\n');
    expect(await group.usage()).toEqual({ cpuNs: 5_000_000, peakMemoryBytes: 2048, oomKills: 2, memoryFailures: 7, pidsRefused: 0 });
  });

  it('lays out a v2 warm jail: a resting leaf, controllers delegated, a fresh leaf per command (fake tree)', async () => {
    const tree = new CgroupTree('v2', 'JUDGEKIT', root);
    await tree.ensureParents();
    const jail = await tree.make('1-a-3-j');
    const dir = join(root, 'JUDGEKIT', '1-a-3-j');
    await jail.applyLimits({ memoryBytes: 64 * 1024 * 1024, pids: 8 });
    // The launcher (pid 4242) has joined the jail's group by itself.
    writeFileSync(join(dir, 'cgroup.procs'), '4242\n');
    const rest = await restingLeaf(jail, 4242);
    expect(rest.dirs).toEqual([join(dir, 'jail')]);
    expect(readFileSync(join(dir, 'jail', 'cgroup.procs'), 'utf8')).toBe('4242');
    expect(readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +pids +cpu');
    // The jail's own limits are lifted: each command's leaf carries its own.
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe('max');
    expect(readFileSync(join(dir, 'pids.max'), 'utf8')).toBe('max');
    // One command: its leaf gets the limits and the supervisor (4243), and its counters alone.
    writeFileSync(join(dir, 'cgroup.procs'), '');
    writeFileSync(join(dir, 'jail', 'cgroup.procs'), '4242\n4243\n');
    const leaf = await jail.child('c1');
    await leaf.applyLimits({ memoryBytes: 32 * 1024 * 1024, pids: 12 });
    leaf.move(4243);
    expect(readFileSync(join(dir, 'c1', 'cgroup.procs'), 'utf8')).toBe('4243');
    expect(readFileSync(join(dir, 'c1', 'memory.max'), 'utf8')).toBe(String(32 * 1024 * 1024));
    expect(readFileSync(join(dir, 'c1', 'pids.max'), 'utf8')).toBe('12');
    writeFileSync(join(dir, 'c1', 'cgroup.procs'), '4243\n5000\n');
    // A kill of the jail reaches every process under it, leaves included.
    expect((await jail.pids()).sort()).toEqual([4242, 4243, 4243, 5000]);
    writeFileSync(join(dir, 'c1', 'cpu.stat'), 'usage_usec 100\n');
    leaf.markStart();
    writeFileSync(join(dir, 'c1', 'cpu.stat'), 'usage_usec 2100\n');
    writeFileSync(join(dir, 'c1', 'memory.peak'), '3145728\n');
    expect((await leaf.usage()).cpuNs).toBe(2_000_000);
    expect((await leaf.usage()).peakMemoryBytes).toBe(3_145_728);
    await expect(restingLeaf(await tree.make('1-a-4-j'), 1)).rejects.toThrow(/did not join/);
  }, 10_000);
});
