import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const pageBytes = 4096;
/** The mount's own folders (its root, box/ and tmp/): not the program's to count. */
const ownInodes = 3;

/** @internal How much a sandbox's files may hold (see `Limits.diskBytes` and `Limits.diskInodes`). */
export interface StorageBound {
  bytes: number;
  inodes: number;
}

/** @internal What a sandbox's storage holds now. */
export interface StorageUse {
  bytes: number;
  inodes: number;
  /** No page or no inode left: a write or a file creation was (or would be) refused. */
  full: boolean;
}

/**
 * @internal Mounting without a child process of the judge (the runner's forker does the system
 * calls). Any failure falls back to the mount binaries, which then report the real error.
 */
export interface MountOps {
  mount(target: string, options: string): Promise<void>;
  remount(target: string, options: string): Promise<void>;
  umount(target: string): Promise<void>;
}

const binaryEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

async function mountTmpfs(ops: MountOps | undefined, target: string, options: string): Promise<void> {
  if (ops) {
    try {
      return await ops.mount(target, options);
    } catch {
      // the mount binary below gives the reason, or succeeds where the forker could not run
    }
  }
  await run('mount', ['-t', 'tmpfs', '-o', options, 'judgekit-sandbox', target], { env: binaryEnv });
}

async function remountTmpfs(ops: MountOps | undefined, target: string, options: string): Promise<void> {
  if (ops) {
    try {
      return await ops.remount(target, options);
    } catch {
      // as above
    }
  }
  await run('mount', ['-o', `remount,${options}`, target], { env: binaryEnv });
}

const roundUp = (n: number): number => Math.ceil(n / pageBytes) * pageBytes;

/**
 * @internal One sandbox's storage: a tmpfs of its own (`size=`, `nr_inodes=`) mounted by the
 * judge at `<workDirBase>/<id>`, root-owned (0711), holding `box/` (the work directory, bound at
 * `/box`) and `tmp/` (bound at `/tmp`). Both share one bound on bytes and one on inodes, across
 * every command of the sandbox; the host's disk is never written. tmpfs pages are memory: the
 * kernel charges them to the memory cgroup of the process that wrote them, so within a command
 * they count toward `memoryBytes` too. Removing it is one unmount, whatever a program created.
 */
export class SandboxStorage {
  #bound: StorageBound;

  readonly #ops: MountOps | undefined;

  private constructor(
    readonly root: string,
    bound: StorageBound,
    ops: MountOps | undefined,
  ) {
    this.#bound = bound;
    this.#ops = ops;
  }

  /** The work directory (the program's `/box`). */
  get box(): string {
    return join(this.root, 'box');
  }

  /** The program's `/tmp`. */
  get tmp(): string {
    return join(this.root, 'tmp');
  }

  get bound(): StorageBound {
    return this.#bound;
  }

  /** Mounts a fresh tmpfs at `root` (created here) with `box/` and `tmp/` owned by `owner`. */
  static async create(root: string, bound: StorageBound, owner: { uid: number; gid: number }, ops?: MountOps): Promise<SandboxStorage> {
    mkdirSync(root, { mode: 0o711 });
    const storage = new SandboxStorage(root, bound, ops);
    try {
      await mountTmpfs(ops, root, `${options(bound)},mode=0711,uid=0,gid=0`);
      for (const [dir, mode] of [
        [storage.box, 0o700],
        [storage.tmp, 0o1777],
      ] as const) {
        mkdirSync(dir);
        chownSync(dir, owner.uid, owner.gid);
        chmodSync(dir, mode);
      }
    } catch (error) {
      await storage.remove().catch(() => undefined);
      throw error;
    }
    return storage;
  }

  /** Bytes and inodes in use now, and whether the file system is full. */
  use(): StorageUse {
    const s = statfsSync(this.root);
    const bytes = (s.blocks - s.bfree) * s.bsize;
    const inodes = Math.max(0, s.files - s.ffree - ownInodes);
    return { bytes, inodes, full: s.bavail === 0 || s.ffree === 0 };
  }

  /**
   * Sets the bound for the next command (a remount; nothing is lost). A bound below what the
   * sandbox already holds becomes what it holds: nothing more can be written, and the program
   * meets `ENOSPC` at its first write.
   */
  async resize(bound: StorageBound): Promise<void> {
    if (bound.bytes === this.#bound.bytes && bound.inodes === this.#bound.inodes) return;
    const used = this.use();
    const next = { bytes: Math.max(bound.bytes, used.bytes), inodes: Math.max(bound.inodes, used.inodes) };
    await remountTmpfs(this.#ops, this.root, options(next));
    this.#bound = bound;
  }

  /** Makes room for the judge's own files (sources, inputs): `bytes` and `files` more than now. */
  async grow(bytes: number, files: number): Promise<void> {
    const used = this.use();
    const next = {
      bytes: Math.max(this.#bound.bytes, used.bytes + roundUp(bytes) + files * pageBytes),
      inodes: Math.max(this.#bound.inodes, used.inodes + files),
    };
    await remountTmpfs(this.#ops, this.root, options(next));
    // The next command sets its own bound again.
    this.#bound = { bytes: -1, inodes: -1 };
  }

  /** Unmounts (freeing every page at once) and removes the mount point. */
  async remove(): Promise<void> {
    await unmount(this.root, this.#ops);
    try {
      // Off the event loop: a directory removal on the host's disk can wait on its journal.
      await rmdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

const options = (bound: StorageBound): string =>
  `size=${roundUp(Math.max(pageBytes, bound.bytes))},nr_inodes=${Math.max(1, bound.inodes) + ownInodes}`;

/** @internal Mount points at or under `base` (from /proc/self/mountinfo), deepest first. */
export function mountsUnder(base: string): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const decode = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  const found = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(decode)
    .filter((p) => p.startsWith(`${base}/`));
  return [...new Set(found)].sort((a, b) => b.length - a.length);
}

/** @internal Unmounts `path` if it is a mount point (lazily when busy); no error when it is not mounted. */
export async function unmount(path: string, ops?: MountOps): Promise<void> {
  if (ops) {
    try {
      // Lazily when busy, as below; no need to read the mount table first.
      return await ops.umount(path);
    } catch (error) {
      // Not a mount point (EINVAL), or no such folder: nothing to unmount.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EINVAL' || code === 'ENOENT') return;
      // else the binaries below
    }
  }
  if (!mountsUnder(path.slice(0, path.lastIndexOf('/'))).includes(path)) return;
  const env = binaryEnv;
  try {
    await run('umount', [path], { env });
  } catch {
    // Busy (a process of a crashed judge's jail still has it): detach it now, freed when they go.
    await run('umount', ['-l', path], { env });
  }
}
