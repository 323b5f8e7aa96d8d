import { describe, expect, it } from 'vitest';
import { Judge } from '../judge/judge.js';
import { LanguageRegistry } from '../languages/registry.js';
import { FakeRunner } from '../runner/fake-runner.js';
import { defaultLimits, defaultMaxLimits, minLimits } from '../runner/limits.js';
import { prepareSubmission } from './prepare.js';

const context = { languages: new LanguageRegistry(), defaultLimits, maxLimits: defaultMaxLimits };
const refused = (input: unknown) => {
  try {
    prepareSubmission(input, context);
  } catch (error) {
    return error as { code: string; message: string; details: { issues: { path: string; message: string }[] } };
  }
  throw new Error('accepted');
};

describe('limits below what a sandbox can start with', () => {
  it('are refused at the schema with a coded error naming the field and the minimum', () => {
    const memory = refused({ language: 'python3', source: 'x', limits: { memoryBytes: 1 } });
    expect(memory).toMatchObject({ code: 'JDG_ERR_INPUT_INVALID', details: { issues: [{ path: 'limits.memoryBytes' }] } });
    expect(memory.message).toBe(
      'Invalid submission: limits.memoryBytes: memoryBytes must be at least 4194304 (4 MiB: a sandbox cannot start below it), received number 1',
    );
    const files = refused({ language: 'python3', source: 'x', tests: [{ limits: { openFiles: 3 } }] });
    expect(files.details.issues[0]!.path).toBe('tests.0.limits.openFiles');
    expect(refused({ language: 'c', source: 'x', compileLimits: { memoryBytes: 1000 } }).details.issues[0]!.path).toBe(
      'compileLimits.memoryBytes',
    );
    expect(refused({ language: 'python3', source: 'x', limits: { diskBytes: 4096 } }).details.issues[0]!.path).toBe('limits.diskBytes');
    expect(refused({ language: 'python3', source: 'x', limits: { diskInodes: 2 } }).details.issues[0]!.path).toBe('limits.diskInodes');
    expect(refused({ language: 'python3', source: 'x', limits: { cpuTimeMs: 0 } }).message).toMatch(/cpuTimeMs must be greater than 0/);
  });

  it('accept the minimum itself', () => {
    const prepared = prepareSubmission({ language: 'python3', source: 'x', limits: { ...minLimits } }, context);
    expect(prepared.tests[0]!.limits).toEqual(minLimits);
  });

  it('are refused in a judge’s own defaults and maxima', () => {
    expect(() => new Judge({ runner: new FakeRunner(), defaultLimits: { memoryBytes: 1 << 20 } })).toThrow(
      expect.objectContaining({ code: 'JDG_ERR_CONFIG_INVALID', message: expect.stringMatching(/defaultLimits\.memoryBytes/) }),
    );
    expect(() => new Judge({ runner: new FakeRunner(), maxLimits: { openFiles: 4 } })).toThrow(/maxLimits\.openFiles/);
  });
});

describe('NUL bytes', () => {
  it('are refused in arguments at the schema, so no API can pass one to a sandbox', () => {
    expect(refused({ language: 'python3', source: 'x', args: ['ok', 'a\0b'] })).toMatchObject({
      code: 'JDG_ERR_INPUT_INVALID',
      details: { issues: [{ path: 'args.1', message: 'an argument must not contain a NUL byte' }] },
    });
  });

  it('are refused in file names', () => {
    expect(refused({ language: 'python3', files: [{ content: '' }, { name: 'a\0b.py', content: '' }] }).details.issues[0]!.path).toBe(
      'files.1.name',
    );
  });

  it('are refused in a language’s environment', () => {
    const registry = new LanguageRegistry([]);
    expect(() => registry.register({ id: 'x', name: 'X', sourceFile: 'x', run: ['x'], env: { A: 'a\0b' } })).toThrow(
      expect.objectContaining({ code: 'JDG_ERR_LANGUAGE_INVALID' }),
    );
  });
});
