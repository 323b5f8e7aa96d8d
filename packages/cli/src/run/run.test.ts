import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRunner, Judge } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { table } from '../table.js';
import { buildSubmission, readTests, UsageError } from './run.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'jk-run-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('judgekit run input', () => {
  it('pairs NAME.in with NAME.out in natural order', () => {
    const dir = folder({ '10.in': 'c', '10.out': 'C', '2.in': 'b', '2.out': 'B', '1.in': 'a', README: 'x' });
    expect(readTests(dir)).toEqual([
      { name: '1', input: 'a' },
      { name: '2', input: 'b', expectedOutput: 'B' },
      { name: '10', input: 'c', expectedOutput: 'C' },
    ]);
  });

  it('refuses a folder without tests', () => {
    expect(() => readTests(folder({ 'a.txt': '' }))).toThrow(UsageError);
  });

  it('tells the language from the extension unless --lang is given', async () => {
    const dir = folder({ 'sum.cpp': 'int main(){}', script: 'print(1)' });
    const judge = new Judge({ runner: new FakeRunner() });
    expect(buildSubmission(join(dir, 'sum.cpp'), { runner: 'auto' }, judge).language).toBe('cpp');
    expect(buildSubmission(join(dir, 'script'), { runner: 'auto', lang: 'py' }, judge).language).toBe('python3');
    expect(() => buildSubmission(join(dir, 'script'), { runner: 'auto' }, judge)).toThrow(/--lang/);
    expect(buildSubmission(join(dir, 'sum.cpp'), { runner: 'auto', memoryMb: 64, cpuTimeMs: 500 }, judge).limits).toEqual({
      memoryBytes: 64 * 1024 * 1024,
      cpuTimeMs: 500,
    });
    await judge.close();
  });
});

describe('table', () => {
  it('pads columns and right-aligns numbers', () => {
    expect(
      table(
        ['a', 'ms'],
        [
          ['x', '5'],
          ['yy', '10'],
        ],
      ),
    ).toBe('a   ms\n--  --\nx    5\nyy  10\n');
  });
});
