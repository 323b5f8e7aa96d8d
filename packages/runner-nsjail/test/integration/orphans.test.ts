import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { python3 } from '@judgekit/core';
import { processesWithUids } from '@judgekit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { mountsUnder } from '../../src/storage.js';
import { nsjailAvailable } from './nsjail-available.js';

// The built packages (scripts/setup.sh builds them): a judge as users run it.
const child = new URL('./fixtures/judge-child.mjs', import.meta.url).pathname;
const first = 62000 - 100 + (process.pid % 5) * 10;
// A cgroup parent of its own: the startup sweep of another judge on this host (another test
// file) must not be what kills the orphans here.
const cgroupParent = `JUDGEKIT-ORPHANS-${process.pid}`;

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.runIf(nsjailAvailable())('jails of a judge killed with SIGKILL', () => {
  const base = mkdtempSync(join(tmpdir(), 'jk-orphans-'));
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
    for (const controller of ['memory', 'pids', 'cpuacct']) {
      try {
        rmdirSync(`/sys/fs/cgroup/${controller}/${cgroupParent}`);
      } catch {
        // never created
      }
    }
  });

  for (const mode of ['cold', 'warm', 'prestarted'] as const) {
    it(`die with the judge, and the next judge's sweep removes what they left (${mode})`, async () => {
      // A real judge process running a program that sleeps.
      const judge: ChildProcess = spawn(process.execPath, [child, base, String(first), mode, cgroupParent], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let said = '';
      judge.stdout!.on('data', (chunk: Buffer) => {
        said += chunk.toString();
      });
      let gone = false;
      const exited = new Promise((resolve) => judge.on('exit', resolve)).then(() => {
        gone = true;
      });
      await until('the program to run', () => gone || (said.includes('running') && processesWithUids(first, 10).length > 0), 30_000);
      expect(gone, 'the judge process exited by itself').toBe(false);
      const sandboxes = readdirSync(base).filter((d) => /^\d+-/.test(d) && !d.endsWith('.io'));
      // A pre-started jail's pool may be building its next one meanwhile.
      if (mode === 'prestarted') expect(sandboxes.length).toBeGreaterThanOrEqual(1);
      else expect(sandboxes.length).toBe(1);
      judge.kill('SIGKILL');
      await exited;
      // nsjail had a parent-death signal: its jail goes at once, not at its 60 s wall limit.
      await until('the orphaned jail to die', () => processesWithUids(first, 10).length === 0, 5000);
      // Its storage, cgroups and uid locks stay until a judge starts on the same folder.
      if (mode !== 'prestarted') expect(mountsUnder(base)).toEqual([join(base, sandboxes[0]!)]);
      else expect(mountsUnder(base)).toContain(join(base, sandboxes[0]!));
      const next = new NsjailRunner({ workDirBase: base, cgroupParent, uidRange: { first, count: 10 }, prestartedJails: 0 });
      const box = await next.open({ language: python3 });
      await box.dispose();
      await next.close();
      expect(mountsUnder(base)).toEqual([]);
      expect(existsSync(join(base, sandboxes[0]!))).toBe(false);
      expect(readdirSync(base).filter((d) => d.startsWith('.uid-'))).toEqual([]);
      expect(await next.leftovers()).toEqual([]);
    }, 60_000);
  }
});
