import { describe, expect, it } from 'vitest';
import { isJudgeError } from '../errors/judge-error.js';
import { python3 } from '../languages/builtins.js';
import { refusedSandboxPaths } from '../testing/conformance.js';
import { FakeRunner } from './fake-runner.js';
import { defaultLimits } from './limits.js';
import { sandboxPathSegments } from './sandbox-rules.js';

describe('BaseRunner’s sandbox contract', () => {
  it.each(refusedSandboxPaths)('refuses a path $name on write and read, before the backend sees it', async ({ path, why }) => {
    const runner = new FakeRunner();
    const box = await runner.open({ language: python3 });
    for (const call of [() => box.write([{ path, content: 'x' }]), () => box.read(path)]) {
      const error = await call().catch((e: unknown) => e);
      expect(isJudgeError(error, 'JDG_ERR_SANDBOX_PATH_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(why);
    }
    await box.dispose();
    await runner.close();
  });

  it('accepts ordinary relative paths, folders included', async () => {
    expect(sandboxPathSegments('lib/util.py')).toEqual(['lib', 'util.py']);
    expect(sandboxPathSegments('.hidden/..dots...')).toEqual(['.hidden', '..dots...']);
    const runner = new FakeRunner();
    await using box = await runner.open({ language: python3 });
    await box.write([{ path: 'lib/util.py', content: 'x', mode: 0o755 }]);
    expect(Buffer.from(await box.read('lib/util.py')).toString()).toBe('x');
  });

  it.each([
    [{ argv: [] }, 'argv'],
    [{ argv: ['python3', 'a\0b'] }, 'argv.1'],
    [{ argv: [''] }, 'argv.0'],
    [{ argv: ['x', 5] }, 'argv.1'],
    [{ argv: ['x'], env: { 'A-B': '1' } }, 'env.A-B'],
    [{ argv: ['x'], env: { '1A': '1' } }, 'env.1A'],
    [{ argv: ['x'], env: { JK_FD: '3' } }, 'env.JK_FD'],
    [{ argv: ['x'], env: { A: 'x\0y' } }, 'env.A'],
    [{ argv: ['x'], env: { A: 1 } }, 'env.A'],
    [{ argv: ['x'], limits: { ...defaultLimits, memoryBytes: 0 } }, 'limits.memoryBytes'],
    [{ argv: ['x'], limits: { ...defaultLimits, memoryBytes: 1 << 20 } }, 'limits.memoryBytes'],
    [{ argv: ['x'], limits: { ...defaultLimits, openFiles: 8 } }, 'limits.openFiles'],
    [{ argv: ['x'], limits: { ...defaultLimits, cpuTimeMs: 1.5 } }, 'limits.cpuTimeMs'],
    [{ argv: ['x'], limits: { ...defaultLimits, wallTimeMs: Number.NaN } }, 'limits.wallTimeMs'],
    [{ argv: ['x'], stdin: 42 }, 'stdin'],
  ])('refuses the exec request %j naming %s', async (request, path) => {
    let execs = 0;
    const runner = new FakeRunner({
      program: () => {
        execs++;
        return {};
      },
    });
    await using box = await runner.open({ language: python3 });
    const error = await box.exec({ limits: defaultLimits, ...request } as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'JDG_ERR_INPUT_INVALID', details: { issues: [{ path }] } });
    expect(execs).toBe(0);
  });

  it('answers an abort the same way whatever the backend does with it', async () => {
    let execs = 0;
    // A backend that ignores the signal and answers normally after it aborted.
    const runner = new FakeRunner({
      program: async () => {
        execs++;
        await new Promise((r) => setTimeout(r, 20));
        return { stdout: 'finished anyway' };
      },
    });
    await using box = await runner.open({ language: python3 });
    const before = AbortSignal.abort(new Error('gone'));
    for (const call of [
      () => box.exec({ argv: ['x'], limits: defaultLimits }, { signal: before }),
      () => box.write([{ path: 'a', content: '' }], { signal: before }),
      () => box.read('a', { signal: before }),
      () => runner.open({ language: python3 }, { signal: before }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'JDG_ERR_OPERATION_ABORTED', cause: before.reason });
    }
    expect(execs).toBe(0);
    const during = new AbortController();
    setTimeout(() => during.abort(), 5);
    await expect(box.exec({ argv: ['x'], limits: defaultLimits }, { signal: during.signal })).rejects.toMatchObject({
      code: 'JDG_ERR_OPERATION_ABORTED',
    });
    expect(execs).toBe(1);
  });

  it('refuses every call after dispose', async () => {
    const runner = new FakeRunner();
    const box = await runner.open({ language: python3 });
    await box.dispose();
    for (const call of [() => box.exec({ argv: ['x'], limits: defaultLimits }), () => box.write([]), () => box.read('a')]) {
      await expect(call()).rejects.toMatchObject({ code: 'JDG_ERR_SANDBOX_DISPOSED' });
    }
    expect(runner.openSandboxes).toBe(0);
  });
});
