import { describe, expect, it } from 'vitest';
import { splitArguments } from './arguments.js';
import { decode64, encode64, utf8OrNull } from './base64.js';
import { defaultFields, parseFields, submissionFields } from './fields.js';

describe('base64 as Judge0 (Ruby’s Base64) writes and reads it', () => {
  it('ends every line with a newline, as the documented example "aGVsbG8sIEp1ZGdlMAo=\\n"', () => {
    expect(encode64('hello, Judge0\n')).toBe('aGVsbG8sIEp1ZGdlMAo=\n');
    expect(encode64('')).toBe('');
  });

  it('breaks long text into lines of 60 characters', () => {
    const text = 'x'.repeat(100);
    const encoded = encode64(text);
    const lines = encoded.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => l.length)).toEqual([60, 60, 16]);
    expect(Buffer.from(encoded.replace(/\n/g, ''), 'base64').toString()).toBe(text);
  });

  it('reads base64 with or without line breaks, and bytes that are not text', () => {
    const bytes = Buffer.from([0xfe, 0x00, 0x41, 0xff]);
    expect(decode64(encode64(bytes))).toEqual(bytes);
    expect(decode64(bytes.toString('base64'))).toEqual(bytes);
    expect(decode64('aGVs\r\nbG8=\n').toString()).toBe('hello');
    expect(utf8OrNull(bytes)).toBeNull();
    expect(utf8OrNull(Buffer.from('héllo'))).toBe('héllo');
  });
});

describe('command_line_arguments and compiler_options as Judge0’s Bash script reads them', () => {
  it('splits words with Bash’s quoting', () => {
    expect(splitArguments(`a 'b c' "d e" f\\ g`)).toEqual({ args: ['a', 'b c', 'd e', 'f g'] });
    expect(splitArguments('  -O2   -Wall ')).toEqual({ args: ['-O2', '-Wall'] });
    expect(splitArguments('')).toEqual({ args: [] });
  });

  it('removes the characters Judge0 removes ($ & ; < > | and backtick) before splitting', () => {
    expect(splitArguments('a; rm -rf / && echo $HOME `id` | cat > x < y')).toEqual({
      args: ['a', 'rm', '-rf', '/', 'echo', 'HOME', 'id', 'cat', 'x', 'y'],
    });
  });

  it('refuses what Bash would expand or run differently', () => {
    expect(splitArguments('*.c')).toMatchObject({ error: expect.stringMatching(/unquoted pattern "\*\.c"/) });
    expect(splitArguments('a # b')).toMatchObject({ error: expect.stringMatching(/comment/) });
    expect(splitArguments('(x)')).toMatchObject({ error: expect.stringMatching(/operator "\("/) });
    expect(splitArguments('a\nb')).toMatchObject({ error: expect.stringMatching(/one line/) });
    expect(splitArguments('{a,b}')).toMatchObject({ error: expect.stringMatching(/brace or tilde/) });
    expect(splitArguments('~/x')).toMatchObject({ error: expect.stringMatching(/brace or tilde/) });
  });
});

describe('fields', () => {
  it('answers the default eight in Judge0’s order when absent or empty', () => {
    expect(parseFields(undefined)).toEqual({ fields: defaultFields, invalid: [] });
    expect(parseFields('')).toEqual({ fields: defaultFields, invalid: [] });
    expect(defaultFields).toEqual(['stdout', 'time', 'memory', 'stderr', 'token', 'compile_output', 'message', 'status']);
  });

  it('answers every attribute for *, and the asked ones in Judge0’s order', () => {
    expect(parseFields('*').fields).toEqual(submissionFields);
    expect(submissionFields).toHaveLength(35);
    expect(parseFields('status_id,stdout,language_id').fields).toEqual(['language_id', 'stdout', 'status_id']);
  });

  it('reports unknown names', () => {
    expect(parseFields('stdout,nope,id').invalid).toEqual(['nope', 'id']);
  });
});
