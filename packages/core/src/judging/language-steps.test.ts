import { describe, expect, it } from 'vitest';
import { Judge } from '../judge/judge.js';
import type { ExecRequest } from '../runner/contract.js';
import { FakeRunner } from '../runner/fake-runner.js';

/** A judge over a fake runner that records every argv and the files each exec saw. */
function recording(program: (r: ExecRequest, files: ReadonlyMap<string, Uint8Array>) => object = () => ({})) {
  const calls: { argv: string[]; files: string[] }[] = [];
  const judge = new Judge({
    runner: new FakeRunner({
      program: (r, files) => {
        calls.push({ argv: [...r.argv], files: [...files.keys()] });
        return program(r, files);
      },
    }),
  });
  return { judge, calls };
}

const pythonRefusal = '  File "main.py", line 1\n    print(\n         ^\nSyntaxError: \'(\' was never closed\n';
const isCheck = (argv: readonly string[]) => argv[0] === 'python3' && argv.includes('-I') && argv.includes('-c');

describe('Python syntax errors', () => {
  it('are compile_error: a run refused as malformed is confirmed by the byte-compile, which becomes the compile step', async () => {
    const { judge, calls } = recording((r) => ({ exitCode: 1, stderr: pythonRefusal, cpuTimeMs: isCheck(r.argv) ? 9 : 11 }));
    await using _ = judge;
    const result = await judge.run({ language: 'python3', source: 'print(', tests: [{ input: '1' }, { input: '2' }] });
    expect(result).toMatchObject({ verdict: 'compile_error', message: 'the compiler exited with code 1', tests: [] });
    expect(result.compile).toMatchObject({ exitCode: 1, cpuTimeMs: 9 });
    expect(result.compile?.stderr).toContain("SyntaxError: '(' was never closed");
    expect(result.summary).toMatchObject({ passed: 0, total: 2, maxCpuTimeMs: 0 });
    // One run, then the check on the same file; the second test never runs.
    expect(calls.map((c) => c.argv[0])).toEqual(['python3', 'python3']);
    expect(isCheck(calls[1]!.argv)).toBe(true);
    expect(calls[1]!.argv.at(-1)).toBe('main.py');
  });

  it('cost nothing when the program runs: no check, no compile step', async () => {
    const { judge, calls } = recording(() => ({ stdout: '3\n' }));
    await using _ = judge;
    const result = await judge.run({ language: 'python3', source: 'print(3)', tests: [{ expectedOutput: '3' }, { expectedOutput: '3' }] });
    expect(result).toMatchObject({ verdict: 'accepted', compile: null });
    expect(calls.map((c) => isCheck(c.argv))).toEqual([false, false]);
  });

  it('leave a runtime SyntaxError (eval of bad text) a runtime_error once the byte-compile passes', async () => {
    const { judge, calls } = recording((r) =>
      isCheck(r.argv) ? {} : { exitCode: 1, stderr: 'Traceback…\nSyntaxError: invalid syntax\n' },
    );
    await using _ = judge;
    const result = await judge.run({ language: 'python3', source: 'eval("1 +")', tests: [{}, {}] });
    expect(result.verdict).toBe('runtime_error');
    expect(result.tests.map((t) => t.verdict)).toEqual(['runtime_error', 'runtime_error']);
    expect(result.compile).toMatchObject({ exitCode: 0 });
    // The check runs once, after the first test only.
    expect(calls.map((c) => isCheck(c.argv))).toEqual([false, true, false]);
  });

  it('are not looked for after an ordinary failure or a limit', async () => {
    const { judge, calls } = recording(() => ({ exitCode: 1, stderr: 'Traceback…\nZeroDivisionError: division by zero\n' }));
    await using _ = judge;
    expect((await judge.run({ language: 'python3', source: '1/0' })).verdict).toBe('runtime_error');
    const limited = recording(() => ({ exitCode: null, signal: 'SIGKILL', limitExceeded: 'cpu', stderr: 'SyntaxError: x' }));
    await using __ = limited.judge;
    expect((await limited.judge.run({ language: 'python3', source: 'x' })).verdict).toBe('time_limit_exceeded');
    expect([...calls, ...limited.calls].some((c) => isCheck(c.argv))).toBe(false);
  });

  it('are found in stdout when stderr goes into stdout', async () => {
    const { judge } = recording((r) => ({ exitCode: 1, ...(isCheck(r.argv) ? { stderr: pythonRefusal } : { stdout: pythonRefusal }) }));
    await using _ = judge;
    expect((await judge.run({ language: 'python3', source: 'print(', stderrToStdout: true })).verdict).toBe('compile_error');
  });
});

describe('Java source file names', () => {
  it('name the file after its public class, and compile and run that class', async () => {
    const { judge, calls } = recording();
    await using _ = judge;
    const source =
      '// public class NotThis\nimport java.util.*;\n\npublic final class Solution {\n  public static void main(String[] a) {}\n}\n';
    expect((await judge.run({ language: 'java', source })).verdict).toBe('accepted');
    expect(calls[0]!.files).toEqual(['Solution.java']);
    expect(calls[0]!.argv.at(-1)).toBe('Solution.java');
    expect(calls[1]!.argv.at(-1)).toBe('Solution');
  });

  it('keep Main.java without a public class', async () => {
    const { judge, calls } = recording();
    await using _ = judge;
    await judge.run({ language: 'java', source: 'class Main { public static void main(String[] a) {} }' });
    expect(calls[0]!.files).toEqual(['Main.java']);
    expect(calls[1]!.argv.at(-1)).toBe('Main');
  });

  it('name a multi-file submission main file after its class too, beside the other files', async () => {
    const { judge, calls } = recording();
    await using _ = judge;
    await judge.run({
      language: 'java',
      files: [
        { content: 'public class App { public static void main(String[] a) { Util.hi(); } }' },
        { name: 'Util.java', content: 'class Util { static void hi() {} }' },
      ],
    });
    expect(calls[0]!.files).toEqual(['App.java', 'Util.java']);
  });
});

describe('TypeScript', () => {
  it('strips types with esbuild by default, and type-checks with tsc as typescript-tsc', async () => {
    const { judge, calls } = recording();
    await using _ = judge;
    await judge.run({ language: 'ts', source: 'const x: number = 1' });
    await judge.run({ language: 'typescript-tsc', source: 'const x: number = 1' });
    expect(calls.map((c) => c.argv[0]!.split('/').at(-1))).toEqual(['esbuild', 'node', 'node', 'node']);
    expect(calls[2]!.argv.some((a) => a.endsWith('/typescript/bin/tsc'))).toBe(true);
    expect(calls[0]!.argv).toContain('--outfile=main.js');
  });
});
