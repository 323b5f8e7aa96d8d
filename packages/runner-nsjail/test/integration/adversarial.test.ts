import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isJudgeError } from '@judgekit/core';
import { type AdversarialContext, processesWithUids, runnerAdversarialSuite } from '@judgekit/core/testing';
import { expect } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { nsjailAvailable } from './nsjail-available.js';

// A range of its own per test process: another worktree running this suite at the same time
// must not show up in the check for processes left with a sandbox uid.
const uidRange = { first: 62000 + (process.pid % 100) * 50, count: 50 };

/**
 * Whether another live judge process holds this uid (its lock link `<workDirBase>/.uid-N` names
 * that process): its sandboxes are its own, not leftovers of this suite (tests of other
 * checkouts on the same host use the same range).
 */
const heldElsewhere = (uid: number, workDirBase: string): boolean => {
  try {
    const owner = Number(readlinkSync(join(workDirBase, `.uid-${uid}`)));
    if (owner === process.pid) return false;
    process.kill(owner, 0);
    return true;
  } catch {
    return false;
  }
};

/** Real uid of a host process (NaN once it has exited). */
const uidOf = (pid: number): number => {
  try {
    return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return Number.NaN;
  }
};

/** The cases whose expectations are the nsjail runner's own: what /proc shows, and the uid the host sees. */
function nsjailCases(ctx: AdversarialContext): void {
  ctx.test('list-processes', 'sees only its own processes in /proc', async () => {
    const out = await ctx.run('list-processes.py');
    const pids = out.stdout
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[0]));
    expect(out.stdout).toContain("2 b'python3 -B main.py'");
    // PID 1 is the init shell or the warm jail's supervisor, 2 is the program.
    expect(pids).toEqual([1, 2]);
    expect(out.stdout).not.toMatch(/node|vitest|nsjail/);
  });

  ctx.test('host-uid', 'runs the program under an unprivileged uid the host sees, never root', async () => {
    const token = `uidprobe${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    const run = ctx.run('print-uid.py', { args: [token], limits: { wallTimeMs: 20_000 }, signal: controller.signal });
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
}

// Every program runs every way a command can: in an nsjail of its own (warmJail: false), as a
// later command in the sandbox's warm jail (the first started its own nsjail), and in a jail
// started before the sandbox opened, first command included (the default).
const modes = [
  { name: 'nsjail, one nsjail per command', options: { warmJail: false }, laterCommand: false, warm: false },
  { name: 'nsjail, warm jail', options: { warmJail: true, prestartedJails: 0 }, laterCommand: true, warm: true },
  { name: 'nsjail, pre-started jail', options: { prestartedJails: 2 }, laterCommand: false, warm: true },
];
if (nsjailAvailable()) {
  for (const mode of modes) {
    let runner: NsjailRunner;
    runnerAdversarialSuite({
      name: mode.name,
      createRunner: () => {
        runner = new NsjailRunner({ uidRange, ...mode.options });
        return runner;
      },
      leftovers: async () => {
        // Jails waiting in the pool run their supervisors under sandbox uids of their own.
        const waiting = runner.closed ? [] : runner.prestartedUids();
        return [
          ...(await runner.leftovers()),
          ...processesWithUids(uidRange.first, uidRange.count)
            .filter((pid) => !waiting.includes(uidOf(pid)) && !heldElsewhere(uidOf(pid), runner.workDirBase))
            .map((pid) => `process ${pid} with a sandbox uid`),
        ];
      },
      laterCommand: mode.laterCommand,
      checkSandbox: (box, fixture) => {
        if (!mode.warm) return;
        const inner = (box as { inner?: { warm?: boolean; warmError?: string } }).inner;
        if (!inner?.warm) throw new Error(`${fixture} did not run in a warm jail: ${inner?.warmError ?? 'it ended'}`);
      },
      diskPaths: [new NsjailRunner().workDirBase],
      // A line of the init shell's or the supervisor's own (the init's command line, which a program may list, is not one).
      judgeMessages: /^(\[judgekit\]|\[jk\] |judgekit-init:)|\x1e[0-9a-f]{32}\x1f/m,
      cases: nsjailCases,
    });
  }
}
