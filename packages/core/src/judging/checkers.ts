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

// The checkers scan both texts in place: a 64 MiB output split into lines or tokens would cost
// several times its size in small strings, for every test of every running submission.

/** Trailing whitespace of a line, as the lines checker ignores it. */
const isLineSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c || c === 0x0b;

/** Exactly JavaScript's `\s`: the separators of the token checkers. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Where the significant text ends: after its last character that is neither line space nor a newline. */
function significantEnd(text: string): number {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 0x0a && !isLineSpace(c)) break;
    end--;
  }
  return end;
}

/** Reads one line at a time: `start`/`end` bound the current line without its trailing whitespace. */
class LineCursor {
  start = 0;
  end = 0;
  #next = 0;
  readonly #limit: number;
  constructor(readonly text: string) {
    this.#limit = significantEnd(text);
  }

  /** Advances to the next line; false past the last significant one. */
  advance(): boolean {
    // A line that starts past the last significant character holds only whitespace: trailing blank lines.
    if (this.#next >= this.#limit) return false;
    const { text } = this;
    this.start = this.#next;
    let newline = text.indexOf('\n', this.start);
    if (newline < 0) newline = text.length;
    let end = newline;
    while (end > this.start && isLineSpace(text.charCodeAt(end - 1))) end--;
    this.end = end;
    this.#next = newline + 1;
    return true;
  }

  get line(): string {
    return this.text.slice(this.start, this.end);
  }
}

function sameRange(a: string, aStart: number, aEnd: number, b: string, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (a.charCodeAt(aStart + i) !== b.charCodeAt(bStart + i)) return false;
  return true;
}

/** Line by line, ignoring trailing whitespace on each line and trailing blank lines (the default). */
export function checkLines(output: string, expected: string): CheckResult {
  const got = new LineCursor(output);
  const want = new LineCursor(expected);
  for (let i = 1; ; i++) {
    const hasGot = got.advance();
    const hasWant = want.advance();
    if (!hasGot && !hasWant) return accepted;
    if (hasGot && hasWant && sameRange(output, got.start, got.end, expected, want.start, want.end)) continue;
    return {
      ok: false,
      message: `line ${i}: expected ${preview(hasWant ? want.line : undefined)}, got ${preview(hasGot ? got.line : undefined)}`,
    };
  }
}

/** Reads one whitespace-separated token at a time. */
class TokenCursor {
  start = 0;
  end = 0;
  constructor(readonly text: string) {}

  advance(): boolean {
    const { text } = this;
    let i = this.end;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) return false;
    this.start = i;
    while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
    this.end = i;
    return true;
  }

  get token(): string {
    return this.text.slice(this.start, this.end);
  }
}

/** Whitespace-separated tokens equal. */
export function checkTokens(output: string, expected: string): CheckResult {
  const got = new TokenCursor(output);
  const want = new TokenCursor(expected);
  for (let i = 1; ; i++) {
    const hasGot = got.advance();
    const hasWant = want.advance();
    if (!hasGot && !hasWant) return accepted;
    if (hasGot && hasWant && sameRange(output, got.start, got.end, expected, want.start, want.end)) continue;
    return {
      ok: false,
      message: `token ${i}: expected ${preview(hasWant ? want.token : undefined)}, got ${preview(hasGot ? got.token : undefined)}`,
    };
  }
}

const numberPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Tokens equal, except that where the expected token is a number the output's token must be a
 * number within `absTolerance` or within `relTolerance` of the expected value.
 */
export function checkFloats(output: string, expected: string, absTolerance: number, relTolerance: number): CheckResult {
  const got = new TokenCursor(output);
  const want = new TokenCursor(expected);
  for (let i = 1; ; i++) {
    const hasGot = got.advance();
    const hasWant = want.advance();
    if (!hasGot && !hasWant) return accepted;
    if (hasGot && hasWant && sameRange(output, got.start, got.end, expected, want.start, want.end)) continue;
    const g = hasGot ? got.token : undefined;
    const w = hasWant ? want.token : undefined;
    if (g !== undefined && w !== undefined && numberPattern.test(w) && numberPattern.test(g)) {
      const a = Number(g);
      const b = Number(w);
      const diff = Math.abs(a - b);
      if (diff <= absTolerance || diff <= relTolerance * Math.abs(b)) continue;
      return { ok: false, message: `token ${i}: expected ${w}, got ${g} (difference ${diff})` };
    }
    return { ok: false, message: `token ${i}: expected ${preview(w)}, got ${preview(g)}` };
  }
}
