import { describe, expect, it } from 'vitest';
import { buildZip } from '../../test/judge0-zip.js';
import { defaultZipLimits, unpackZip, ZipRefused } from './zip.js';

const refusal = async (archive: Buffer, limits = defaultZipLimits) => {
  const error = await unpackZip(archive, limits).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZipRefused);
  return (error as ZipRefused).message;
};

describe('additional_files archives', () => {
  it('unpacks files and nested folders into memory, skipping folder entries', async () => {
    const archive = buildZip([
      { name: 'src/', mode: 0o040755, data: '' },
      { name: 'src/lib.h', data: 'int twice(int);\n' },
      { name: 'run', data: './prog\n', deflate: false },
    ]);
    const files = await unpackZip(archive);
    expect(files.map((f) => [f.path, f.data.toString()])).toEqual([
      ['src/lib.h', 'int twice(int);\n'],
      ['run', './prog\n'],
    ]);
  });

  it('refuses zip slip: a name with .. segments', async () => {
    expect(await refusal(buildZip([{ name: '../../etc/evil', data: 'x' }]))).toMatch(/"\.\.\/\.\.\/etc\/evil", a path with \.\./);
    expect(await refusal(buildZip([{ name: 'a/../../b', data: 'x' }]))).toMatch(/a path with \.\./);
  });

  it('refuses absolute paths, drive letters and backslashes', async () => {
    expect(await refusal(buildZip([{ name: '/tmp/evil', data: 'x' }]))).toMatch(/"\/tmp\/evil", an absolute path/);
    expect(await refusal(buildZip([{ name: 'C:/evil', data: 'x' }]))).toMatch(/an absolute path/);
    expect(await refusal(buildZip([{ name: '..\\evil', data: 'x' }]))).toMatch(/a backslash/);
  });

  it('refuses a symbolic link, whatever it points at', async () => {
    expect(await refusal(buildZip([{ name: 'passwd', mode: 0o120777, data: '/etc/passwd' }]))).toMatch(/symbolic link "passwd"/);
    expect(await refusal(buildZip([{ name: 'inside', mode: 0o120777, data: 'other' }]))).toMatch(/symbolic link/);
  });

  it('refuses devices and FIFOs', async () => {
    expect(await refusal(buildZip([{ name: 'fifo', mode: 0o010644, data: '' }]))).toMatch(/special file "fifo"/);
    expect(await refusal(buildZip([{ name: 'tty', mode: 0o020644, data: '' }]))).toMatch(/special file/);
  });

  it('refuses a zip bomb by its expansion ratio before inflating it', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    const message = await refusal(buildZip([{ name: 'zeros', data: zeros }]));
    expect(message).toMatch(/"zeros" that unpacks \d+ times its size; at most 200/);
  });

  it('refuses a file over the per-file bound and an archive over the total bound', async () => {
    const limits = { ...defaultZipLimits, maxFileBytes: 1000, maxTotalBytes: 1500, maxRatio: 1e9 };
    expect(await refusal(buildZip([{ name: 'big', data: Buffer.alloc(1001, 1) }]), limits)).toMatch(/"big" of 1001 bytes; at most 1000/);
    const two = buildZip([
      { name: 'a', data: Buffer.alloc(800, 1) },
      { name: 'b', data: Buffer.alloc(800, 2) },
    ]);
    expect(await refusal(two, limits)).toMatch(/more than 1500 bytes/);
  });

  it('refuses a header that lies about the size (the data is inflated only up to what was declared)', async () => {
    const archive = buildZip([{ name: 'liar', data: Buffer.alloc(2 * 1024 * 1024, 7), declaredSize: 100 }]);
    expect(await refusal(archive)).toMatch(/cannot be read at "liar"/);
  });

  it('refuses too many entries, a repeated path, encryption and what is not a zip at all', async () => {
    const many = buildZip(Array.from({ length: 65 }, (_, i) => ({ name: `f${i}`, data: 'x' })));
    expect(await refusal(many)).toMatch(/holds 65 entries; at most 64/);
    expect(
      await refusal(
        buildZip([
          { name: 'a', data: '1' },
          { name: 'a', data: '2' },
        ]),
      ),
    ).toMatch(/holds "a" twice/);
    expect(await refusal(buildZip([{ name: 'secret', data: 'x', encrypted: true }]))).toMatch(/encrypted entry "secret"/);
    expect(await refusal(Buffer.from('definitely not a zip'))).toMatch(/is not a valid zip archive/);
  });
});
