import { spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  read,
  readdirSync,
  readSync,
  rmdirSync,
  type Stats,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs';
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JudgeError } from '@judgekit/core';

// Host code never follows a link inside a sandbox's files: every component is checked with
// lstat and the last one opened with O_NOFOLLOW. This is race-free only because no sandboxed
// process is alive while the host touches the files (exec waits until its cgroup is empty).

const invalid = (path: string, why: string): JudgeError =>
  new JudgeError('JDG_ERR_SANDBOX_PATH_INVALID', `Sandbox path ${JSON.stringify(path)} is refused: ${why}.`, {
    details: { path },
  });

/** @internal Splits a relative sandbox path into components, refusing anything that could escape. */
export function splitSandboxPath(path: string): string[] {
  if (typeof path !== 'string' || path.length === 0) throw invalid(String(path), 'it is empty');
  if (path.includes('\0')) throw invalid(path, 'it contains a NUL byte');
  if (path.startsWith('/')) throw invalid(path, 'it is absolute');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw invalid(path, 'it names the work directory itself');
  if (parts.includes('..')) throw invalid(path, 'it contains ".."');
  return parts;
}

// Metadata calls on the local work directory take microseconds; run synchronously they skip
// the thread-pool round trips that dominate a small submission's cost on a busy machine. Only
// file contents above this size, and trees above a few hundred entries, go asynchronous.
const syncBytes = 1024 * 1024;
const syncEntries = 512;

const lstatOrNull = (path: string): Stats | null => {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
};

/** Walks to the folder holding the last component, creating folders (owned by `owner`) when asked. */
function parentOf(root: string, path: string, parts: string[], create?: { uid: number; gid: number }): string {
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    let stats = lstatOrNull(dir);
    if (stats === null) {
      if (!create) throw invalid(path, `folder ${part} does not exist`);
      mkdirSync(dir, { mode: 0o755 });
      const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      try {
        fchownSync(fd, create.uid, create.gid);
      } finally {
        closeSync(fd);
      }
      stats = lstatSync(dir);
    }
    if (stats.isSymbolicLink()) throw invalid(path, `${part} is a symbolic link`);
    if (!stats.isDirectory()) throw invalid(path, `${part} is not a folder`);
  }
  return join(dir, parts[parts.length - 1]!);
}

const linkError = (path: string, error: unknown): unknown => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP' || code === 'EMLINK') return invalid(path, 'it is a symbolic link');
  if (code === 'ENXIO') return invalid(path, 'it is not a regular file');
  if (code === 'ENOENT') return invalid(path, 'it does not exist');
  return error;
};

const writeAsync = promisify(write);
const readAsync = promisify(read);

/** @internal Writes one file without following links; the sandbox user owns it. */
export async function writeSandboxFile(
  root: string,
  path: string,
  content: Uint8Array,
  mode: number,
  owner: { uid: number; gid: number },
): Promise<void> {
  const parts = splitSandboxPath(path);
  const target = parentOf(root, path, parts, owner);
  // O_NONBLOCK: a FIFO planted by the program must fail at once instead of blocking the judge.
  let fd: number;
  try {
    fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, mode & 0o7777);
  } catch (error) {
    throw linkError(path, error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw invalid(path, 'it is not a regular file');
    if (stats.nlink > 1) throw invalid(path, 'it has other hard links');
    ftruncateSync(fd, 0);
    for (let offset = 0; offset < content.length; ) {
      const length = Math.min(content.length - offset, syncBytes);
      offset +=
        content.length <= syncBytes
          ? writeSync(fd, content, offset, length, offset)
          : await writeAsync(fd, content, offset, length, offset).then((r) => r.bytesWritten);
    }
    fchownSync(fd, owner.uid, owner.gid);
    fchmodSync(fd, mode & 0o7777);
  } finally {
    closeSync(fd);
  }
}

/** @internal Reads one regular file without following links, up to `maxBytes`. */
export async function readSandboxFile(root: string, path: string, maxBytes: number): Promise<Uint8Array> {
  const parts = splitSandboxPath(path);
  const target = parentOf(root, path, parts);
  let fd: number;
  try {
    fd = openSync(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw linkError(path, error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw invalid(path, 'it is not a regular file');
    if (stats.size > maxBytes) {
      throw new JudgeError(
        'JDG_ERR_SANDBOX_FILE_TOO_LARGE',
        `Sandbox file ${JSON.stringify(path)} has ${stats.size} bytes, above ${maxBytes}.`,
        {
          details: { path, sizeBytes: stats.size, maxBytes },
        },
      );
    }
    const buffer = Buffer.alloc(stats.size);
    let offset = 0;
    while (offset < stats.size) {
      const length = Math.min(stats.size - offset, syncBytes);
      const bytesRead =
        stats.size <= syncBytes
          ? readSync(fd, buffer, offset, length, offset)
          : (await readAsync(fd, buffer, offset, length, offset)).bytesRead;
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * @internal Removes a tree without following links: links are unlinked, never opened. Small
 * trees go synchronously; a large one (a million-file attempt) continues asynchronously so the
 * judge stays responsive. A tree too deep for path names falls back to
 * `rm -rf --one-file-system`, which works with file descriptors and does not follow links either.
 */
/** @internal Removes an empty folder off the event loop; false when it was not empty. */
export async function removeEmptyDir(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  }
}

export async function removeTree(dir: string): Promise<void> {
  try {
    const budget = { entries: syncEntries };
    if (removeSmallSync(dir, budget)) return;
    await removeEntry(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'ENAMETOOLONG' && code !== 'ENOTEMPTY' && code !== 'EMFILE') throw error;
    await new Promise<void>((resolve, reject) => {
      const rm = spawn('rm', ['-rf', '--one-file-system', '--', dir], { stdio: 'ignore', env: {} });
      rm.on('error', reject);
      rm.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`rm -rf ${dir} exited with ${code}`))));
    });
  }
}

/** Removes what it can within the budget; true when the whole tree is gone. */
function removeSmallSync(path: string, budget: { entries: number }): boolean {
  const stats = lstatOrNull(path);
  if (stats === null) return true;
  if (--budget.entries < 0) return false;
  if (!stats.isDirectory()) {
    unlinkSync(path);
    return true;
  }
  let complete = true;
  for (const name of readdirSync(path)) {
    if (!removeSmallSync(join(path, name), budget)) {
      complete = false;
      break;
    }
  }
  if (complete) rmdirSync(path);
  return complete;
}

async function removeEntry(path: string): Promise<void> {
  const stats = await lstat(path);
  if (!stats.isDirectory()) {
    await unlink(path);
    return;
  }
  const names = await readdir(path);
  // A bounded number of siblings at once keeps a million-file folder from exhausting descriptors.
  for (let i = 0; i < names.length; i += 64) {
    await Promise.all(names.slice(i, i + 64).map((name) => removeEntry(join(path, name))));
  }
  await rmdir(path);
}
