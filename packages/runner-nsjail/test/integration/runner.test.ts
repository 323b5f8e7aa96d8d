import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statfsSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bash, defaultLimits, isJudgeError, python3 } from '@judgekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { mountsUnder } from '../../src/storage.js';
import { nsjailAvailable } from './nsjail-available.js';

const sandboxFailed = (e: unknown) => isJudgeError(e, 'JDG_ERR_SANDBOX_FAILED');

describe.runIf(nsjailAvailable())('NsjailRunner', () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'jk-runner-'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  // The layout of one sandbox started on demand (pre-started jails: prestarted.test.ts).
  it('creates work directories with mode 0700 owned by the sandbox uid in a root-owned tmpfs of their own, and removes them on dispose', async () => {
    const runner = new NsjailRunner({ workDirBase: base, uidRange: { first: 61100, count: 10 }, prestartedJails: 0 });
    const box = await runner.open({ language: python3 });
    const [dir] = readdirSync(base).filter((d) => !d.startsWith('.'));
    const root = statSync(join(base, dir!));
    expect(root.mode & 0o777).toBe(0o711);
    expect(root.uid).toBe(0);
    expect(mountsUnder(base)).toEqual([join(base, dir!)]);
    expect(statfsSync(join(base, dir!)).type).toBe(0x01021994); // TMPFS_MAGIC
    const stats = statSync(join(base, dir!, 'box'));
    expect(stats.mode & 0o777).toBe(0o700);
    expect(stats.uid).toBe(61100);
    expect(statSync(join(base, dir!, 'tmp')).mode & 0o7777).toBe(0o1777);
    await box.dispose();
    expect(mountsUnder(base)).toEqual([]);
    expect(readdirSync(base).filter((d) => d !== '.run' && !d.startsWith('.jk-jail-') && !d.startsWith('.jk-forker-'))).toEqual([]);
    // The runner's forker keeps its FIFO folder while the runner is open (removed on close).
    expect(readdirSync(join(base, '.run')).filter((d) => !d.endsWith('.forker'))).toEqual([]);
    await runner.close();
    expect(readdirSync(join(base, '.run'))).toEqual([]);
  });

  it('gives concurrent sandboxes distinct uids, also across runners sharing a base', async () => {
    const a = new NsjailRunner({ workDirBase: base, uidRange: { first: 61100, count: 10 }, prestartedJails: 0 });
    const b = new NsjailRunner({ workDirBase: base, uidRange: { first: 61100, count: 10 }, prestartedJails: 0 });
    const boxes = await Promise.all([a.open({ language: python3 }), b.open({ language: python3 }), a.open({ language: python3 })]);
    const uids = readdirSync(base)
      .filter((d) => !d.startsWith('.'))
      .map((d) => statSync(join(base, d, 'box')).uid);
    expect(new Set(uids).size).toBe(3);
    await Promise.all(boxes.map((x) => x.dispose()));
    await Promise.all([a.close(), b.close()]);
  });

  it('removes work directories, uid locks and cgroups left by a judge that crashed', async () => {
    // A pid that cannot be alive: above the kernel's pid_max.
    const dead = 4_194_999;
    const staleDir = join(base, `${dead}-abcdef-1`);
    mkdirSync(join(staleDir, 'sub'), { recursive: true });
    symlinkSync('/etc', join(staleDir, 'sub', 'etc-link'));
    symlinkSync(String(dead), join(base, '.uid-61105'));
    const staleCgroup = `/sys/fs/cgroup/memory/JUDGEKIT/${dead}-abcdef-1-1`;
    mkdirSync(staleCgroup, { recursive: true });
    // A crashed judge's sandbox storage, still mounted and holding files.
    const staleMount = join(base, `${dead}-abcdef-2`);
    mkdirSync(staleMount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'judgekit-sandbox', staleMount]);
    mkdirSync(join(staleMount, 'box'));
    symlinkSync('/etc', join(staleMount, 'box', 'etc-link'));
    const runner = new NsjailRunner({ workDirBase: base, uidRange: { first: 61100, count: 10 }, prestartedJails: 0 });
    const box = await runner.open({ language: python3 });
    expect(existsSync(staleDir)).toBe(false);
    expect(existsSync(join(base, '.uid-61105'))).toBe(false);
    expect(existsSync(staleCgroup)).toBe(false);
    expect(mountsUnder(base)).toEqual([join(base, box.id)]);
    expect(existsSync(staleMount)).toBe(false);
    expect(existsSync('/etc/passwd')).toBe(true);
    await box.dispose();
    await runner.close();
  });

  it('reports a missing command as a sandbox failure with the log line, not a verdict', async () => {
    const runner = new NsjailRunner({ workDirBase: base });
    const box = await runner.open({ language: python3 });
    try {
      const error = await box.exec({ argv: ['no-such-compiler', 'x'], limits: defaultLimits }).catch((e: unknown) => e);
      expect(sandboxFailed(error)).toBe(true);
      expect((error as Error).message).toContain('command not found in the sandbox: no-such-compiler');
    } finally {
      await box.dispose();
      await runner.close();
    }
  });

  it('reports a bad mount (nsjail exit 255) as a sandbox failure carrying nsjail’s log line', async () => {
    const runner = new NsjailRunner({ workDirBase: base, devices: ['/dev/null', join(base, 'no-such-device')] });
    const box = await runner.open({ language: bash });
    try {
      const error = await box.exec({ argv: ['sh', '-c', 'true'], limits: defaultLimits }).catch((e: unknown) => e);
      expect(sandboxFailed(error)).toBe(true);
      expect((error as Error).message).toMatch(/\[E\].*Failed to mount mandatory point: '.*no-such-device'/);
    } finally {
      await box.dispose();
      await runner.close();
    }
  });

  it('refuses to open a sandbox whose root file system does not exist', async () => {
    const runner = new NsjailRunner({ workDirBase: base, toolchains: { bash: { rootfs: join(base, 'no-such-rootfs') } } });
    await expect(runner.open({ language: bash })).rejects.toSatisfy(sandboxFailed);
    await runner.close();
  });

  it('reports an nsjail that cannot start as a sandbox failure', async () => {
    const runner = new NsjailRunner({ workDirBase: base, nsjailPath: '/bin/false' });
    const box = await runner.open({ language: python3 });
    try {
      await expect(box.exec({ argv: ['python3', '-c', 'pass'], limits: defaultLimits })).rejects.toSatisfy(sandboxFailed);
    } finally {
      await box.dispose();
      await runner.close();
    }
  });

  it('runs a language from a prepared root file system instead of host folders', async () => {
    // A tiny root file system: dash and the C library, nothing else.
    const rootfs = join(base, 'rootfs');
    for (const file of ['/usr/bin/dash', ...libsOf('/usr/bin/dash')]) {
      mkdirSync(join(rootfs, dirname(file)), { recursive: true });
      copyFileSync(file, join(rootfs, file));
    }
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    symlinkSync('/usr/bin/dash', join(rootfs, 'bin/sh'));
    const runner = new NsjailRunner({ workDirBase: base, toolchains: { bash: { rootfs } } });
    const box = await runner.open({ language: bash });
    try {
      const out = await box.exec({
        argv: ['sh', '-c', 'echo from-rootfs; [ -e /usr/bin/python3 ] && echo host-usr-visible; echo x > /usr/probe || true; pwd'],
        limits: defaultLimits,
      });
      expect(out.stdout, out.stderr).toBe('from-rootfs\n/box\n');
      expect(out.stderr).toMatch(/Read-only file system/);
    } finally {
      await box.dispose();
      await runner.close();
      rmSync(rootfs, { recursive: true, force: true });
    }
  });

  it('runs the program in new user, pid, network, ipc, uts, mount and cgroup namespaces, with no new privileges and seccomp on', async () => {
    const runner = new NsjailRunner({ workDirBase: base });
    const box = await runner.open({ language: bash });
    const kinds = ['user', 'pid', 'net', 'ipc', 'uts', 'mnt', 'cgroup'];
    try {
      const out = await box.exec({
        argv: [
          'sh',
          '-c',
          `for n in ${kinds.join(' ')}; do readlink /proc/self/ns/$n; done; grep -E '^(NoNewPrivs|Seccomp|CapEff):' /proc/self/status`,
        ],
        limits: defaultLimits,
      });
      const inside = out.stdout.trim().split('\n');
      kinds.forEach((kind, i) => {
        expect(inside[i]).toMatch(new RegExp(`^${kind}:\\[\\d+\\]$`));
        expect(inside[i], kind).not.toBe(readlinkSync(`/proc/self/ns/${kind}`));
      });
      expect(out.stdout).toMatch(/NoNewPrivs:\s+1/);
      expect(out.stdout).toMatch(/Seccomp:\s+2/);
      expect(out.stdout).toMatch(/CapEff:\s+0+\n/);
    } finally {
      await box.dispose();
      await runner.close();
    }
  });

  it('reports its health: nsjail path and version, cgroup version and toolchains', async () => {
    const runner = new NsjailRunner({ workDirBase: base });
    const health = await runner.health();
    expect(health.ready).toBe(true);
    expect(health.details.nsjail).toMatch(/nsjail$/);
    expect(health.details['nsjail version']).toMatch(/^\d+\.\d+/);
    expect(health.details.cgroup).toBe('v1');
    expect(health.details.supervisor).toBe('jk-jail as PID 1 of every jail, under a uid of its own');
    expect(health.details['toolchain python3']).toMatch(/^3\.\d+\.\d+ \(\/usr\/(local\/)?bin\/python3\)$/);
    expect(health.details['toolchain c']).toMatch(/^\d+\.\d+\.\d+ \(\/usr\/bin\/gcc\)$/);
    await runner.close();
  });

  it('reports a missing nsjail with the command that installs it', async () => {
    const runner = new NsjailRunner({ workDirBase: base, nsjailPath: join(base, 'missing-nsjail') });
    const error = await runner.open({ language: python3 }).catch((e: unknown) => e);
    expect(isJudgeError(error, 'JDG_ERR_SANDBOX_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('scripts/setup/nsjail.sh');
    const health = await runner.health();
    expect(health.ready).toBe(false);
    expect(health.problems[0]?.fix).toContain('scripts/setup/nsjail.sh');
    await runner.close();
  });

  it('fails the test run loudly when CI is set and nsjail is missing', () => {
    const saved = { CI: process.env.CI, JUDGEKIT_NSJAIL: process.env.JUDGEKIT_NSJAIL };
    process.env.CI = '1';
    process.env.JUDGEKIT_NSJAIL = join(base, 'missing-nsjail');
    try {
      expect(() => nsjailAvailable()).toThrow(/nsjail is not installed: install it with `sudo bash scripts\/setup\/nsjail.sh`/);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

/** Shared libraries a binary loads, from ldd (run on the host binary, not on submitted code). */
function libsOf(binary: string): string[] {
  return execFileSync('ldd', [binary], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
}
