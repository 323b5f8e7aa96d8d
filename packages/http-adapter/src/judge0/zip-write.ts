import { type Zippable, zipSync } from 'fflate';

/**
 * @internal A zip archive of regular files (deflated, UTF-8 names, Unix mode 0644), for answering
 * `additional_files` back when only the files it was unpacked into are kept. Written by fflate;
 * sizes stay far below zip64's bounds, since the archive was bounded when it came in.
 */
export function writeZip(files: readonly { path: string; data: Buffer }[]): Buffer {
  const entries: Zippable = {};
  // os 3 is Unix: the high 16 bits of the external attributes are the file's mode. The time is
  // zip's earliest, so one input always gives the same bytes.
  const mtime = new Date(1980, 0, 1);
  for (const file of files) entries[file.path] = [file.data, { level: 6, os: 3, attrs: (0o100644 << 16) >>> 0, mtime }];
  return Buffer.from(zipSync(entries));
}
