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

/** The split-based checkers these replaced, as the reference for every case below. */
const reference = {
  lines(output: string, expected: string) {
    const sig = (t: string) => {
      const l = t.split('\n').map((x) => x.replace(/[ \t\r\f\v]+$/, ''));
      while (l.length > 0 && l[l.length - 1] === '') l.pop();
      return l;
    };
    const [g, w] = [sig(output), sig(expected)];
    for (let i = 0; i < Math.max(g.length, w.length); i++) if (g[i] !== w[i]) return i + 1;
    return 0;
  },
  tokens(output: string, expected: string) {
    const tok = (t: string) => t.split(/\s+/).filter((x) => x.length > 0);
    const [g, w] = [tok(output), tok(expected)];
    for (let i = 0; i < Math.max(g.length, w.length); i++) if (g[i] !== w[i]) return i + 1;
    return 0;
  },
};

describe('checkers scanning in place', () => {
  const samples = [
    '',
    '\n',
    ' \n\t\n',
    'a',
    'a\n',
    'a \n',
    'a\nb',
    'a\n\nb',
    ' a',
    'a\r\n',
    'a\u00a0b',
    'a\u3000b c',
    '1 2\n3\n\n',
    '\n\na',
    'x\ty',
  ];
  it('agree with the split-based reference on every pair of samples', () => {
    for (const output of samples) {
      for (const expected of samples) {
        const lines = checkLines(output, expected);
        expect(lines.ok, JSON.stringify([output, expected])).toBe(reference.lines(output, expected) === 0);
        if (!lines.ok) expect(lines.message).toMatch(new RegExp(`^line ${reference.lines(output, expected)}:`));
        const tokens = checkTokens(output, expected);
        expect(tokens.ok, JSON.stringify([output, expected])).toBe(reference.tokens(output, expected) === 0);
        if (!tokens.ok) expect(tokens.message).toMatch(new RegExp(`^token ${reference.tokens(output, expected)}:`));
      }
    }
  });

  it('compare 16 MiB of small tokens without allocating an array of them', () => {
    const text = '1 2 3 4 5 6 7 8\n'.repeat(1 << 20);
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    for (const check of [checkLines, checkTokens, (a: string, b: string) => checkFloats(a, b, 1e-6, 1e-6)]) {
      expect(check(text, `${text} `).ok).toBe(true);
      peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    // The arrays of the split-based checkers took over 500 MB here.
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });
});
