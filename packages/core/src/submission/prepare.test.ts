import { describe, expect, it } from 'vitest';
import { LanguageRegistry } from '../languages/registry.js';
import { defaultLimits, defaultMaxLimits } from '../runner/limits.js';
import { prepareSubmission, storedTextBytes, toSandboxFiles } from './prepare.js';

const context = { languages: new LanguageRegistry(), defaultLimits, maxLimits: defaultMaxLimits };

describe('prepareSubmission', () => {
  it('resolves an alias, names the main file and applies every default', () => {
    const prepared = prepareSubmission({ language: 'py', source: 'print(1)', stdin: 'x' }, context);
    expect(prepared).toMatchObject({
      languageId: 'python3',
      version: null,
      files: [{ path: 'main.py', content: 'print(1)', encoding: 'utf8' }],
      args: [],
      tests: [{ name: '1', input: 'x', expectedOutput: null, limits: defaultLimits }],
      checker: { type: 'lines' },
      stopOnFirstFailure: false,
      metadata: null,
    });
  });

  it('is plain JSON: a round trip through JSON gives an equal submission', () => {
    const prepared = prepareSubmission(
      {
        language: 'c',
        version: '12',
        files: [
          { content: 'int main(){}' },
          { name: 'lib/x.h', content: Buffer.from('#pragma once').toString('base64'), encoding: 'base64' },
        ],
        tests: [{ input: '1', expectedOutput: '2', limits: { cpuTimeMs: 500 } }, { name: 'big' }],
        checker: { type: 'custom', language: 'python3', source: 'import sys' },
        metadata: { user: 'u1' },
        args: ['-v'],
      },
      context,
    );
    expect(JSON.parse(JSON.stringify(prepared))).toEqual(prepared);
    expect(prepared.tests.map((t) => [t.name, t.limits.cpuTimeMs])).toEqual([
      ['1', 500],
      ['big', defaultLimits.cpuTimeMs],
    ]);
    expect(prepared).toMatchObject({ version: '12', checkerLanguageId: 'python3', metadata: { user: 'u1' } });
    expect(toSandboxFiles(prepared.files).map((f) => [f.path, Buffer.from(f.content).toString()])).toEqual([
      ['main.c', 'int main(){}'],
      ['lib/x.h', '#pragma once'],
    ]);
  });

  it('treats * and latest as any version', () => {
    expect(prepareSubmission({ language: 'python3', source: '', version: '*' }, context).version).toBeNull();
    expect(prepareSubmission({ language: 'python3', source: '', version: 'latest' }, context).version).toBeNull();
  });

  it('refuses what a worker could fail on, before anything is queued', () => {
    expect(() => prepareSubmission({ language: 'cobol', source: '' }, context)).toThrow(
      expect.objectContaining({ code: 'JDG_ERR_LANGUAGE_UNKNOWN' }),
    );
    expect(() =>
      prepareSubmission({ language: 'python3', source: '', checker: { type: 'custom', language: 'cobol', source: 'x' } }, context),
    ).toThrow(expect.objectContaining({ code: 'JDG_ERR_LANGUAGE_UNKNOWN' }));
    expect(() => prepareSubmission({ language: 'python3', files: [{ content: 'a' }, { name: 'main.py', content: 'b' }] }, context)).toThrow(
      /files\.1\.name: "main\.py" appears twice/,
    );
  });

  it('counts the text it holds for the store’s size bound', () => {
    const prepared = prepareSubmission({ language: 'python3', source: 'abcd', tests: [{ input: '12', expectedOutput: '345' }] }, context);
    expect(prepared.textLength).toBe(9);
    const result = {
      tests: [{ stdout: 'x'.repeat(10), stderr: 'y' }],
      compile: { stdout: 'c', stderr: '' },
    } as never;
    expect(storedTextBytes({ input: prepared, result })).toBe(256 + 1 + 128 + 11 + 9);
    expect(storedTextBytes({ input: null, result })).toBe(256 + 1 + 128 + 11);
  });
});
