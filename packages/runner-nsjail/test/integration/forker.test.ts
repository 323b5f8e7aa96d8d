import { readdirSync, readFileSync } from 'node:fs';
import { defaultLimits, type Limits, python3, type Sandbox } from '@judgekit/core';
import { processesWithUids } from '@judgekit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { nsjailAvailable } from './nsjail-available.js';
import { readyJails } from './prestarted-jails.js';

const uidRange = { first: 61700, count: 30 };
const sh = (box: Sandbox, script: string, limits: Partial<Limits> = {}) =>
  box.exec({ argv: ['sh', '-c', script], limits: { ...defaultLimits, ...limits } });

/** Live children of this process, with their command names. */
const children = (): { pid: number; comm: string }[] =>
  readdirSync(`/proc/${process.pid}/task`)
    .flatMap((tid) => readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean))
    .map(Number)
    .map((pid) => {
      try {
        return { pid, comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim() };
      } catch {
        return { pid, comm: '' };
      }
    });
const forkerPids = (): number[] =>
  children()
    .filter((c) => c.comm.startsWith('.jk-forker'))
    .map((c) => c.pid);
/** Live (not zombie) processes among `pids`: a killed jail's processes are reaped by the host's init. */
const live = (pids: number[]): number[] =>
  pids.filter((pid) => {
    try {
      return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  });
const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);

/** What a program sees of its jail: the modes of its folders and devices, its umask, its identity. */
const probe = [
  'stat -c "%a %U %n" / /dev /dev/null /dev/zero /dev/urandom /box /tmp /proc',
  'umask',
  'ls -l /proc/self/fd | tail -n +2 | wc -l',
  'head -c 4 /dev/zero | od -An -tx1',
  'cat /proc/self/status | grep -E "^(Uid|Gid|CapEff|CapBnd|NoNewPrivs|Seccomp):"',
].join('; ');

describe.runIf(nsjailAvailable())('NsjailRunner forker: jails and storage without forking the judge', () => {
  const runners: NsjailRunner[] = [];
  afterAll(async () => {
    for (const runner of runners) {
      // destroy(): a failed test's open sandbox must not hold close() up.
      await runner.destroy();
      expect(await runner.leftovers()).toEqual([]);
    }
    expect(live(processesWithUids(uidRange.first, uidRange.count))).toEqual([]);
  });

  it('starts the pre-started jails from the forker, and the program sees exactly what it sees without it', async () => {
    const seen: string[] = [];
    for (const forker of [true, false]) {
      const runner = new NsjailRunner({ uidRange: { first: uidRange.first + (forker ? 0 : 10), count: 10 }, prestartedJails: 1, forker });
      runners.push(runner);
      const box = await runner.open({ language: python3 });
      await readyJails(runner, 1);
      const jailPid = (box as unknown as { inner: { jailPid?: number } }).inner.jailPid!;
      if (forker) {
        // nsjail is the forker's child, not the judge's: no shell, no setpriv, no fork of the judge.
        expect(forkerPids()).toHaveLength(1);
        expect(parentOf(jailPid)).toBe(forkerPids()[0]);
        expect(readFileSync(`/proc/${jailPid}/comm`, 'utf8').trim()).toBe('nsjail');
      } else {
        expect(parentOf(jailPid)).toBe(process.pid);
      }
      const out = await sh(box, probe);
      expect(out.exitCode, out.stderr).toBe(0);
      expect(out.stdout).toContain('00 00 00 00');
      expect(out.stdout).toContain('NoNewPrivs:\t1');
      seen.push(out.stdout);
      // From the forker, stdout and stderr are FIFOs (real pipes; the shell launcher's are
      // socket pairs): what the program writes arrives whole and apart.
      const kinds = await box.exec({
        argv: [
          'python3',
          '-c',
          'import os,stat,sys; print([stat.S_ISFIFO(os.fstat(n).st_mode) for n in (1, 2)]); print("e" * 100000, file=sys.stderr)',
        ],
        limits: defaultLimits,
      });
      expect(kinds.stdout).toBe(forker ? '[True, True]\n' : '[False, False]\n');
      expect(kinds.stderr).toBe(`${'e'.repeat(100000)}\n`);
      await box.dispose();
      await runner.close();
      expect(await runner.leftovers()).toEqual([]);
    }
    expect(seen[0]).toBe(seen[1]);
  });

  it('notices a killed forker: its jails die with it, and the next submission runs through a new one', async () => {
    const runner = new NsjailRunner({ uidRange: { first: uidRange.first + 20, count: 10 }, prestartedJails: 2 });
    runners.push(runner);
    const box = await runner.open({ language: python3 });
    expect((await sh(box, 'echo one')).stdout).toBe('one\n');
    await box.dispose();
    await readyJails(runner, 2);
    const [forker] = forkerPids();
    expect(forker).toBeDefined();
    const jails = children().length;
    expect(jails).toBeGreaterThan(0);
    process.kill(forker!, 'SIGKILL');
    // Its ready jails got SIGKILL with it (their parent-death signal): none of their processes stays.
    for (let i = 0; i < 200 && live(processesWithUids(uidRange.first + 20, 10)).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(live(processesWithUids(uidRange.first + 20, 10))).toEqual([]);
    // The dead jails are flushed, a new forker starts, and submissions run as before.
    for (let i = 0; i < 3; i++) {
      const next = await runner.open({ language: python3 });
      expect((await sh(next, 'echo again')).stdout).toBe('again\n');
      await next.dispose();
    }
    const now = forkerPids();
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(forker);
  });
});
