/**
 * Base64 as Judge0 writes and reads it. Judge0 uses Ruby's `Base64.encode64`, which breaks the
 * text into lines of 60 characters, each ending in `\n` (so `"aGVsbG8K\n"` for `hello\n`), and
 * `Base64.decode64`, which skips line breaks and anything else outside the alphabet.
 */

/** Ruby's `Base64.encode64`: 60 characters per line, every line ending in `\n`; `""` for no bytes. */
export function encode64(data: string | Uint8Array): string {
  const text = typeof data === 'string' ? Buffer.from(data, 'utf8').toString('base64') : Buffer.from(data).toString('base64');
  if (text.length === 0) return '';
  let out = '';
  for (let i = 0; i < text.length; i += 60) out += `${text.slice(i, i + 60)}\n`;
  return out;
}

/** Ruby's `Base64.decode64`: line breaks (and any character outside the alphabet) are skipped. */
export function decode64(text: string): Buffer {
  return Buffer.from(text.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
}

/** The bytes as UTF-8 text, or null when they are not valid UTF-8. */
export function utf8OrNull(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
