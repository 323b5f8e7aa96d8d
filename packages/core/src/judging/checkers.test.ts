import { describe, expect, it } from 'vitest';
import { checkExact, checkFloats, checkLines, checkTokens } from './checkers.js';

describe('checkers', () => {
  it('exact accepts identical bytes only', () => {
    expect(checkExact('1 2\n', '1 2\n').ok).toBe(true);
    expect(checkExact('1 2', '1 2\n')).toMatchObject({ ok: false, message: expect.stringContaining('character 4') });
  });

  it('lines ignores trailing whitespace and trailing blank lines', () => {
    expect(checkLines('a  \nb\t\r\n\n\n', 'a\nb').ok).toBe(true);
    expect(checkLines('a\n b', 'a\nb')).toMatchObject({ ok: false, message: 'line 2: expected "b", got " b"' });
    expect(checkLines('a\n', 'a\nb\n')).toMatchObject({ ok: false, message: 'line 2: expected "b", got <end of output>' });
    expect(checkLines('a\n\nb', 'a\nb').ok).toBe(false);
  });

  it('tokens ignores all whitespace layout', () => {
    expect(checkTokens('1   2\n\n3', ' 1 2 3 ').ok).toBe(true);
    expect(checkTokens('1 2', '1 2 3')).toMatchObject({ ok: false, message: 'token 3: expected "3", got <end of output>' });
  });

  it('floats accepts numbers within the absolute or relative tolerance', () => {
    expect(checkFloats('0.3333334', '0.333333', 1e-6, 0).ok).toBe(true);
    expect(checkFloats('1000001', '1000000', 0, 1e-6).ok).toBe(true);
    expect(checkFloats('0.34', '0.333333', 1e-6, 1e-6).ok).toBe(false);
    expect(checkFloats('abc 1.0', 'abc 1', 1e-9, 0).ok).toBe(true);
    expect(checkFloats('abd 1', 'abc 1', 1, 1).ok).toBe(false);
    expect(checkFloats('nan', '1', 1, 1).ok).toBe(false);
  });
});
