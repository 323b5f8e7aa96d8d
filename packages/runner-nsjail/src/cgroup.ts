import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Which cgroup layout the host uses. */
export type CgroupVersion = 'v1' | 'v2';

/** What one command used, read from its cgroup after it ended. */
export interface CgroupUsage {
  /** CPU time of every process in the group, in nanoseconds. */
  cpuNs: number;
  /** Peak memory charged to the group, in bytes. */
  peakMemoryBytes: number;
  /** Number of OOM kills inside the group. */
  oomKills: number;
  /** Times an allocation hit the memory limit. */
  memoryFailures: number;
  /** Times a fork/clone was refused at the pids limit. */
  pidsRefused: number;
}

/** Limits written into a command's cgroup before anything runs in it. */
export interface CgroupLimits {
  memoryBytes: number;
  /** Most tasks (processes and threads). */
  pids: number;
}

const v1Controllers = ['memory', 'pids', 'cpuacct'] as const;

/** @internal Detects the cgroup layout from the mounts under `root`. */
export function detectCgroupVersion(root = '/sys/fs/cgroup'): CgroupVersion | null {
  if (v1Controllers.every((c) => existsSync(join(root, c, 'cgroup.procs')))) return 'v1';
  try {
    const controllers = readFileSync(join(root, 'cgroup.controllers'), 'utf8');
    if (/\bmemory\b/.test(controllers) && /\bpids\b/.test(controllers)) return 'v2';
  } catch {
    // not a cgroup2 root
  }
  return null;
}

// Cgroup files live in kernel memory and answer in microseconds: synchronous calls skip the
// thread-pool round trips that dominated a command's fixed cost on a loaded machine.
const readNumber = (file: string): number => {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === 'max' ? Number.POSITIVE_INFINITY : Number(text) || 0;
  } catch {
    return 0;
  }
};

const readKey = (file: string, key: string): number => {
  try {
    const text = readFileSync(file, 'utf8');
    const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
};

/**
 * @internal The cgroup hierarchy the runner owns: `<root>/<controller>/<parent>` on v1,
 * `<root>/<parent>` on v2. Each command gets a child group that the judge creates, fills,
 * reads and removes itself (nsjail's own per-run group is deleted with its counters).
 */
export class CgroupTree {
  constructor(
    readonly version: CgroupVersion,
    readonly parent: string,
    readonly root = '/sys/fs/cgroup',
  ) {}

  /** Folders that make up one group, one per controller on v1. */
  dirsOf(name: string): string[] {
    if (this.version === 'v2') return [join(this.root, this.parent, name)];
    return v1Controllers.map((c) => join(this.root, c, this.parent, name));
  }

  /** The parent folders (created by the setup script, re-created here when missing). */
  parentDirs(): string[] {
    if (this.version === 'v2') return [join(this.root, this.parent)];
    return v1Controllers.map((c) => join(this.root, c, this.parent));
  }

  async ensureParents(): Promise<void> {
    for (const dir of this.parentDirs()) mkdirSync(dir, { recursive: true });
    if (this.version === 'v2') {
      // Children only get controllers the parent delegates.
      try {
        writeFileSync(join(this.root, this.parent, 'cgroup.subtree_control'), '+memory +pids +cpu');
      } catch {
        // already delegated, or delegation refused: create() will tell
      }
    }
  }

  /** Creates an empty group; limits are written later with {@link CgroupHandle.applyLimits}. */
  async make(name: string): Promise<CgroupHandle> {
    const dirs = this.dirsOf(name);
    const handle = new CgroupHandle(this.version, dirs);
    try {
      for (const dir of dirs) mkdirSync(dir);
    } catch (error) {
      await handle.remove().catch(() => undefined);
      throw error;
    }
    return handle;
  }

  /** Creates a group with its limits; returns the `cgroup.procs` files a process must join. */
  async create(name: string, limits: CgroupLimits): Promise<CgroupHandle> {
    const handle = await this.make(name);
    try {
      await handle.applyLimits(limits);
    } catch (error) {
      await handle.remove();
      throw error;
    }
    return handle;
  }

  /** Names of the groups under the parent in any controller (for stale clean-up and leftover checks). */
  async list(): Promise<string[]> {
    const names = new Set<string>();
    for (const dir of this.parentDirs()) {
      try {
        for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) names.add(entry.name);
      } catch {
        // parent missing: nothing under it
      }
    }
    return [...names].sort();
  }

  /** Kills what runs in a group and removes it (used for groups left by a crashed judge). */
  async destroy(name: string): Promise<void> {
    await new CgroupHandle(this.version, this.dirsOf(name)).remove();
  }
}

/** @internal One command's group. */
export class CgroupHandle {
  constructor(
    readonly version: CgroupVersion,
    readonly dirs: string[],
  ) {}

  private get memoryDir(): string {
    return this.dirs[0]!;
  }
  private get pidsDir(): string {
    return this.version === 'v2' ? this.dirs[0]! : this.dirs[1]!;
  }
  private get cpuDir(): string {
    return this.version === 'v2' ? this.dirs[0]! : this.dirs[2]!;
  }

  /** Files a process writes its pid into to join every controller. */
  get procsFiles(): string[] {
    return this.dirs.map((d) => join(d, 'cgroup.procs'));
  }

  async applyLimits(limits: CgroupLimits): Promise<void> {
    const memory = String(Math.floor(limits.memoryBytes));
    const pids = String(Math.max(1, Math.floor(limits.pids)));
    const optional = (file: string, value: string): void => {
      try {
        writeFileSync(file, value);
      } catch {
        // absent on this kernel or configuration (no swap accounting)
      }
    };
    if (this.version === 'v1') {
      // Without swap accounting the memsw file is absent; with it, swap must not extend the
      // limit. The kernel keeps memory ≤ memory+swap at every step: raising a limit (a warm
      // jail's next command) writes memsw first, lowering it writes memory first.
      const memswFile = join(this.memoryDir, 'memory.memsw.limit_in_bytes');
      try {
        writeFileSync(join(this.memoryDir, 'memory.limit_in_bytes'), memory);
        optional(memswFile, memory);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
        optional(memswFile, memory);
        writeFileSync(join(this.memoryDir, 'memory.limit_in_bytes'), memory);
      }
      optional(join(this.memoryDir, 'memory.swappiness'), '0');
    } else {
      writeFileSync(join(this.memoryDir, 'memory.max'), memory);
      optional(join(this.memoryDir, 'memory.swap.max'), '0');
    }
    writeFileSync(join(this.pidsDir, 'pids.max'), pids);
  }

  #cpuBaseNs = 0;
  #pidsRefusedBase = 0;
  #oomKillsBase = 0;
  #memoryFailuresBase = 0;

  /**
   * Marks the start of the command: what the waiting launcher used so far is not the program's.
   * v1 counters are reset; v2's cpu counter cannot be, so its value is subtracted later.
   */
  markStart(): void {
    this.#cpuBaseNs = 0;
    // Event counters cannot be reset: a group that serves several commands (a warm jail)
    // reports each command's own by difference.
    this.#pidsRefusedBase = readKey(join(this.pidsDir, 'pids.events'), 'max');
    this.#oomKillsBase = readKey(join(this.memoryDir, this.version === 'v1' ? 'memory.oom_control' : 'memory.events'), 'oom_kill');
    this.#memoryFailuresBase = this.version === 'v2' ? readKey(join(this.memoryDir, 'memory.events'), 'max') : 0;
    if (this.version === 'v1') {
      for (const [dir, file] of [
        [this.cpuDir, 'cpuacct.usage'],
        [this.memoryDir, 'memory.max_usage_in_bytes'],
        [this.memoryDir, 'memory.failcnt'],
      ] as const) {
        try {
          writeFileSync(join(dir, file), '0');
        } catch {
          // a counter that cannot be reset only overstates by the launcher's own use
        }
      }
    } else {
      this.#cpuBaseNs = readKey(join(this.cpuDir, 'cpu.stat'), 'usage_usec') * 1000;
    }
  }

  /** CPU time used since {@link markStart}, in nanoseconds. */
  async cpuNs(): Promise<number> {
    if (this.version === 'v1') return readNumber(join(this.cpuDir, 'cpuacct.usage'));
    return Math.max(0, readKey(join(this.cpuDir, 'cpu.stat'), 'usage_usec') * 1000 - this.#cpuBaseNs);
  }

  /** Memory charged to the group for files in a tmpfs and shared memory (`shmem`), in bytes. */
  shmemBytes(): number {
    return readKey(join(this.memoryDir, 'memory.stat'), this.version === 'v1' ? 'total_shmem' : 'shmem');
  }

  /** Current memory charge, in bytes (v2 kernels before 5.19 have no `memory.peak`). */
  async currentMemoryBytes(): Promise<number> {
    return readNumber(join(this.memoryDir, this.version === 'v1' ? 'memory.usage_in_bytes' : 'memory.current'));
  }

  async usage(): Promise<CgroupUsage> {
    const cpuNs = await this.cpuNs();
    const pidsRefused = readKey(join(this.pidsDir, 'pids.events'), 'max') - this.#pidsRefusedBase;
    if (this.version === 'v1') {
      return {
        cpuNs,
        peakMemoryBytes: readNumber(join(this.memoryDir, 'memory.max_usage_in_bytes')),
        oomKills: readKey(join(this.memoryDir, 'memory.oom_control'), 'oom_kill') - this.#oomKillsBase,
        memoryFailures: readNumber(join(this.memoryDir, 'memory.failcnt')),
        pidsRefused,
      };
    }
    const events = join(this.memoryDir, 'memory.events');
    return {
      cpuNs,
      peakMemoryBytes: readNumber(join(this.memoryDir, 'memory.peak')),
      oomKills: readKey(events, 'oom_kill') - this.#oomKillsBase,
      memoryFailures: readKey(events, 'max') - this.#memoryFailuresBase,
      pidsRefused,
    };
  }

  /** Host pids of every process in the group (on v2, in its child groups too). */
  async pids(): Promise<number[]> {
    return this.version === 'v2' ? pidsUnder(this.dirs[0]!) : readPids(join(this.pidsDir, 'cgroup.procs'));
  }

  /**
   * v2: a child group (a warm jail's resting group, or one command's leaf). A v2 group with
   * children that use controllers may hold no process itself, so a warm jail on v2 is a group
   * whose processes live in its leaves.
   */
  async child(name: string): Promise<CgroupHandle> {
    if (this.version !== 'v2') throw new Error('child groups are for cgroup v2');
    const dir = join(this.dirs[0]!, name);
    mkdirSync(dir);
    return new CgroupHandle('v2', [dir]);
  }

  /** v2: gives this group's children the controllers the runner uses; the group must hold no process. */
  delegate(): void {
    writeFileSync(join(this.dirs[0]!, 'cgroup.subtree_control'), '+memory +pids +cpu');
  }

  /** v2: lifts this group's own memory and pids limits (its leaves carry each command's). */
  clearLimits(): void {
    writeFileSync(join(this.memoryDir, 'memory.max'), 'max');
    writeFileSync(join(this.pidsDir, 'pids.max'), 'max');
  }

  /** Moves a process (every thread of it) into this group, in every controller. */
  move(pid: number): void {
    for (const file of this.procsFiles) writeFileSync(file, String(pid));
  }

  /** SIGKILLs every process in the group except `spare` (nsjail itself, and a warm jail's supervisor, so they can report). */
  async killAll(spare?: number | readonly number[]): Promise<void> {
    const spared = spare === undefined ? [] : typeof spare === 'number' ? [spare] : spare;
    if (this.version === 'v2' && spared.length === 0) {
      try {
        writeFileSync(join(this.pidsDir, 'cgroup.kill'), '1');
      } catch {
        // kernels before 5.14 have no cgroup.kill: the loop below does it
      }
    }
    for (const pid of await this.pids()) {
      if (spared.includes(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Kills what is left and removes the group's folders (on v2 its child groups first), retrying while tasks exit. */
  async remove(): Promise<void> {
    if (this.version === 'v2') {
      for (const child of childDirs(this.dirs[0]!)) await new CgroupHandle('v2', [child]).remove();
    }
    for (let attempt = 0; attempt < 200; attempt++) {
      let busy: NodeJS.ErrnoException | undefined;
      // Off the event loop: removing a v1 group waits in the kernel (about 4 ms here), which
      // would stall every other sandbox's I/O meanwhile. The controllers' folders go together.
      const results = await Promise.allSettled(this.dirs.map((dir) => rmdir(dir)));
      for (const result of results) {
        if (result.status === 'fulfilled') continue;
        const error = result.reason as NodeJS.ErrnoException;
        if (error.code === 'ENOENT') continue;
        if (error.code !== 'EBUSY' || attempt === 199) throw error;
        busy = error;
      }
      if (!busy) return;
      await this.killAll();
      await new Promise((resolve) => setTimeout(resolve, attempt < 10 ? 5 : 25));
    }
  }
}

const readPids = (procsFile: string): number[] => {
  try {
    return readFileSync(procsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((p) => Number(p));
  } catch {
    return [];
  }
};

/** Sub-folders of a v2 group: its child groups (control files are plain files). */
const childDirs = (dir: string): string[] => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
};

const pidsUnder = (dir: string): number[] => [...readPids(join(dir, 'cgroup.procs')), ...childDirs(dir).flatMap(pidsUnder)];
