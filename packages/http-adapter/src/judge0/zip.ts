import yauzl from 'yauzl';

/** Bounds on an `additional_files` archive; every one is checked before a byte is inflated. */
export interface ZipLimits {
  /** Most entries (files and folders). @defaultValue 64 */
  maxEntries: number;
  /** Largest file once unpacked, in bytes. @defaultValue 10485760 (10 MiB, Judge0's `MAX_EXTRACT_SIZE`) */
  maxFileBytes: number;
  /** Most bytes of all files once unpacked. @defaultValue 33554432 (32 MiB) */
  maxTotalBytes: number;
  /** Largest unpacked-to-packed ratio of a file over 64 KiB (a zip bomb's is in the thousands). @defaultValue 200 */
  maxRatio: number;
}

/** The defaults of {@link ZipLimits}. */
export const defaultZipLimits: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 64,
  maxFileBytes: 10 * 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
  maxRatio: 200,
});

/** A file unpacked from an archive: a relative path and its bytes. */
export interface UnpackedFile {
  path: string;
  data: Buffer;
}

/** Why an archive was refused; the message names the entry. */
export class ZipRefused extends Error {
  override readonly name = 'ZipRefused';
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const unixHost = 3;
const ratioFloorBytes = 64 * 1024;

/**
 * Unpacks a zip archive held in memory, into memory: nothing is written anywhere, so no entry can
 * reach outside the sandbox it is later written into. Refused, before anything is inflated:
 * - absolute paths, `..` segments, backslashes and NUL in names (yauzl's checks, kept strict);
 * - symbolic links, devices, FIFOs and sockets (from the entry's Unix mode);
 * - encrypted entries and compression other than stored/deflate;
 * - the same path twice;
 * - more entries than `maxEntries`, a file over `maxFileBytes`, a total over `maxTotalBytes`, or
 *   a file over 64 KiB that unpacks to more than `maxRatio` times its packed size.
 * The sizes are the archive's own claims; yauzl stops a stream whose data disagrees with them, so
 * a lying header is refused as well. Folder entries are skipped (a file's path implies its folders).
 */
export async function unpackZip(archive: Buffer, limits: ZipLimits = defaultZipLimits): Promise<UnpackedFile[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(archive, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: true,
      validateEntrySizes: true,
      strictFileNames: true,
    });
  } catch (error) {
    throw new ZipRefused(`is not a valid zip archive (${describeZipError(error)})`);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new ZipRefused(`holds ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed`);
    }
    const entries: yauzl.Entry[] = [];
    const seen = new Set<string>();
    let total = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        checkEntry(entry, limits);
        const path = entry.fileName.replace(/\/+$/, '');
        if (seen.has(path)) throw new ZipRefused(`holds ${JSON.stringify(path)} twice`);
        seen.add(path);
        if (isFolder(entry)) continue;
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) throw new ZipRefused(`unpacks to more than ${limits.maxTotalBytes} bytes`);
        entries.push(entry);
      }
    } catch (error) {
      if (error instanceof ZipRefused) throw error;
      throw refusedName(error) ?? new ZipRefused(`is not a valid zip archive (${describeZipError(error)})`);
    }
    const files: UnpackedFile[] = [];
    for (const entry of entries) files.push({ path: entry.fileName, data: await readEntry(zip, entry, limits) });
    return files;
  } finally {
    zip.close();
  }
}

function checkEntry(entry: yauzl.Entry, limits: ZipLimits): void {
  const name = entry.fileName;
  if (name.includes('\0')) throw new ZipRefused(`names an entry with a NUL character`);
  if (entry.isEncrypted()) throw new ZipRefused(`holds an encrypted entry ${JSON.stringify(name)}`);
  if (!entry.canDecodeFileData())
    throw new ZipRefused(`holds ${JSON.stringify(name)} in an unsupported compression (method ${entry.compressionMethod})`);
  const type = fileType(entry);
  if (type === S_IFLNK) throw new ZipRefused(`holds a symbolic link ${JSON.stringify(name)}; links are refused`);
  if (type !== null && type !== S_IFREG && type !== S_IFDIR)
    throw new ZipRefused(`holds a special file ${JSON.stringify(name)}; only files and folders are allowed`);
  if (isFolder(entry)) return;
  if (entry.uncompressedSize > limits.maxFileBytes) {
    throw new ZipRefused(`holds ${JSON.stringify(name)} of ${entry.uncompressedSize} bytes; at most ${limits.maxFileBytes} per file`);
  }
  if (entry.uncompressedSize > ratioFloorBytes && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)) {
    throw new ZipRefused(
      `holds ${JSON.stringify(name)} that unpacks ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} times its size; at most ${limits.maxRatio}`,
    );
  }
}

/** The Unix file type of an entry made on a Unix host, or null when the archive does not say. */
function fileType(entry: yauzl.Entry): number | null {
  if (entry.versionMadeBy >> 8 !== unixHost) return null;
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  return mode === 0 ? null : mode;
}

function isFolder(entry: yauzl.Entry): boolean {
  return entry.fileName.endsWith('/') || fileType(entry) === S_IFDIR;
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, limits: ZipLimits): Promise<Buffer> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (error) {
    throw new ZipRefused(`cannot be read at ${JSON.stringify(entry.fileName)} (${describeZipError(error)})`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      // yauzl already stops at the declared size; this bound holds even if it did not.
      if (size > limits.maxFileBytes)
        throw new ZipRefused(`holds ${JSON.stringify(entry.fileName)} larger than ${limits.maxFileBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ZipRefused) throw error;
    throw new ZipRefused(`cannot be read at ${JSON.stringify(entry.fileName)} (${describeZipError(error)})`);
  }
  return Buffer.concat(chunks, size);
}

/** yauzl's name checks, in words that say what was refused. */
function refusedName(error: unknown): ZipRefused | null {
  const message = describeZipError(error);
  const match = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/.exec(message);
  if (!match) return null;
  const why = match[1] === 'absolute path' ? 'an absolute path' : match[1] === 'invalid relative path' ? 'a path with ..' : 'a backslash';
  return new ZipRefused(`holds ${JSON.stringify(match[2])}, ${why}; entries must stay inside the archive's folder`);
}

function describeZipError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
