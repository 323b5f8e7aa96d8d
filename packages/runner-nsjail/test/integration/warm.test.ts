import { randomBytes } from 'node:crypto';
import { defaultLimits, isJudgeError, type Limits, python3, type Sandbox } from '@judgekit/core';
import { processesWithUids } from '@judgekit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { nsjailAvailable } from './nsjail-available.js';

const MiB = 1024 * 1024;
const uidRange = { first: 61200, count: 20 };
const inner = (box: Sandbox) => (box as unknown as { inner: { warm: boolean; warmError?: string } }).inner;
const sh = (box: Sandbox, script: string, limits: Partial<Limits> = {}, stdin?: string | Uint8Array, signal?: AbortSignal) =>
  box.exec({ argv: ['sh', '-c', script], limits: { ...defaultLimits, ...limits }, stdin }, { signal });
const py = (box: Sandbox, code: string, limits: Partial<Limits> = {}) =>
  box.exec({ argv: ['python3', '-c', code], limits: { ...defaultLimits, ...limits } });

/** A sandbox whose first command has run, so the next ones go to its warm jail. */
async function warmBox(runner: NsjailRunner): Promise<Sandbox> {
  const box = await runner.open({ language: python3 });
  expect((await sh(box, 'true')).exitCode).toBe(0);
  return box;
}

describe.runIf(nsjailAvailable())('NsjailRunner warm jail: the commands after a sandbox’s first share one long-lived jail', () => {
  let runner: NsjailRunner;
  beforeAll(() => {
    runner = new NsjailRunner({ uidRange });
  });
  afterAll(async () => {
    await runner.close();
    expect(processesWithUids(uidRange.first, uidRange.count)).toEqual([]);
    expect(await runner.leftovers()).toEqual([]);
  });

  it('runs later commands in one pid namespace, one after another, and says so in health()', async () => {
    const box = await warmBox(runner);
    const first = Number((await sh(box, 'echo $$')).stdout);
    const second = Number((await sh(box, 'echo $$')).stdout);
    expect(inner(box).warm).toBe(true);
    // The same namespace goes on counting; in an nsjail of its own a command's shell is always pid 2.
    expect(first).toBeGreaterThanOrEqual(2);
    expect(second).toBeGreaterThan(first);
    await box.dispose();
    expect((await runner.health()).details['warm jail']).toMatch(/^on \(supervisor /);
  });

  it('leaves nothing of a command alive for the next, not even a detached daemon', async () => {
    const box = await warmBox(runner);
    const started = await sh(box, 'setsid sleep 60 </dev/null >/dev/null 2>&1 & echo $!');
    const daemon = Number(started.stdout);
    expect(daemon).toBeGreaterThan(0);
    const seen = await sh(box, 'cd /proc && ls -d [0-9]*');
    const pids = seen.stdout.split('\n').filter(Boolean).map(Number);
    expect(pids).not.toContain(daemon);
    // The supervisor (pid 1), the shell listing, and nothing else.
    expect(pids.filter((p) => p !== 1).length).toBe(1);
    await box.dispose();
  });

  it('gives every command, the first included, no descriptor but stdin, stdout and stderr', async () => {
    // The supervisor and the forker close everything above their stdio before exec
    // (close_range where the kernel has it): nothing of theirs reaches the program.
    const code =
      'import os\nleaked = []\nfor fd in range(3, 65536):\n    try:\n        os.fstat(fd)\n        leaked.append(fd)\n    except OSError:\n        pass\nprint(leaked)';
    const box = await runner.open({ language: python3 });
    const limits = { openFiles: 65536 };
    const first = await py(box, code, limits);
    const later = await py(box, code, limits);
    expect(inner(box).warm).toBe(true);
    expect([first.exitCode, first.stdout]).toEqual([0, '[]\n']);
    expect([later.exitCode, later.stdout]).toEqual([0, '[]\n']);
    await box.dispose();
  });

  it('passes stdin through and keeps stdout and stderr apart, byte for byte, end markers never leaking', async () => {
    const box = await warmBox(runner);
    // Bytes like the end marker's own (0x1e, 0x1f) included, and more than a pipe holds.
    const input = Buffer.concat([randomBytes(3 * MiB), Buffer.from('\x1e0123\x1f')]).toString('base64');
    const out = await sh(box, 'cat; printf "\\036x\\037" >&2', { outputBytes: 8 * MiB }, input);
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe(input);
    expect(out.stderr).toBe('\x1ex\x1f');
    const empty = await sh(box, 'true');
    expect([empty.stdout, empty.stderr]).toEqual(['', '']);
    await box.dispose();
  });

  it('cannot be signalled, traced or read by the program it runs', async () => {
    const box = await warmBox(runner);
    const out = await sh(
      box,
      'kill -9 1; kill -USR1 1; kill -TERM 1; ls /proc/1/fd 2>&1 | head -1; cat /proc/1/environ 2>&1 | head -c 80; echo; echo alive',
    );
    expect(out.stdout).toMatch(/Permission denied/);
    expect(out.stdout).toMatch(/alive/);
    expect((await sh(box, 'echo still')).stdout).toBe('still\n');
    expect(inner(box).warm).toBe(true);
    await box.dispose();
  });

  it('applies each command’s own limits, lower then higher again, and measures each alone', async () => {
    const box = await warmBox(runner);
    const touch100 = "x = b'\\x01' * (100 << 20); print(len(x))";
    const tight = await py(box, touch100, { memoryBytes: 64 * MiB });
    expect(tight.limitExceeded).toBe('memory');
    const roomy = await py(box, touch100, { memoryBytes: 256 * MiB });
    expect(roomy.exitCode).toBe(0);
    expect(roomy.memoryBytes).toBeGreaterThanOrEqual(100 * MiB);
    expect(roomy.memoryBytes).toBeLessThan(140 * MiB);
    const small = await py(box, 'print(1)', { memoryBytes: 256 * MiB });
    expect(small.memoryBytes).toBeLessThan(40 * MiB);
    const busy = await sh(box, 'while :; do :; done', { cpuTimeMs: 300, wallTimeMs: 3000 });
    expect(busy.limitExceeded).toBe('cpu');
    expect(busy.cpuTimeMs).toBeGreaterThanOrEqual(300);
    const quick = await sh(box, 'true');
    expect(quick.cpuTimeMs).toBeLessThan(100);
    expect(quick.limitExceeded).toBeNull();
    await box.dispose();
  });

  it('reports a missing command as a sandbox failure and an abort as such, then serves the next command', async () => {
    const box = await warmBox(runner);
    const missing = await box.exec({ argv: ['no-such-command-jk'], limits: defaultLimits }).catch((e: unknown) => e);
    expect(isJudgeError(missing, 'JDG_ERR_SANDBOX_FAILED')).toBe(true);
    expect((missing as Error).message).toMatch(/command not found in the sandbox: no-such-command-jk/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const aborted = await sh(box, 'sleep 30', { wallTimeMs: 20_000 }, undefined, controller.signal).catch((e: unknown) => e);
    expect(isJudgeError(aborted, 'JDG_ERR_OPERATION_ABORTED')).toBe(true);
    expect((await sh(box, 'echo next')).stdout).toBe('next\n');
    expect(inner(box).warm).toBe(true);
    await box.dispose();
  });

  it('stops a command whose wall limit passes before its program has even started, in its own nsjail and in the jail', async () => {
    const box = await runner.open({ language: python3 });
    for (const where of ['own nsjail', 'warm jail']) {
      const started = performance.now();
      const out = await sh(box, 'sleep 3', { wallTimeMs: 2 });
      expect(out.limitExceeded, where).toBe('wall');
      expect(out.signal, where).toBe('SIGKILL');
      expect(performance.now() - started, where).toBeLessThan(1500);
    }
    expect(inner(box).warm).toBe(true);
    await box.dispose();
  });

  it('gives a command its whole memory limit above the files earlier tests left, and measures it without them', async () => {
    const box = await warmBox(runner);
    const wrote = await sh(box, 'head -c 100000000 /dev/zero > big && head -c 50000000 /dev/zero > /tmp/big && echo ok', {
      memoryBytes: 256 * MiB,
      fileSizeBytes: 128 * MiB,
    });
    expect(wrote).toMatchObject({ exitCode: 0, stdout: 'ok\n', limitExceeded: null });
    expect(wrote.memoryBytes).toBeGreaterThanOrEqual(140 * MiB);
    expect(inner(box).warm).toBe(true);
    // 150 MB of files held by the jail's group; this test's limit is 64 MiB, for itself alone.
    const next = await py(box, 'b = bytearray(32 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint("fine")', {
      memoryBytes: 64 * MiB,
    });
    expect(next).toMatchObject({ exitCode: 0, stdout: 'fine\n', limitExceeded: null });
    expect(next.memoryBytes).toBeGreaterThanOrEqual(32 * MiB);
    expect(next.memoryBytes).toBeLessThanOrEqual(64 * MiB);
    expect(inner(box).warm).toBe(true);
    await box.dispose();
  });

  it('with warmJail: false, runs every command in an nsjail of its own', async () => {
    const cold = new NsjailRunner({ uidRange: { first: uidRange.first + 10, count: 5 }, warmJail: false });
    const box = await cold.open({ language: python3 });
    const pids = [];
    for (let i = 0; i < 3; i++) pids.push(Number((await sh(box, 'echo $$')).stdout));
    expect(pids).toEqual([2, 2, 2]);
    expect(inner(box).warm).toBe(false);
    await box.dispose();
    expect((await cold.health()).details['warm jail']).toMatch(/^off/);
    await cold.close();
  });
});
