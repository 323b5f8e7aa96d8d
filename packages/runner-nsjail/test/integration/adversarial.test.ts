import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { isJudgeError } from '@judgekit/core';
import { type AdversarialContext, processesWithUids, runnerAdversarialSuite } from '@judgekit/core/testing';
import { expect } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { nsjailAvailable } from './nsjail-available.js';

// A range of its own per test process: another worktree running this suite at the same time
// must not show up in the check for processes left with a sandbox uid.
const uidRange = { first: 62000 + (process.pid % 100) * 50, count: 50 };

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

// Every program runs both ways a command can: in an nsjail of its own (a sandbox's first
// command, or warmJail: false) and as a later command in the sandbox's warm jail.
if (nsjailAvailable()) {
  for (const warmJail of [false, true]) {
    let runner: NsjailRunner;
    runnerAdversarialSuite({
      name: warmJail ? 'nsjail, warm jail' : 'nsjail, one nsjail per command',
      createRunner: () => {
        runner = new NsjailRunner({ uidRange, warmJail });
        return runner;
      },
      leftovers: async () => [
        ...(await runner.leftovers()),
        ...processesWithUids(uidRange.first, uidRange.count).map((pid) => `process ${pid} with a sandbox uid`),
      ],
      laterCommand: warmJail,
      checkSandbox: (box, fixture) => {
        if (!warmJail) return;
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
