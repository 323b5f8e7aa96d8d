/** Outcome of comparing a program's output with the expected output. */
export interface CheckResult {
  ok: boolean;
  /** Where they first differ, for wrong answers. */
  message: string | null;
}

const accepted: CheckResult = { ok: true, message: null };
const preview = (s: string | undefined): string =>
  s === undefined ? '<end of output>' : JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);

/** Byte-for-byte equality. */
export function checkExact(output: string, expected: string): CheckResult {
  if (output === expected) return accepted;
  let i = 0;
  while (i < output.length && output[i] === expected[i]) i++;
  return {
    ok: false,
    message: `differs at character ${i + 1}: expected ${preview(expected.slice(i, i + 20))}, got ${preview(output.slice(i, i + 20))}`,
  };
}

function significantLines(text: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/[ \t\r\f\v]+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Line by line, ignoring trailing whitespace on each line and trailing blank lines (the default). */
export function checkLines(output: string, expected: string): CheckResult {
  const got = significantLines(output);
  const want = significantLines(expected);
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) return { ok: false, message: `line ${i + 1}: expected ${preview(want[i])}, got ${preview(got[i])}` };
  }
  return accepted;
}

const tokens = (text: string): string[] => text.split(/\s+/).filter((t) => t.length > 0);

/** Whitespace-separated tokens equal. */
export function checkTokens(output: string, expected: string): CheckResult {
  const got = tokens(output);
  const want = tokens(expected);
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) return { ok: false, message: `token ${i + 1}: expected ${preview(want[i])}, got ${preview(got[i])}` };
  }
  return accepted;
}

const numberPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Tokens equal, except that where the expected token is a number the output's token must be a
 * number within `absTolerance` or within `relTolerance` of the expected value.
 */
export function checkFloats(output: string, expected: string, absTolerance: number, relTolerance: number): CheckResult {
  const got = tokens(output);
  const want = tokens(expected);
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    const g = got[i];
    const w = want[i];
    if (g === w) continue;
    if (g !== undefined && w !== undefined && numberPattern.test(w) && numberPattern.test(g)) {
      const a = Number(g);
      const b = Number(w);
      const diff = Math.abs(a - b);
      if (diff <= absTolerance || diff <= relTolerance * Math.abs(b)) continue;
      return { ok: false, message: `token ${i + 1}: expected ${w}, got ${g} (difference ${diff})` };
    }
    return { ok: false, message: `token ${i + 1}: expected ${preview(w)}, got ${preview(g)}` };
  }
  return accepted;
}
