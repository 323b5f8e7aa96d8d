import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { isJudgeError } from '@judgekit/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { harnessMode, hostileCases, processesWithUids, runFixture, watchEventLoop } from './harness.js';
import { nsjailAvailable } from './nsjail-available.js';

const uidRange = { first: 61000, count: 50 };
// The event loop of the judge may be late by this much at worst while a hostile program runs
// (the machine is shared with other test runs, so the bound is loose but far below a stall).
const maxLagMs = 400;

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
// Host files a sandbox must never change.
const watchedHostFiles = ['/etc/passwd', '/etc/hostname', '/usr/bin/python3', '/etc/shadow'];

// Every program runs both ways a command can: in an nsjail of its own (a sandbox's first
// command, or warmJail: false) and as a later command in the sandbox's warm jail.
describe.runIf(nsjailAvailable()).each([
  { mode: 'one nsjail per command', warmJail: false },
  { mode: 'warm jail', warmJail: true },
])('nsjail adversarial suite ($mode): hostile programs end with a verdict and leave the host unharmed', ({ warmJail }) => {
  let runner: NsjailRunner;
  let loop: { stop(): number };
  let hostHashes: Record<string, string>;
  const canary = `JUDGEKIT_CANARY_${randomBytes(8).toString('hex')}`;

  beforeAll(() => {
    process.env.JUDGEKIT_TEST_CANARY = canary;
    runner = new NsjailRunner({ uidRange, warmJail });
    harnessMode.warmUp = warmJail;
    hostHashes = Object.fromEntries(watchedHostFiles.map((f) => [f, sha(f)]));
  });
  afterAll(async () => {
    await runner.close();
    harnessMode.warmUp = false;
    delete process.env.JUDGEKIT_TEST_CANARY;
  });
  beforeEach(() => {
    loop = watchEventLoop();
  });
  afterEach(async () => {
    // Host unharmed after every case: the judge's timer kept firing, host files are unchanged,
    // no sandbox process survived, nothing was left in the work directory base or cgroups.
    expect(loop.stop()).toBeLessThan(maxLagMs);
    for (const f of watchedHostFiles) expect(sha(f), f).toBe(hostHashes[f]);
    expect(processesWithUids(uidRange.first, uidRange.count)).toEqual([]);
    expect(await runner.leftovers()).toEqual([]);
  });

  it('contains a C fork bomb at the process limit', async () => {
    const out = await runFixture(runner, 'fork-bomb.c', { limits: { processes: 32, cpuTimeMs: 2000, wallTimeMs: 3000 } });
    expect(out.limitExceeded).toBe('processes');
    expect(out.exitCode).not.toBe(0);
  });

  it('contains a bash fork bomb at the process limit', async () => {
    const out = await runFixture(runner, 'fork-bomb.sh', { limits: { processes: 32, cpuTimeMs: 2000, wallTimeMs: 3000 } });
    expect(out.limitExceeded).toBe('processes');
    expect(out.stderr).toContain('Resource temporarily unavailable');
  });

  it('caps a thread bomb at the process limit (threads count)', async () => {
    const out = await runFixture(runner, 'thread-bomb.c', { limits: { processes: 20, wallTimeMs: 5000 } });
    expect(out).toMatchObject({ exitCode: 0, limitExceeded: 'processes' });
    const made = Number(/threads (\d+)/.exec(out.stdout)?.[1]);
    expect(made).toBeLessThanOrEqual(20);
  });

  // The hostile programs both runners meet with the same host-side expectations (harness.ts).
  hostileCases(() => runner, canary);

  it('sees only its own processes in /proc', async () => {
    const out = await runFixture(runner, 'list-processes.py');
    const pids = out.stdout
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[0]));
    expect(out.stdout).toContain("2 b'python3 -B main.py'");
    // PID 1 is the init shell, 2 is the program.
    expect(pids).toEqual([1, 2]);
    expect(out.stdout).not.toMatch(/node|vitest|nsjail/);
  });

  it('cannot ptrace its parent', async () => {
    const out = await runFixture(runner, 'ptrace-parent.c');
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/attach \d+: -1 Operation not permitted/);
    expect(out.stdout).toMatch(/traceme: -1 Operation not permitted/);
  });

  it('cannot mount, unmount or unshare', async () => {
    const out = await runFixture(runner, 'mount.c');
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe(
      'mount: -1 Operation not permitted\nbind: -1 Operation not permitted\numount: -1 Operation not permitted\nunshare: -1 Operation not permitted\n',
    );
  });

  it('kill(-1, SIGKILL) reaches neither the judge nor another running submission', async () => {
    const victim = runFixture(runner, 'sleep-5s.py', { limits: { wallTimeMs: 1500 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killer = await runFixture(runner, 'kill-everyone.c');
    // Inside its pid namespace only its own init exists besides itself, and init is exempt.
    expect(killer.stdout).toMatch(/kill\(-1\): (0 ok|-1 No such process)/);
    const survived = await victim;
    // The other submission ran to its own wall limit instead of dying by SIGKILL early.
    expect(survived.limitExceeded).toBe('wall');
    expect(survived.wallTimeMs).toBeGreaterThanOrEqual(1500);
  });

  it('finds nothing left by a previous submission', async () => {
    const name = `judgekit-trace-${randomBytes(6).toString('hex')}`;
    const first = await runFixture(runner, 'leave-traces.py', { args: [name] });
    expect(first.stdout).toContain(`wrote /box/${name}`);
    const second = await runFixture(runner, 'find-traces.py', { args: [name], limits: { wallTimeMs: 20_000, cpuTimeMs: 15_000 } });
    expect(second.stdout).toBe('found []\n');
  });

  it('runs the program under an unprivileged uid the host sees, never root', async () => {
    const token = `uidprobe${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    const run = runFixture(runner, 'print-uid.py', { args: [token], limits: { wallTimeMs: 20_000 }, signal: controller.signal });
    let hostUid: number | undefined;
    for (let i = 0; i < 100 && hostUid === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(token)) continue;
          const status = readFileSync(`/proc/${pid}/status`, 'utf8');
          if (!/^Name:\s+python3/m.test(status)) continue;
          hostUid = Number(/^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status)?.[1]);
        } catch {
          // exited meanwhile
        }
      }
    }
    controller.abort();
    await expect(run).rejects.toSatisfy((e: unknown) => isJudgeError(e, 'JDG_ERR_OPERATION_ABORTED'));
    expect(hostUid).toBeGreaterThanOrEqual(uidRange.first);
    expect(hostUid).toBeLessThan(uidRange.first + uidRange.count);
  });
});
