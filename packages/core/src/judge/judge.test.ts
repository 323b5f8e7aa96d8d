import { describe, expect, it } from 'vitest';
import { isJudgeError, JudgeError } from '../errors/judge-error.js';
import type { JudgeEvent } from '../events/contract.js';
import { FakeRunner } from '../runner/fake-runner.js';
import { gate, until } from './gate.fixture.js';
import { Judge } from './judge.js';

describe('Judge', () => {
  it('runs a submission and reports per-test verdicts and a summary', async () => {
    await using judge = new Judge({
      runner: new FakeRunner({ program: (r) => ({ stdout: `${Number(r.stdin) * 2}\n`, cpuTimeMs: 5, memoryBytes: 1000 }) }),
    });
    const result = await judge.run({
      language: 'python3',
      source: 'print(int(input()) * 2)',
      tests: [
        { input: '5', expectedOutput: '10' },
        { name: 'big', input: '7', expectedOutput: '15' },
      ],
    });
    expect(result).toMatchObject({ status: 'done', verdict: 'wrong_answer', language: { id: 'python3' } });
    expect(result.tests.map((t) => [t.name, t.verdict])).toEqual([
      ['1', 'accepted'],
      ['big', 'wrong_answer'],
    ]);
    expect(result.summary).toEqual({ passed: 1, total: 2, maxCpuTimeMs: 5, maxWallTimeMs: 0, maxMemoryBytes: 1000 });
    expect(result.startedAt && result.finishedAt && result.createdAt <= result.startedAt).toBeTruthy();
  });

  it('accepts a clean run with no expected output (stdin form)', async () => {
    await using judge = new Judge({ runner: new FakeRunner() });
    const result = await judge.run({ language: 'python3', source: 'x', stdin: 'hi\n' });
    expect(result.verdict).toBe('accepted');
    expect(result.tests[0]?.stdout).toBe('hi\n');
  });

  it('compiles once and runs every test with the compiled program', async () => {
    const calls: string[] = [];
    await using judge = new Judge({
      runner: new FakeRunner({
        program: (r) => {
          calls.push(r.argv[0]!);
          return { stdout: 'x' };
        },
      }),
    });
    const result = await judge.run({ language: 'c', source: 'int main(){}', tests: [{}, {}, {}] });
    expect(result.verdict).toBe('accepted');
    expect(calls).toEqual(['gcc', './main', './main', './main']);
  });

  it('ends with compile_error and the compiler output when compilation fails', async () => {
    await using judge = new Judge({
      runner: new FakeRunner({ program: (r) => (r.argv[0] === 'gcc' ? { exitCode: 1, stderr: 'main.c:1: error: x' } : {}) }),
    });
    const result = await judge.run({ language: 'c', source: 'bad' });
    expect(result).toMatchObject({ verdict: 'compile_error', message: 'the compiler exited with code 1', tests: [] });
    expect(result.compile?.stderr).toContain('error: x');
  });

  it('calls a compiler that hits a limit a compile_error naming the limit', async () => {
    await using judge = new Judge({
      runner: new FakeRunner({ program: (r) => (r.argv[0] === 'gcc' ? { exitCode: null, signal: 'SIGKILL', limitExceeded: 'wall' } : {}) }),
    });
    const result = await judge.run({ language: 'c', source: 'bad' });
    expect(result).toMatchObject({ verdict: 'compile_error', message: 'the compiler exceeded its wall limit' });
  });

  it('turns a sandbox failure into internal_error saying what failed', async () => {
    await using judge = new Judge({
      runner: new FakeRunner({
        program: () => {
          throw new JudgeError('JDG_ERR_SANDBOX_FAILED', 'nsjail: mount(/usr) failed', { cause: new Error('EPERM') });
        },
      }),
    });
    const result = await judge.run({ language: 'python3', source: 'x' });
    expect(result).toMatchObject({ status: 'done', verdict: 'internal_error' });
    expect(result.message).toBe('JDG_ERR_SANDBOX_FAILED: nsjail: mount(/usr) failed: EPERM');
    expect(judge.stats().sandboxFailures).toBe(1);
  });

  it('skips the remaining tests after a failure with stopOnFirstFailure', async () => {
    await using judge = new Judge({ runner: new FakeRunner({ program: () => ({ stdout: 'no' }) }) });
    const result = await judge.run({
      language: 'python3',
      source: 'x',
      stopOnFirstFailure: true,
      tests: [{ expectedOutput: 'yes' }, { expectedOutput: 'no' }],
    });
    expect(result.tests.map((t) => t.verdict)).toEqual(['wrong_answer', 'skipped']);
  });

  it('runs a custom checker in its own sandbox and accepts on exit 0', async () => {
    const seen: string[][] = [];
    await using judge = new Judge({
      runner: new FakeRunner({
        program: (r, files) => {
          seen.push(r.argv);
          if (r.argv.includes('output.txt')) {
            const out = Buffer.from(files.get('output.txt')!).toString();
            return out.trim() === '42' ? {} : { exitCode: 1, stdout: 'expected 42' };
          }
          return { stdout: String(r.stdin) };
        },
      }),
    });
    const result = await judge.run({
      language: 'python3',
      source: 'x',
      checker: { type: 'custom', language: 'python3', source: 'import sys' },
      tests: [
        { input: '42', expectedOutput: 'anything' },
        { input: '41', expectedOutput: 'anything' },
      ],
    });
    expect(result.tests.map((t) => [t.verdict, t.message])).toEqual([
      ['accepted', null],
      ['wrong_answer', 'expected 42'],
    ]);
    expect(seen.some((argv) => argv.join(' ').endsWith('main.py input.txt output.txt expected.txt'))).toBe(true);
  });

  it('never runs more submissions at once than its concurrency, first in first out', async () => {
    const g = gate();
    await using judge = new Judge({ runner: new FakeRunner({ program: g.program }), concurrency: 2 });
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await judge.submit({ language: 'python3', source: 'x', stdin: String(i) }));
    await until(() => g.pending() === 2);
    expect(judge.stats()).toMatchObject({ queued: 4, running: 2 });
    while ((await Promise.all(ids.map((id) => judge.get(id)))).some((r) => r.status !== 'done')) await g.release(1);
    expect(g.maxRunning).toBe(2);
    expect(g.order).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('refuses submissions beyond maxQueued with a coded error and queues nothing', async () => {
    const g = gate();
    await using judge = new Judge({ runner: new FakeRunner({ program: g.program }), concurrency: 1, maxQueued: 2 });
    await judge.submit({ language: 'python3', source: 'x', stdin: 'a' });
    await until(() => g.pending() === 1);
    await judge.submit({ language: 'python3', source: 'x', stdin: 'b' });
    await judge.submit({ language: 'python3', source: 'x', stdin: 'c' });
    await expect(judge.submit({ language: 'python3', source: 'x' })).rejects.toMatchObject({ code: 'JDG_ERR_QUEUE_FULL' });
    expect(judge.stats().queued).toBe(2);
    await g.release();
    await until(() => g.pending() === 1);
    await g.release();
    await until(() => g.pending() === 1);
    await g.release();
  });

  it('cancels a queued submission so it never runs', async () => {
    const g = gate();
    await using judge = new Judge({ runner: new FakeRunner({ program: g.program }), concurrency: 1 });
    const first = await judge.submit({ language: 'python3', source: 'x', stdin: 'first' });
    const second = await judge.submit({ language: 'python3', source: 'x', stdin: 'second' });
    await until(() => g.pending() === 1);
    expect((await judge.cancel(second)).status).toBe('cancelled');
    await g.release();
    expect((await judge.wait(first)).verdict).toBe('accepted');
    await judge.close();
    expect(g.order).toEqual(['first']);
    expect((await judge.get(second)).status).toBe('cancelled');
  });

  it('cancels a running submission by killing its sandbox', async () => {
    const g = gate();
    const runner = new FakeRunner({ program: g.program });
    await using judge = new Judge({ runner, concurrency: 1 });
    const id = await judge.submit({ language: 'python3', source: 'x' });
    await until(() => g.pending() === 1);
    const result = await judge.cancel(id);
    expect(result.status).toBe('cancelled');
    expect(result.verdict).toBeNull();
    expect(runner.openSandboxes).toBe(0);
    expect(judge.stats()).toMatchObject({ running: 0, cancelled: 1 });
  });

  it('deletes a submission and then reports it unknown', async () => {
    await using judge = new Judge({ runner: new FakeRunner() });
    const result = await judge.run({ language: 'python3', source: 'x' });
    expect(await judge.delete(result.id)).toBe(true);
    expect(await judge.delete(result.id)).toBe(false);
    await expect(judge.get(result.id)).rejects.toMatchObject({ code: 'JDG_ERR_SUBMISSION_NOT_FOUND' });
  });

  it('streams lifecycle and per-test events to a watcher and to the emitter', async () => {
    const g = gate();
    await using judge = new Judge({ runner: new FakeRunner({ program: g.program }) });
    const all: JudgeEvent[] = [];
    judge.on('event', (e) => all.push(e));
    const id = await judge.submit({ language: 'c', source: 'x', tests: [{ input: '1' }, { input: '2' }] });
    const seen: string[] = [];
    const watching = (async () => {
      for await (const e of judge.watch(id)) seen.push(e.type === 'test' ? `test ${e.index + 1}/${e.total}` : e.type);
    })();
    await until(() => g.pending() === 1);
    await g.release();
    await until(() => g.pending() === 1);
    await g.release();
    await watching;
    expect(seen.filter((s) => s !== 'queued')).toEqual(['running', 'compiled', 'test 1/2', 'test 2/2', 'done']);
    expect(all.map((e) => e.type)).toEqual(['queued', 'running', 'compiled', 'test', 'test', 'done']);
  });

  it('ends a watch of a finished submission after its snapshot', async () => {
    await using judge = new Judge({ runner: new FakeRunner() });
    const { id } = await judge.run({ language: 'python3', source: 'x' });
    const events = [];
    for await (const e of judge.watch(id)) events.push(e.type);
    expect(events).toEqual(['done']);
  });

  it('gives up waiting after timeoutMs with a coded error', async () => {
    const g = gate();
    await using judge = new Judge({ runner: new FakeRunner({ program: g.program }) });
    const id = await judge.submit({ language: 'python3', source: 'x' });
    await expect(judge.wait(id, { timeoutMs: 30 })).rejects.toMatchObject({ code: 'JDG_ERR_WAIT_TIMEOUT' });
    await g.release();
  });

  it('hands each of many concurrent waiters its own submission’s result, and lets one give up or abort without the others', async () => {
    await using judge = new Judge({ runner: new FakeRunner({ program: (r) => ({ stdout: `${r.stdin}` }) }), concurrency: 4 });
    const ids = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        judge.submit({ language: 'python3', source: 'x', tests: [{ input: `${i}\n`, expectedOutput: `${i}` }] }),
      ),
    );
    const g = gate();
    await using slow = new Judge({ runner: new FakeRunner({ program: g.program }) });
    const held = await slow.submit({ language: 'python3', source: 'x' });
    const controller = new AbortController();
    const aborted = slow.wait(held, { signal: controller.signal });
    const timedOut = slow.wait(held, { timeoutMs: 20 });
    const patient = slow.wait(held);
    const results = await Promise.all(ids.map((id) => judge.wait(id)));
    results.forEach((r, i) => {
      expect(r.id).toBe(ids[i]);
      expect(r.tests[0]!.stdout).toBe(`${i}\n`);
      expect(r.verdict).toBe('accepted');
    });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'JDG_ERR_OPERATION_ABORTED' });
    await expect(timedOut).rejects.toMatchObject({ code: 'JDG_ERR_WAIT_TIMEOUT' });
    await g.release();
    expect((await patient).status).toBe('done');
    // A wait for a finished submission answers at once.
    expect((await judge.wait(ids[0]!)).id).toBe(ids[0]);
  });

  it('cancels the submission when run() is aborted', async () => {
    const g = gate();
    await using judge = new Judge({ runner: new FakeRunner({ program: g.program }) });
    const controller = new AbortController();
    const running = judge.run({ language: 'python3', source: 'x' }, { signal: controller.signal });
    await until(() => g.pending() === 1);
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'JDG_ERR_OPERATION_ABORTED' });
    await until(() => judge.stats().cancelled === 1);
  });

  it('refuses a limit above the maximum, naming it, instead of clamping', async () => {
    await using judge = new Judge({ runner: new FakeRunner(), maxLimits: { memoryBytes: 512 << 20 } });
    const error = await judge.submit({ language: 'python3', source: 'x', limits: { memoryBytes: 1 << 30 } }).catch((e) => e);
    expect(error).toMatchObject({ code: 'JDG_ERR_LIMIT_EXCEEDS_MAX', details: { limit: 'memoryBytes', max: 512 << 20 } });
    expect(error.message).toBe('limits.memoryBytes is 1073741824, above the maximum 536870912.');
    const perTest = await judge.submit({ language: 'python3', source: 'x', tests: [{ limits: { cpuTimeMs: 999_999 } }] }).catch((e) => e);
    expect(perTest.message).toMatch(/^tests\.0\.limits\.cpuTimeMs is 999999/);
  });

  it('applies per-test limits over the submission’s and the language’s', async () => {
    const seen: number[] = [];
    await using judge = new Judge({
      runner: new FakeRunner({
        program: (r) => {
          seen.push(r.limits.cpuTimeMs, r.limits.processes);
          return {};
        },
      }),
    });
    await judge.run({ language: 'java', source: 'x', limits: { cpuTimeMs: 3000 }, tests: [{}, { limits: { cpuTimeMs: 500 } }] });
    // compile step, then the two tests; Java asks for more processes by default.
    expect(seen.slice(2)).toEqual([3000, 128, 500, 128]);
  });

  it('applies compileLimits to the compile step only, over the language’s, and refuses one above the maximum', async () => {
    const seen: { argv0: string; wallTimeMs: number; memoryBytes: number }[] = [];
    await using judge = new Judge({
      runner: new FakeRunner({
        program: (r) => {
          seen.push({ argv0: r.argv[0]!, wallTimeMs: r.limits.wallTimeMs, memoryBytes: r.limits.memoryBytes });
          return {};
        },
      }),
      maxLimits: { wallTimeMs: 60_000 },
    });
    await judge.run({
      language: 'c',
      source: 'x',
      compileLimits: { wallTimeMs: 4321, memoryBytes: 300 << 20 },
      limits: { wallTimeMs: 1234 },
    });
    expect(seen[0]).toMatchObject({ argv0: 'gcc', wallTimeMs: 4321, memoryBytes: 300 << 20 });
    expect(seen[1]!.wallTimeMs).toBe(1234);
    const refused = await judge.submit({ language: 'c', source: 'x', compileLimits: { wallTimeMs: 90_000 } }).catch((e) => e);
    expect(refused).toMatchObject({ code: 'JDG_ERR_LIMIT_EXCEEDS_MAX', details: { limit: 'wallTimeMs', max: 60_000 } });
    expect(refused.message).toMatch(/^compileLimits\.wallTimeMs is 90000/);
  });

  it('closes gracefully: finishes queued work, refuses new work, and is idempotent', async () => {
    const g = gate();
    const runner = new FakeRunner({ program: g.program });
    const judge = new Judge({ runner, concurrency: 1 });
    const a = await judge.submit({ language: 'python3', source: 'x' });
    const b = await judge.submit({ language: 'python3', source: 'x' });
    const closing = judge.close();
    expect(judge.close()).toBe(closing);
    await expect(judge.submit({ language: 'python3', source: 'x' })).rejects.toMatchObject({ code: 'JDG_ERR_JUDGE_CLOSED' });
    while (g.pending() > 0 || judge.stats().queued > 0) await g.release();
    await closing;
    expect(runner.closed).toBe(true);
    expect((await judge.get(a)).verdict).toBe('accepted');
    expect((await judge.get(b)).verdict).toBe('accepted');
  });

  it('destroys forcefully: running work is cancelled at once', async () => {
    const g = gate();
    const judge = new Judge({ runner: new FakeRunner({ program: g.program }), concurrency: 1 });
    const a = await judge.submit({ language: 'python3', source: 'x' });
    await until(() => g.pending() === 1);
    await judge.destroy();
    expect((await judge.get(a)).status).toBe('cancelled');
  });

  it('checks a requested toolchain version against the detected one', async () => {
    await using judge = new Judge({
      runner: new FakeRunner({ program: (r) => (r.argv.includes('--version') ? { stdout: 'Python 3.11.2\n' } : {}) }),
    });
    expect(await judge.version('python3')).toBe('3.11.2');
    expect((await judge.run({ language: 'python3', version: '3.11', source: 'x' })).language).toEqual({ id: 'python3', version: '3.11.2' });
    await expect(judge.submit({ language: 'python3', version: '3.12', source: 'x' })).rejects.toMatchObject({
      code: 'JDG_ERR_LANGUAGE_UNKNOWN',
    });
  });

  it('validates its own options', () => {
    expect(() => new Judge({ runner: new FakeRunner(), concurrency: -1 })).toThrow(/concurrency/);
    expect(() => new Judge({ concurrency: 2 })).toThrow(/runner/);
    expect(() => new Judge({ runner: {} as never })).toThrow(JudgeError);
    expect(() => new Judge({ runner: new FakeRunner(), defaultLimits: { cpuTimeMs: 5000 }, maxLimits: { cpuTimeMs: 1000 } })).toThrow(
      /defaultLimits.cpuTimeMs/,
    );
  });

  it('decodes base64 files and puts the first file at the language’s source name', async () => {
    let files: string[] = [];
    await using judge = new Judge({
      runner: new FakeRunner({
        program: (_r, f) => {
          files = [...f.entries()].map(([k, v]) => `${k}=${Buffer.from(v).toString()}`);
          return {};
        },
      }),
    });
    await judge.run({
      language: 'python3',
      files: [
        { name: 'solution.py', content: 'import lib' },
        { name: 'lib.py', content: Buffer.from('x = 1').toString('base64'), encoding: 'base64' },
      ],
    });
    expect(files).toEqual(['main.py=import lib', 'lib.py=x = 1']);
  });

  it('reports unknown ids with a coded error', async () => {
    await using judge = new Judge({ runner: new FakeRunner() });
    for (const call of [() => judge.get('nope'), () => judge.cancel('nope'), () => judge.wait('nope')]) {
      const error = await call().catch((e) => e);
      expect(isJudgeError(error, 'JDG_ERR_SUBMISSION_NOT_FOUND')).toBe(true);
    }
  });
});
