import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isJudgeError } from '../../errors/judge-error.js';
import type { AdversarialContext } from './context.js';

const MiB = 1024 * 1024;

/** @internal The hostile programs every runner meets with the same host-side expectations. */
export function registerHostileCases(ctx: AdversarialContext): void {
  const { allowances: allow } = ctx;
  const processesLabel = (limit: string | null): void => {
    if (allow.processLimitLabel === 'required') expect(limit).toBe('processes');
    else expect([null, 'processes', 'cpu', 'wall']).toContain(limit);
  };

  ctx.test('fork-bomb-c', 'contains a C fork bomb at the process limit', async () => {
    const out = await ctx.run('fork-bomb.c', { limits: { processes: 32, cpuTimeMs: 2000, wallTimeMs: 3000 } });
    expect(out.exitCode).not.toBe(0);
    if (allow.processLimitLabel === 'required') expect(out.limitExceeded).toBe('processes');
    else expect(out.limitExceeded).not.toBeNull();
  });

  ctx.test('fork-bomb-bash', 'contains a bash fork bomb at the process limit', async () => {
    const fixture = allow.bashForkBomb === 'full' ? 'fork-bomb.sh' : 'fork-bomb-brief.sh';
    const out = await ctx.run(fixture, { limits: { processes: 32, cpuTimeMs: 2000, wallTimeMs: 3000 } });
    if (allow.bashForkBomb === 'full') {
      processesLabel(out.limitExceeded);
      if (out.limitExceeded === 'processes') expect(out.stderr).toContain('Resource temporarily unavailable');
    } else {
      // The main shell may leave before the orphans reach the limit: either way the run ends
      // and every orphan dies with it (the suite's leftover check).
      if (out.limitExceeded === 'processes') expect(out.stderr).toContain('Resource temporarily unavailable');
      else expect(out).toMatchObject({ exitCode: 0, limitExceeded: null });
      expect(out.wallTimeMs).toBeLessThan(3000);
    }
  });

  ctx.test('thread-bomb', 'caps a thread bomb at the process limit (threads count)', async () => {
    const out = await ctx.run('thread-bomb.c', { limits: { processes: 20, wallTimeMs: 5000 } });
    expect(out.exitCode).toBe(0);
    processesLabel(out.limitExceeded);
    const made = Number(/threads (\d+)/.exec(out.stdout)?.[1]);
    expect(made).toBeGreaterThan(0);
    expect(made).toBeLessThanOrEqual(20);
  });

  ctx.test('memory-bomb', 'kills a memory bomb at the memory limit', async () => {
    const out = await ctx.run('memory-bomb.c', { limits: { memoryBytes: 128 * MiB } });
    expect(out.limitExceeded).toBe('memory');
    expect(out.memoryBytes).toBeLessThanOrEqual(128 * MiB);
  });

  ctx.test('stdout-flood', 'kills a program writing 10 GB to stdout at the output cap, the judge’s memory staying flat', async () => {
    const rssBefore = process.memoryUsage().rss;
    const out = await ctx.run('stdout-10gb.c', { limits: { outputBytes: 4 * MiB, wallTimeMs: 20_000 } });
    expect(out.limitExceeded).toBe('output');
    expect(out.stdoutTruncated).toBe(true);
    expect(out.stdout.length).toBe(4 * MiB);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * MiB);
  });

  ctx.test('stderr-flood', 'kills a stderr flood while stdout stays idle', async () => {
    const out = await ctx.run('stderr-flood.py', { limits: { outputBytes: 1 * MiB, wallTimeMs: 20_000 } });
    expect(out.limitExceeded).toBe('output');
    expect(out.stderrTruncated).toBe(true);
    expect(out.stdout).toBe('');
    expect(Buffer.byteLength(out.stderr)).toBeLessThanOrEqual(1 * MiB);
  });

  ctx.test('sleep-forever', 'ends a program that sleeps forever at the wall limit', async () => {
    const out = await ctx.run('sleep-forever.py', { limits: { wallTimeMs: 800 } });
    expect(out.limitExceeded).toBe('wall');
    expect(out.wallTimeMs).toBeLessThan(1300);
  });

  ctx.test('outliving-child', 'kills a background process that outlives the main one, ending the run when main exits', async () => {
    const out = await ctx.run('outliving-child.sh', { limits: { wallTimeMs: 10_000, cpuTimeMs: 5000 } });
    expect(out).toMatchObject({ exitCode: 0, stdout: 'main done\n', limitExceeded: null });
    expect(out.wallTimeMs).toBeLessThan(2000);
  });

  ctx.test('setsid-daemon', 'kills a daemon that escaped with setsid', async () => {
    const out = await ctx.run('setsid-daemon.py', { limits: { wallTimeMs: 10_000 } });
    expect(out).toMatchObject({ exitCode: 0, stdout: 'daemon started\n', limitExceeded: null });
    expect(out.wallTimeMs).toBeLessThan(3000);
  });

  ctx.test('host-secrets', 'cannot read /etc/shadow or other host secrets', async () => {
    const out = await ctx.run('read-shadow.py');
    expect(out.exitCode).toBe(0);
    for (const line of out.stdout.trim().split('\n')) expect(line).toMatch(/ refused \d+$/);
  });

  ctx.test('judge-environment', 'never sees the judge’s environment', async () => {
    const out = await ctx.run('read-environment.py');
    expect(out.exitCode).toBe(0);
    expect(out.stdout).not.toContain(ctx.canary);
    expect(out.stdout).not.toContain('JUDGEKIT_TEST_CANARY');
    expect(out.stdout).toContain("'PATH'");
  });

  ctx.test('network', 'cannot connect to a port on the host’s 127.0.0.1 nor to an outside address', async () => {
    let reached = false;
    const server = net.createServer((s) => {
      reached = true;
      s.end('reached\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const out = await ctx.run('connect-out.py', { args: [String(port)], limits: { wallTimeMs: 15_000 } });
      expect(out.stdout).toBe('blocked 127.0.0.1\nblocked 1.1.1.1\nblocked 8.8.8.8\nno dns\n');
      expect(reached).toBe(false);
    } finally {
      server.close();
    }
  });

  ctx.test('host-writes', 'cannot write under /usr, /etc or the host’s /tmp', async () => {
    const name = `judgekit-probe-${randomBytes(6).toString('hex')}`;
    const out = await ctx.run('write-host-paths.py', { args: [name] });
    expect(out.stdout).toContain('refused /usr/judgekit-probe');
    expect(out.stdout).toContain('refused /etc/judgekit-probe');
    expect(out.stdout).toContain('refused /usr/bin/python3');
    // Its /tmp is private: a write there succeeds and never reaches the host's.
    expect(existsSync(join('/tmp', name))).toBe(false);
    expect(existsSync(join(tmpdir(), name))).toBe(false);
    expect(existsSync('/usr/judgekit-probe')).toBe(false);
    expect(existsSync('/etc/judgekit-probe')).toBe(false);
  });

  ctx.test('fill-tmp', 'stops at the size of its /tmp when filling it', async () => {
    const out = await ctx.run('fill-tmp.py', {
      limits: { memoryBytes: 512 * MiB, fileSizeBytes: 256 * MiB, wallTimeMs: 10_000, diskBytes: 64 * MiB },
    });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/stopped after 6[0-4] MiB: No space left on device/);
  });

  ctx.test('million-files', 'creates at most what its limits allow when making a million files, and all are removed', async () => {
    const out = await ctx.run('million-files.c', { limits: { wallTimeMs: 3000, cpuTimeMs: 3000, diskInodes: 20_000 } });
    expect([null, 'wall', 'cpu', 'disk']).toContain(out.limitExceeded);
    if (out.limitExceeded === 'disk' && allow.diskInodes === 'enospc') {
      expect(Number(/made (\d+)/.exec(out.stdout)?.[1])).toBeLessThanOrEqual(20_000);
    }
    // The suite's leftover check proves the work directory was removed.
  });

  ctx.test('exhaust-fds', 'runs out of file descriptors at the open-files limit', async () => {
    const out = await ctx.run('exhaust-fds.py', { limits: { openFiles: 64 } });
    expect(out.exitCode).toBe(0);
    const stopped = Number(/stopped at (\d+)/.exec(out.stdout)?.[1]);
    expect(stopped).toBeLessThanOrEqual(64);
    expect(out.stdout).toContain('Too many open files');
  });

  ctx.test('planted-symlinks', 'never lets the host follow a symlink planted in the work directory', async () => {
    const hostDir = join(tmpdir(), `judgekit-host-${randomBytes(6).toString('hex')}`);
    mkdirSync(hostDir);
    const hostFile = join(hostDir, 'precious.txt');
    writeFileSync(hostFile, 'host data\n');
    writeFileSync(join(hostDir, 'keep.txt'), 'keep\n');
    try {
      await ctx.withFixture('plant-symlinks.py', async ({ box, run }) => {
        const out = await run({ args: [hostFile, hostDir] });
        expect(out.stdout).toBe('planted\n');
        const invalid = (e: unknown) => isJudgeError(e, 'JDG_ERR_SANDBOX_PATH_INVALID');
        await expect(box.read('result.txt')).rejects.toSatisfy(invalid);
        await expect(box.read('cache/keep.txt')).rejects.toSatisfy(invalid);
        await expect(box.read('root/etc/passwd')).rejects.toSatisfy(invalid);
        await expect(box.write([{ path: 'result.txt', content: 'overwritten' }])).rejects.toSatisfy(invalid);
        await expect(box.write([{ path: 'cache/new.txt', content: 'x' }])).rejects.toSatisfy(invalid);
      });
      // Clean-up unlinked the links and never followed them into the host folder.
      expect(readFileSync(hostFile, 'utf8')).toBe('host data\n');
      expect(readdirSync(hostDir).sort()).toEqual(['keep.txt', 'precious.txt']);
      expect(lstatSync(hostFile).uid).toBe(0);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  ctx.test('ptrace-parent', 'cannot ptrace its parent', async () => {
    const out = await ctx.run('ptrace-parent.c');
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/attach \d+: -1 Operation not permitted/);
    if (!allow.ptraceTraceMe) expect(out.stdout).toMatch(/traceme: -1 Operation not permitted/);
  });

  ctx.test('mount', 'cannot mount, unmount or unshare', async () => {
    const out = await ctx.run('mount.c');
    expect(out.exitCode).toBe(0);
    const unshare = allow.nestedUserNamespace ? '(-1 Operation not permitted|0 ok)' : '-1 Operation not permitted';
    expect(out.stdout).toMatch(
      new RegExp(
        `^mount: -1 Operation not permitted\nbind: -1 Operation not permitted\numount: -1 Operation not permitted\nunshare: ${unshare}\n$`,
      ),
    );
  });

  ctx.test(
    'kill-all',
    'kill(-1, SIGKILL) reaches neither the judge nor another running submission, and is a verdict on itself',
    async () => {
      const victim = ctx.run('sleep-5s.py', { limits: { wallTimeMs: 1500 } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const killer = await ctx.run('kill-everyone.c');
      expect(killer.limitExceeded).toBeNull();
      expect(killer.exitCode === 0 || killer.signal === 'SIGKILL').toBe(true);
      const survived = await victim;
      // The other submission ran to its own wall limit instead of dying by SIGKILL early.
      expect(survived.limitExceeded).toBe('wall');
      expect(survived.wallTimeMs).toBeGreaterThanOrEqual(1500);
    },
  );

  ctx.test('traces', 'finds nothing left by a previous submission', async () => {
    const name = `judgekit-trace-${randomBytes(6).toString('hex')}`;
    const first = await ctx.run('leave-traces.py', { args: [name] });
    expect(first.stdout).toMatch(new RegExp(`wrote /\\S+/${name}`));
    const second = await ctx.run('find-traces.py', { args: [name], limits: { wallTimeMs: 20_000, cpuTimeMs: 15_000 } });
    expect(second.stdout).toBe('found []\n');
  });

  registerStorageCases(ctx);
  registerMemoryCases(ctx);
  registerSupervisorCases(ctx);
}

const enospc = 'No space left on device';

/** Everything a submission can store: the work directory and /tmp share one bound of bytes and one of inodes. */
function registerStorageCases(ctx: AdversarialContext): void {
  const disk = { memoryBytes: 512 * MiB, fileSizeBytes: 16 * MiB, diskBytes: 64 * MiB, wallTimeMs: 15_000 };
  const stoppedAt = (out: { stdout: string }): number => {
    const match = /stopped after (\d+) MiB: (.*)/.exec(out.stdout);
    expect(match?.[2], `why the writes stopped: ${out.stdout}`).toBe(enospc);
    return Number(match![1]);
  };

  ctx.test('disk-fill', 'stops 16 MiB files in the work directory at diskBytes, off the host’s disk', async () => {
    const out = await ctx.run('fill-disk.py', { limits: disk });
    expect(stoppedAt(out)).toBeLessThanOrEqual(64);
    expect(out.limitExceeded).toBe('disk');
  });

  ctx.test('disk-across-tests', 'bounds the work directory and /tmp together across the tests of one submission', async () => {
    await ctx.withFixture('fill-disk.py', async ({ run }) => {
      let total = 0;
      for (const folder of ['.', '/tmp', '.']) {
        const out = await run({ args: [folder], limits: disk });
        expect(out.limitExceeded).toBe('disk');
        total += stoppedAt(out);
      }
      expect(total).toBeLessThanOrEqual(64);
    });
  });

  ctx.test('disk-inodes', 'stops files, folders and links at diskInodes', async () => {
    const out = await ctx.run('fill-inodes.py', { limits: { diskInodes: 1000, wallTimeMs: 15_000 } });
    expect(out.limitExceeded).toBe('disk');
    const match = /made (\d+) entries: (.*)/.exec(out.stdout);
    // 'kill': the run ends at the bound instead of the creation failing (no line printed then).
    if (ctx.allowances.diskInodes === 'kill' && !match) return;
    expect(match?.[2]).toBe(enospc);
    expect(Number(match![1])).toBeLessThanOrEqual(1000);
  });

  ctx.test('sparse-file', 'lets a sparse file cost nothing and stops filling its holes at diskBytes', async () => {
    const out = await ctx.run('sparse-file.py', { limits: { ...disk, fileSizeBytes: 256 * MiB } });
    // 'apparent': st_blocks follows the size (gVisor's tmpfs); the fill below proves it cost nothing.
    expect(out.stdout).toMatch(
      ctx.allowances.sparseBlocks === 'apparent' ? /^sparse 209715200 blocks \d+\n/ : /^sparse 209715200 blocks 0\n/,
    );
    const match = /filled (\d+) MiB: (.*)/.exec(out.stdout);
    expect(match?.[2]).toBe(enospc);
    expect(Number(match![1])).toBeLessThanOrEqual(64);
    expect(out.limitExceeded).toBe('disk');
  });

  ctx.test('fallocate', 'refuses to reserve more than diskBytes with fallocate', async () => {
    const out = await ctx.run('fallocate.py', { limits: { ...disk, fileSizeBytes: 256 * MiB } });
    expect(out.stdout).toBe(`fallocate refused: ${enospc}\n`);
    expect([null, 'disk']).toContain(out.limitExceeded);
  });

  ctx.test('hard-links', 'refuses hard links to host files and counts each link against diskInodes', async () => {
    const out = await ctx.run('hard-links.py', { limits: { ...disk, diskInodes: 500 } });
    expect(out.limitExceeded).toBe('disk');
    const match = /made (\d+) links: (.*)/.exec(out.stdout);
    // 'kill': the run ends at the bound (buffered output is lost with it); no host link can exist
    // in a sandbox whose files are its own file system.
    if (ctx.allowances.diskInodes === 'kill' && !match) return;
    expect(out.stdout).toMatch(/^host link refused: /);
    expect(match?.[2]).toBe(enospc);
    expect(Number(match![1])).toBeLessThanOrEqual(500);
  });

  ctx.test('dev-shm', 'cannot hold more than its memory limit in /dev/shm', async () => {
    const out = await ctx.run('dev-shm.py', { limits: { memoryBytes: 64 * MiB } });
    expect(out.stdout).not.toContain('wrote 128 MiB');
    if (out.limitExceeded !== 'memory') expect(out.stdout).toMatch(/^(refused|stopped after \d+ MiB): /);
  });
}

/** Memory of every kind a program can make resident counts toward memoryBytes. */
function registerMemoryCases(ctx: AdversarialContext): void {
  const kinds = [
    ['memory-shared', 'shared', 'MAP_SHARED|MAP_ANONYMOUS memory'],
    ['memory-memfd', 'memfd', '40 memfds'],
    ['memory-tmpfs', 'tmpfs', 'files in /tmp'],
  ] as const;

  ctx.test('memory-kinds-measured', 'measures anonymous, shared, memfd and tmpfs memory alike', async () => {
    for (const kind of ['anonymous', 'shared', 'memfd', 'tmpfs']) {
      const out = await ctx.run('memory-kinds.py', {
        args: [kind, '80'],
        limits: { memoryBytes: 256 * MiB, fileSizeBytes: 256 * MiB, wallTimeMs: 15_000 },
      });
      expect(out, kind).toMatchObject({ exitCode: 0, limitExceeded: null, stdout: `held 80 MiB ${kind}\n` });
      expect(out.memoryBytes, kind).toBeGreaterThanOrEqual(80 * MiB);
      expect(out.memoryBytes, kind).toBeLessThanOrEqual(80 * MiB + 64 * MiB);
    }
  });

  for (const [id, kind, what] of kinds) {
    ctx.test(id, `kills a program holding 200 MiB of ${what} at a 64 MiB memory limit`, async () => {
      const out = await ctx.run('memory-kinds.py', {
        args: [kind, '200'],
        limits: { memoryBytes: 64 * MiB, fileSizeBytes: 256 * MiB, diskBytes: 512 * MiB, wallTimeMs: 15_000 },
      });
      expect(out.stdout).not.toContain('held');
      expect(out.limitExceeded).toBe('memory');
      expect(out.memoryBytes).toBeLessThanOrEqual(64 * MiB);
    });
  }

  ctx.test('kernel-features', 'refuses huge pages (outside the memory limit), userfaultfd and io_uring', async () => {
    const out = await ctx.run('kernel-features.c');
    expect(out.exitCode).toBe(0);
    for (const name of ['map_hugetlb', 'memfd_hugetlb', 'shm_hugetlb', 'userfaultfd', 'io_uring_setup']) {
      // 'ordinary': huge pages are ordinary pages to the sandbox's kernel (gVisor), inside the limit.
      const may = ctx.allowances.hugePages === 'ordinary' && name.includes('hugetlb') ? '(-1 |0 ok)' : '-1 ';
      expect(out.stdout, name).toMatch(new RegExp(`^${name}: ${may}`, 'm'));
    }
    // mlock may work: locked pages are charged to the memory limit like any other.
    expect(out.stdout).toMatch(/^mlock: (-1 .+|0 ok)$/m);
  });
}

/** The program cannot reach whatever supervises it, nor earn anything but a verdict about itself. */
function registerSupervisorCases(ctx: AdversarialContext): void {
  ctx.test('short-forks-cpu', 'ends many short-lived CPU-burning children at the cpu limit, counted by the group', async () => {
    const out = await ctx.run('short-forks.c', { limits: { cpuTimeMs: 1000, wallTimeMs: 10_000, processes: 16 } });
    expect(out.limitExceeded).toBe('cpu');
    expect(out.cpuTimeMs).toBeGreaterThanOrEqual(1000);
    expect(out.cpuTimeMs).toBeLessThanOrEqual(1250);
  });

  ctx.test('attack-supervisor', 'cannot prlimit, ptrace, stop or write into its supervisor, and the sandbox keeps working', async () => {
    await ctx.withFixture('attack-supervisor.c', async ({ run }) => {
      for (let round = 0; round < 2; round++) {
        const out = await run({ limits: { wallTimeMs: 5000 } });
        expect(out, out.stdout).toMatchObject({ exitCode: 0, limitExceeded: null });
        expect(out.stdout).toMatch(/\ndone\n$/);
        expect(out.wallTimeMs).toBeLessThan(3000);
        for (const line of out.stdout.split('\n').filter((l) => /^(prlimit|ptrace)/.test(l))) expect(line).not.toMatch(/: ok$/);
        for (const line of out.stdout.split('\n').filter((l) => l.startsWith('fds written'))) expect(line).toMatch(/: 0$/);
      }
    });
  });
}
