import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultLimits, LanguageRegistry, type SubmissionResult } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { table } from '../table.js';
import { coloursFor, firstDifference, report, runVerdict } from './report.js';
import { buildSubmission } from './run.js';
import { readTests } from './tests.js';
import { UsageError } from './usage-error.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'jk-run-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const pairs = (dir: string, options = {}) =>
  readTests(dir, options).tests.map((t) => [t.name, t.inputFile, t.outputFile, t.expectedOutput]);

describe('judgekit run: test folders', () => {
  it('pairs NAME.in with NAME.out in natural order, keeping an input without output', () => {
    const set = readTests(folder({ '10.in': 'c', '10.out': 'C', '2.in': 'b', '2.out': 'B', '1.in': 'a', README: 'x' }));
    expect(set.tests.map((t) => [t.name, t.expectedOutput])).toEqual([
      ['1', null],
      ['2', 'B'],
      ['10', 'C'],
    ]);
    expect(set).toMatchObject({ layout: 'NAME.in + NAME.out', missingOutputs: 1 });
  });

  it('reads Kattis and Codeforces .ans files, in sub-folders too', () => {
    const dir = folder({ 'sample/1.in': '1', 'sample/1.ans': '2', 'secret/1.in': '3', 'secret/1.ans': '6', 'problem.yaml': 'x' });
    expect(pairs(dir)).toEqual([
      ['sample/1', 'sample/1.in', 'sample/1.ans', '2'],
      ['secret/1', 'secret/1.in', 'secret/1.ans', '6'],
    ]);
    expect(readTests(dir).layout).toBe('NAME.in + NAME.ans');
  });

  it('reads Polygon NN with NN.a', () => {
    expect(pairs(folder({ '01': 'a', '01.a': 'A', '02': 'b', '02.a': 'B', '10': 'c' }))).toEqual([
      ['01', '01', '01.a', 'A'],
      ['02', '02', '02.a', 'B'],
      ['10', '10', null, null],
    ]);
  });

  it('reads input/ and output/ folders, HackerRank names and .in/.out inside them', () => {
    expect(pairs(folder({ 'input/input00.txt': 'a', 'output/output00.txt': 'A', 'input/input01.txt': 'b' }))).toEqual([
      ['input00', 'input/input00.txt', 'output/output00.txt', 'A'],
      ['input01', 'input/input01.txt', null, null],
    ]);
    expect(pairs(folder({ 'input/1.in': 'a', 'output/1.out': 'A', 'input/2.in': 'b', 'output/2.ans': 'B' }))).toEqual([
      ['1', 'input/1.in', 'output/1.out', 'A'],
      ['2', 'input/2.in', 'output/2.ans', 'B'],
    ]);
  });

  it('takes any naming with --in-suffix and --out-suffix', () => {
    const dir = folder({ 'a.in.txt': '1', 'a.out.txt': '2', 'b.in.txt': '3', 'b.out.txt': '4', 'a.in': 'ignored' });
    expect(pairs(dir, { inSuffix: '.in.txt', outSuffix: '.out.txt' })).toEqual([
      ['a', 'a.in.txt', 'a.out.txt', '2'],
      ['b', 'b.in.txt', 'b.out.txt', '4'],
    ]);
    expect(() => readTests(dir, { inSuffix: '.x', outSuffix: '.x' })).toThrow(UsageError);
  });

  it('refuses a folder without tests, naming the layouts it reads', () => {
    expect(() => readTests(folder({ 'a.txt': '' }))).toThrow(/NAME\.in with NAME\.out or NAME\.ans.*Polygon/);
    expect(() => readTests('/nonexistent')).toThrow(UsageError);
  });

  it('never follows a link out of the tests folder', () => {
    const dir = folder({ '1.in': 'a', '1.out': 'A' });
    const outside = folder({ 'secret.in': 'x', 'secret.out': 'y' });
    // A symlinked folder is not walked.
    symlinkSync(outside, join(dir, 'linked'));
    expect(pairs(dir)).toEqual([['1', '1.in', '1.out', 'A']]);
  });
});

describe('judgekit run: input', () => {
  const languages = new LanguageRegistry();
  it('tells the language from the extension unless --lang is given', () => {
    const dir = folder({ 'sum.cpp': 'int main(){}', script: 'print(1)' });
    expect(buildSubmission(join(dir, 'sum.cpp'), { runner: 'auto' }, languages).input.language).toBe('cpp');
    expect(buildSubmission(join(dir, 'script'), { runner: 'auto', lang: 'py' }, languages).input.language).toBe('python3');
    expect(() => buildSubmission(join(dir, 'script'), { runner: 'auto' }, languages)).toThrow(/--lang/);
    expect(buildSubmission(join(dir, 'sum.cpp'), { runner: 'auto', memoryMb: 64, cpuTimeMs: 500 }, languages).input.limits).toEqual({
      memoryBytes: 64 * 1024 * 1024,
      cpuTimeMs: 500,
    });
  });

  it('forwards piped stdin to a single run, and refuses suffixes without --tests', () => {
    const dir = folder({ 'a.py': 'print(input())' });
    expect(buildSubmission(join(dir, 'a.py'), { runner: 'auto' }, languages, '4 5\n').input.stdin).toBe('4 5\n');
    expect(() => buildSubmission(join(dir, 'a.py'), { runner: 'auto', inSuffix: '.x' }, languages)).toThrow(/--tests/);
  });

  it('sends no expected output for a test without one', () => {
    const dir = folder({ 'a.py': 'x', 't/1.in': 'a', 't/2.in': 'b', 't/2.ans': 'B' });
    const built = buildSubmission(join(dir, 'a.py'), { runner: 'auto', tests: join(dir, 't') }, languages);
    expect(built.input.tests).toEqual([
      { name: '1', input: 'a' },
      { name: '2', input: 'b', expectedOutput: 'B' },
    ]);
  });
});

const step = {
  exitCode: 0,
  signal: null,
  stdout: '',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 5,
  wallTimeMs: 9,
  memoryBytes: 4 * 1024 * 1024,
  limitExceeded: null,
};

function result(partial: Partial<SubmissionResult>): SubmissionResult {
  return {
    id: 'x',
    status: 'done',
    verdict: 'accepted',
    message: null,
    language: { id: 'python3', version: null },
    createdAt: '',
    startedAt: null,
    finishedAt: null,
    compile: null,
    tests: [],
    summary: { passed: 0, total: 0, maxCpuTimeMs: 5, maxWallTimeMs: 9, maxMemoryBytes: 4 * 1024 * 1024 },
    metadata: null,
    ...partial,
  } as SubmissionResult;
}

const plain = coloursFor({ isTTY: false }, {});
const ctx = { limits: defaultLimits, compileLimits: defaultLimits, colours: plain };
const test = (name: string, expectedOutput: string | null) => ({
  name,
  inputFile: `${name}.in`,
  outputFile: expectedOutput === null ? null : `${name}.ans`,
  input: '',
  expectedOutput,
});

describe('judgekit run: report', () => {
  it('never counts a test without an expected output as passed', () => {
    const r = result({ tests: [{ ...step, name: '1', verdict: 'accepted', message: null }] });
    expect(runVerdict(r, [test('1', null)])).toEqual({ verdict: 'not verified', ok: false });
    const text = report(r, { ...ctx, tests: [test('1', null)] });
    expect(text).toMatch(/^ *1 +no expected output .*ran; nothing to compare with$/m);
    expect(text).toMatch(/verdict: not verified — 0 of 1 passed, 1 had no expected output \(run, but not counted as passed\)/);
  });

  it('shows the first differing line, the stderr tail and the limit that ended a run', () => {
    const r = result({
      verdict: 'wrong_answer',
      tests: [
        {
          ...step,
          name: '1',
          verdict: 'wrong_answer',
          message: 'line 2: expected "7", got "6"',
          stdout: '1\n6\n',
          stderr: 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n',
        },
        {
          ...step,
          name: '2',
          verdict: 'time_limit_exceeded',
          message: 'cpu time limit exceeded',
          limitExceeded: 'cpu',
          exitCode: null,
          signal: 'SIGKILL',
        },
      ],
    });
    const text = report(r, { ...ctx, tests: [test('1', '1\n7\n'), test('2', '')] });
    expect(text).toContain('  1 (1.in vs 1.ans): wrong_answer — line 2: expected "7", got "6"');
    expect(text).toContain('        expected: "7"\n        got:      "6"');
    expect(text).toContain('stderr (last 10 of 12 lines):\n        c\n        d\n        e');
    expect(text).not.toContain('        b\n');
    expect(text).toContain(`2 (2.in vs 2.ans): time_limit_exceeded — cpu time limit of ${defaultLimits.cpuTimeMs} ms reached`);
    expect(text).toMatch(/verdict: wrong_answer — 0 of 2 passed, 2 failed/);
  });

  it('says nothing misleading after a compile error', () => {
    const r = result({
      verdict: 'compile_error',
      summary: { passed: 0, total: 3, maxCpuTimeMs: 0, maxWallTimeMs: 0, maxMemoryBytes: 0 },
      compile: { ...step, exitCode: 1, stderr: "main.c:1: error: expected ';'\n" },
    });
    const text = report(r, { ...ctx, tests: [test('1', 'x')] });
    expect(text).toBe(
      "compile error (exit code 1)\nmain.c:1: error: expected ';'\nverdict: compile_error — the program did not run (3 tests not run)\n",
    );
    expect(text).not.toMatch(/max cpu|MiB/);
  });

  it('colours only when asked: a terminal without NO_COLOR', () => {
    expect(coloursFor({ isTTY: true }, {}).red('x')).not.toBe('x');
    expect(coloursFor({ isTTY: true }, { NO_COLOR: '1' }).red('x')).toBe('x');
    expect(coloursFor({ isTTY: false }, {}).red('x')).toBe('x');
  });

  it('finds the first differing line the way the default checker compares', () => {
    expect(firstDifference('1\n2  \n', '1\n2\n')).toBeNull();
    expect(firstDifference('1\n', '1\n2\n')).toEqual({ line: 2, expected: '"2"', got: '<end of output>' });
  });
});

describe('table', () => {
  it('pads columns and right-aligns numbers, painting after padding', () => {
    expect(
      table(
        ['a', 'ms'],
        [
          ['x', '5'],
          ['yy', '10'],
        ],
      ),
    ).toBe('a   ms\n--  --\nx    5\nyy  10\n');
    expect(table(['a', 'b'], [['x', 'y']], { paint: (col, cell) => (col === 0 ? `<${cell}>` : cell) })).toBe('a  b\n-  -\n<x>  y\n');
  });
});
