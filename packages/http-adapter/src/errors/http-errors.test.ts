import { readFileSync } from 'node:fs';
import { errorCodes, JudgeError } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { httpErrorCodes, statusOfCode, toHttpFailure } from './http-errors.js';

const docs = (name: string) => readFileSync(new URL(`../../../../docs/${name}`, import.meta.url), 'utf8');
const httpDocs = docs('http.md');
const errorsDocs = docs('errors.md');

/** `| 413 | \`JDG_ERR_HTTP_BODY_TOO_LARGE\` | ...` rows of docs/http.md: code → status. */
const documentedHttp = new Map([...httpDocs.matchAll(/^\| *(\d{3}) *\| *`(JDG_ERR_[A-Z_]+)` *\|/gm)].map((m) => [m[2]!, Number(m[1])]));

describe('HTTP error codes', () => {
  it.each(Object.keys(httpErrorCodes))('%s is documented in docs/http.md with its status', (code) => {
    expect(
      documentedHttp.get(code),
      `a row "| ${statusOfCode[code as keyof typeof statusOfCode]} | \`${code}\` | ..." in docs/http.md`,
    ).toBe(statusOfCode[code as keyof typeof statusOfCode]);
  });

  it('documents no HTTP-layer code that does not exist', () => {
    const unknown = [...documentedHttp.keys()].filter((code) => code.startsWith('JDG_ERR_HTTP_') && !(code in httpErrorCodes));
    expect(unknown).toEqual([]);
  });

  it('follow the JDG_ERR_HTTP_<PROBLEM> shape', () => {
    for (const code of Object.keys(httpErrorCodes)) expect(code).toMatch(/^JDG_ERR_HTTP_[A-Z_]+$/);
  });

  it.each(Object.keys(errorCodes))('core code %s has a status, the one docs/errors.md gives', (code) => {
    const status = statusOfCode[code as keyof typeof statusOfCode];
    expect(status).toBeGreaterThanOrEqual(400);
    const row = new RegExp(`^\\| \`${code}\` \\| ([^|]+) \\|`, 'm').exec(errorsDocs);
    expect(row, `${code} in docs/errors.md`).not.toBeNull();
    const documented = row![1]!.trim();
    // "—": never answered over HTTP by a healthy server; should it happen, it is a 500.
    if (documented === '—') expect(status).toBe(500);
    else expect(status).toBe(Number(documented));
  });

  it('gives a code from a newer core the error shape and 500, never a crash', () => {
    const failure = toHttpFailure(new JudgeError('JDG_ERR_FUTURE_THING' as never, 'new'), 5);
    expect(failure).toMatchObject({ status: 500, code: 'JDG_ERR_FUTURE_THING', message: 'new' });
  });

  it('adds Retry-After where waiting helps', () => {
    expect(toHttpFailure(new JudgeError('JDG_ERR_QUEUE_FULL', 'full'), 7).headers).toEqual({ 'retry-after': '7' });
    expect(toHttpFailure(new JudgeError('JDG_ERR_INPUT_INVALID', 'bad'), 7).headers).toEqual({});
  });
});
