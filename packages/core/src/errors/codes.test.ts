import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from './codes.js';
import { JudgeError } from './judge-error.js';

const docs = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it.each(Object.keys(errorCodes))('%s is documented in docs/errors.md', (code) => {
    expect(docs).toContain(`| \`${code}\` |`);
  });

  it('documents no code that does not exist', () => {
    const documented = [...docs.matchAll(/\| `(JDG_ERR_[A-Z_]+)` \|/g)].map((m) => m[1]);
    expect(documented.filter((c) => !(c! in errorCodes))).toEqual([]);
  });

  it('follow the JDG_ERR_<AREA>_<PROBLEM> shape', () => {
    for (const code of Object.keys(errorCodes)) expect(code).toMatch(/^JDG_ERR_[A-Z]+_[A-Z_]+$/);
  });

  it('keep the cause and serialise without it', () => {
    const cause = new Error('EPERM');
    const error = new JudgeError('JDG_ERR_SANDBOX_FAILED', 'mount failed', { cause });
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'JudgeError',
      code: 'JDG_ERR_SANDBOX_FAILED',
      message: 'mount failed',
      details: {},
    });
  });
});
