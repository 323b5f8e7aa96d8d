import { readdirSync, readFileSync } from 'node:fs';
import { defaultLimits, type Limits, python3, type Sandbox } from '@judgekit/core';
import { processesWithUids } from '@judgekit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { nsjailAvailable } from './nsjail-available.js';
import { readyJails } from './prestarted-jails.js';

const uidRange = { first: 61300, count: 30 };
const inner = (box: Sandbox) => (box as unknown as { inner: { warm: boolean; warmError?: string; jailPid?: number } }).inner;
/** A jail's identity on the host over time: its nsjail's pid and that process's start time. */
const jailIdentity = (box: Sandbox): string => {
  const pid = inner(box).jailPid!;
  return `${pid}@${readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]}`;
};
const sh = (box: Sandbox, script: string, limits: Partial<Limits> = {}) =>
  box.exec({ argv: ['sh', '-c', script], limits: { ...defaultLimits, ...limits } });

/** Host pids whose real uid is `uid`. */
const pidsOfUid = (uid: number): number[] =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1]) === uid;
      } catch {
        return false;
      }
    })
    .map(Number);

/**
 * What a submission's first command sees of its jail: the identity of its pid and mount
 * namespaces, its pid there, and whatever an earlier submission could have left in /tmp or /box.
 */
const probe = 'readlink /proc/self/ns/pid /proc/self/ns/mnt; echo $$; ls -A /tmp /box; echo mark > /tmp/left; echo mark > /box/left';

describe.runIf(nsjailAvailable())('NsjailRunner pre-started jails: made ahead of demand, one submission each', () => {
  let runner: NsjailRunner;
  beforeAll(() => {
    runner = new NsjailRunner({ uidRange, prestartedJails: 2 });
  });
  afterAll(async () => {
    await runner.close();
    // Drained on close: no jail, work directory, cgroup, uid or process is left.
    expect(await runner.leftovers()).toEqual([]);
    expect(runner.prestartedUids()).toEqual([]);
    expect(processesWithUids(uidRange.first, uidRange.count)).toEqual([]);
  });

  it('runs every command, the first included, in a jail that was waiting before the sandbox opened', async () => {
    // The first sandbox starts the pool.
    await (await runner.open({ language: python3 })).dispose();
    const { hits } = await readyJails(runner, 2);
    const box = await runner.open({ language: python3 });
    const first = await sh(box, 'echo $$; cat /proc/1/cmdline | tr "\\0" " "');
    expect(inner(box).warm).toBe(true);
    // PID 1 of the first command's namespace is the supervisor, not an init shell of its own.
    expect(first.stdout).toMatch(/^2\n\/\.jk\/jk-jail/);
    const second = await sh(box, 'echo $$');
    expect(Number(second.stdout)).toBeGreaterThan(2);
    await box.dispose();
    expect(runner.prestartedStats()!.hits).toBe(hits + 1);
    expect((await runner.health()).details['pre-started jails']).toContain(`${hits + 1} taken ready`);
    // The pool refills behind the taken jail.
    await readyJails(runner, 2);
  });

  it('never lets a jail serve two submissions, one after another or side by side', async () => {
    const seen: { jail: string; pidNs: string; mntNs: string; out: string }[] = [];
    const submission = async (together?: { arrive(): Promise<void> }) => {
      const box = await runner.open({ language: python3 });
      try {
        const out = await sh(box, probe);
        expect(out.exitCode).toBe(0);
        expect(inner(box).warm).toBe(true);
        const [pidNs, mntNs] = out.stdout.split('\n');
        seen.push({ jail: jailIdentity(box), pidNs: pidNs!, mntNs: mntNs!, out: out.stdout });
        // Its own marks are there for its later commands, as in any sandbox.
        expect((await sh(box, 'cat /tmp/left /box/left')).stdout).toBe('mark\nmark\n');
        // Side by side: every one stays open until all have looked at their namespaces.
        await together?.arrive();
      } finally {
        await box.dispose();
      }
    };
    for (let i = 0; i < 5; i++) await submission();
    let arrived = 0;
    let allArrived: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (allArrived = resolve));
    const together = {
      arrive: () => {
        if (++arrived === 4) allArrived();
        return all;
      },
    };
    await Promise.all(Array.from({ length: 4 }, () => submission(together)));
    expect(seen).toHaveLength(9);
    // A jail of its own each time (the kernel reuses a dead namespace's number, so namespaces are
    // compared only among the four held open together), and nothing any earlier one wrote.
    expect(new Set(seen.map((s) => s.jail)).size).toBe(9);
    expect(new Set(seen.slice(5).map((s) => s.pidNs)).size).toBe(4);
    expect(new Set(seen.slice(5).map((s) => s.mntNs)).size).toBe(4);
    for (const s of seen) {
      expect(s.out.split('\n')[2]).toBe('2');
      expect(s.out).not.toContain('left');
    }
  });

  it('stops a jail before removing it: at stop() every process of it is killed, and dispose() then leaves nothing', async () => {
    await readyJails(runner, 2);
    const box = await runner.open({ language: python3 });
    expect(inner(box).warm).toBe(true);
    const running = sh(box, 'sleep 30 & sleep 30', { wallTimeMs: 60_000 }).catch((error: unknown) => error);
    const sleeps = (): number[] =>
      processesWithUids(uidRange.first, uidRange.count).filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\x0030\x00';
        } catch {
          return false;
        }
      });
    for (let i = 0; sleeps().length < 2; i++) {
      if (i > 500) throw new Error('the sleeps did not start');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const pids = sleeps();
    await box.stop!();
    // Gone, a zombie, or SIGKILL pending (bit 8 of the pending masks): none runs again.
    const killed = (pid: number): boolean => {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        if (/^State:\s+[ZX]/m.test(status)) return true;
        return ['SigPnd', 'ShdPnd'].some(
          (key) => (BigInt(`0x${new RegExp(`^${key}:\\s+([0-9a-f]+)`, 'm').exec(status)![1]}`) & 256n) !== 0n,
        );
      } catch {
        return true;
      }
    };
    expect(pids.map(killed)).toEqual([true, true]);
    expect((await running) as { code?: string }).toMatchObject({ code: 'JDG_ERR_SANDBOX_DISPOSED' });
    await box.dispose();
    expect(await runner.leftovers()).toEqual([]);
    expect(sleeps()).toEqual([]);
  });

  it('flushes its ready jails when one is found dead, and the sandbox still gets a working jail', async () => {
    const { misses, destroyed } = await readyJails(runner, 2);
    // Kill every ready jail's supervisor from the host, as a broken host would.
    for (const uid of runner.prestartedUids()) for (const pid of pidsOfUid(uid)) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const box = await runner.open({ language: python3 });
    const out = await sh(box, 'echo ok');
    expect(out.stdout).toBe('ok\n');
    expect(inner(box).warm).toBe(true);
    await box.dispose();
    const after = await readyJails(runner, 2);
    // None of the dead jails was handed out: this one was started on demand, both were destroyed.
    expect(after.misses).toBe(misses + 1);
    expect(after.destroyed).toBeGreaterThanOrEqual(destroyed + 3);
  });

  it('with prestartedJails: 0, starts the first command in an nsjail of its own', async () => {
    const cold = new NsjailRunner({ uidRange: { first: 61340, count: 5 }, prestartedJails: 0 });
    try {
      const box = await cold.open({ language: python3 });
      const first = await sh(box, 'cat /proc/1/cmdline | tr "\\0" " "');
      // PID 1 is the supervisor in its one-command mode.
      expect(first.stdout).toMatch(/^\/\.jk\/jk-jail once \d+ sh -c /);
      expect(inner(box).warm).toBe(false);
      await sh(box, 'true');
      expect(inner(box).warm).toBe(true);
      await box.dispose();
      expect((await cold.health()).details['pre-started jails']).toBe('off (option prestartedJails: 0)');
    } finally {
      await cold.close();
    }
    expect(await cold.leftovers()).toEqual([]);
  });

  it('refuses a pool size that is not a whole number from 0 to 64, from the option or JUDGEKIT_PRESTARTED_JAILS', async () => {
    for (const size of [-1, 1.5, 65]) {
      expect(() => new NsjailRunner({ prestartedJails: size })).toThrow(/prestartedJails/);
    }
    process.env.JUDGEKIT_PRESTARTED_JAILS = 'many';
    try {
      expect(() => new NsjailRunner()).toThrow(/JUDGEKIT_PRESTARTED_JAILS="many"/);
      process.env.JUDGEKIT_PRESTARTED_JAILS = '0';
      expect((await new NsjailRunner().health()).details['pre-started jails']).toBe('off (option prestartedJails: 0)');
    } finally {
      delete process.env.JUDGEKIT_PRESTARTED_JAILS;
    }
  });
});
