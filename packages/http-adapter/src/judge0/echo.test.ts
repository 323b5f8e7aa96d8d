import { describe, expect, it } from 'vitest';
import { EchoCache, echoFromInput } from './echo.js';
import { defaultZipLimits, unpackZip } from './zip.js';

const echo = (n: number) => ({ sourceCode: Buffer.alloc(n, 'x'), stdin: null, expectedOutput: null, additionalFiles: null });

describe('the echo of what a Judge0 submission was sent with', () => {
  it('keeps entries for their time, then forgets them', () => {
    const cache = new EchoCache({ ttlMs: 1000 });
    cache.set('a', echo(1), 0);
    cache.set('b', echo(1), 500);
    expect(cache.get('a', 999)?.sourceCode?.length).toBe(1);
    expect(cache.get('a', 1000)).toBeNull();
    expect(cache.get('b', 1000)).not.toBeNull();
  });

  it('drops the oldest beyond its entry and byte bounds, and never holds one larger than the byte bound', () => {
    const cache = new EchoCache({ maxEntries: 2, maxBytes: 10 });
    cache.set('a', echo(4));
    cache.set('b', echo(4));
    cache.set('c', echo(4));
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map((e) => e !== null)).toEqual([false, true, true]);
    cache.set('d', echo(11));
    expect(cache.get('d')).toBeNull();
    cache.delete('b');
    expect(cache.size).toBe(1);
  });

  it('reads the source and the first test’s input back from a stored input, none for language 89', () => {
    const input = {
      files: [{ path: 'main.py', content: Buffer.from('print(1)').toString('base64'), encoding: 'base64' as const }],
      tests: [{ name: '1', input: 'in', expectedOutput: 'out', limits: {} }],
    } as unknown as Parameters<typeof echoFromInput>[0];
    expect(echoFromInput(input, 71)).toEqual({
      sourceCode: Buffer.from('print(1)'),
      stdin: 'in',
      expectedOutput: 'out',
      additionalFiles: null,
    });
    expect(echoFromInput(input, 89).sourceCode).toBeNull();
  });

  it('answers additional_files from a stored input as a zip of the files it was unpacked into', async () => {
    const input = {
      files: [
        { path: 'run', content: 'bash main.sh\n', encoding: 'utf8' as const },
        { path: 'lib/data.bin', content: Buffer.from([0, 1, 2, 255]).toString('base64'), encoding: 'base64' as const },
      ],
      tests: [{ name: '1', input: '', expectedOutput: null, limits: {} }],
    } as unknown as Parameters<typeof echoFromInput>[0];
    const project = echoFromInput(input, 89);
    const files = await unpackZip(Buffer.from(project.additionalFiles!, 'base64'), defaultZipLimits);
    expect(files.map((f) => [f.path, [...f.data]])).toEqual([
      ['run', [...Buffer.from('bash main.sh\n')]],
      ['lib/data.bin', [0, 1, 2, 255]],
    ]);
    const single = await unpackZip(Buffer.from(echoFromInput(input, 46).additionalFiles!, 'base64'), defaultZipLimits);
    expect(single.map((f) => f.path)).toEqual(['lib/data.bin']);
    expect(echoFromInput({ ...input, files: input.files.slice(0, 1) }, 46).additionalFiles).toBeNull();
  });
});
