import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultLimits, WarmPool, type WarmPoolStats } from '@judgekit/core';
import type { CgroupTree } from './cgroup.js';
import { buildArgv } from './exec.js';
import { removeEmptyDir, removeTree } from './files.js';
import { ForkedLauncher, type Forker } from './forker.js';
import { type JailLauncher, Launcher } from './launcher.js';
import { type MountOps, SandboxStorage } from './storage.js';
import type { ResolvedMount } from './toolchain.js';
import { WarmJail } from './warm.js';

const MiB = 1024 * 1024;

/**
 * @internal A jail made ahead of demand for one submission: its outside uid, its work directory
 * (bound at /box), its cgroup, and nsjail running with the supervisor as PID 1, waiting for the
 * submission's first command. Handed out once, destroyed after that one submission.
 */
export interface PreparedJail {
  id: string;
  uid: number;
  /** Outside uid of its supervisor (PID 1), never the program's. */
  supervisorUid: number;
  /** Its tmpfs holding /box and /tmp (the submission's first command sets its bound). */
  storage: SandboxStorage;
  ioDir: string;
  launcher: JailLauncher;
  jail: WarmJail;
}

/** Counters of a runner's pre-started jails, summed over its toolchains. */
export interface PrestartedJailStats extends WarmPoolStats {
  /** Toolchains (sets of mounts) that have a pool. */
  pools: number;
  /** The last failure to start a jail, if any. */
  lastError?: string;
}

/** @internal What the runner lends the pools: its host paths, its uid allocator, its names. */
export interface JailPoolHost {
  nsjail: string;
  supervisor: string;
  cgroups: CgroupTree;
  workDirBase: string;
  runDir: string;
  devices: readonly string[];
  /** A new sandbox id (`<pid>-<random>-<n>`, the prefix the stale sweep and leftovers know). */
  nextId(): string;
  allocateUid(): Promise<number>;
  releaseUid(uid: number): Promise<void>;
  onError(error: unknown): void;
  /** The runner's forker, when it has one (it starts nsjail without forking the judge). */
  forker(): Promise<Forker | null>;
  /** Mounts and unmounts storage through the forker (or the mount binary). */
  mountOps: MountOps;
}

/**
 * @internal The runner's pre-started jails: one core {@link WarmPool} per toolchain (its resolved
 * mounts), each keeping `size` jails ready. A jail is taken by one sandbox and destroyed with it;
 * a ready jail found dead is a sign the host changed under it (the nsjail binary, the cgroup
 * tree), so every ready jail of that pool is flushed and rebuilt.
 */
export class JailPools {
  readonly #pools = new Map<string, WarmPool<PreparedJail>>();
  /** The pool key of a resolved mount list (the runner keeps one list per toolchain for a while). */
  readonly #keys = new WeakMap<ResolvedMount[], string>();
  /** Names and uids of jails being built or ready: the runner's, not a disposed sandbox's. */
  readonly #reserved = new Map<string, number[]>();
  #lastError: string | undefined;

  constructor(
    readonly size: number,
    readonly host: JailPoolHost,
  ) {}

  /** The pool of jails with these mounts, created (and filling) on first use. */
  poolFor(mounts: ResolvedMount[]): WarmPool<PreparedJail> {
    let key = this.#keys.get(mounts);
    if (key === undefined) {
      key = JSON.stringify(mounts);
      this.#keys.set(mounts, key);
    }
    let pool = this.#pools.get(key);
    if (!pool) {
      const made: WarmPool<PreparedJail> = new WarmPool<PreparedJail>({
        size: this.size,
        buildConcurrency: 2,
        build: () => this.#prepare(mounts),
        destroy: (item) => this.#destroy(item),
        check: (item) => {
          if (item.jail.running()) return true;
          void made.flush();
          return false;
        },
        onError: (error) => {
          this.#lastError = (error as Error).message;
          this.host.onError(error);
        },
      });
      pool = made;
      this.#pools.set(key, pool);
    }
    pool.fill();
    return pool;
  }

  /** Takes a ready jail (or builds one now); the caller gives it back to {@link release}. */
  async take(mounts: ResolvedMount[], signal?: AbortSignal): Promise<PreparedJail> {
    let item: PreparedJail;
    try {
      item = await this.poolFor(mounts).take({ signal });
    } catch (error) {
      this.#lastError = (error as Error).message;
      throw error;
    }
    this.#reserved.delete(item.id);
    return item;
  }

  /** Destroys a jail taken from a pool (idempotent with the sandbox's own clean-up). */
  release(mounts: ResolvedMount[], item: PreparedJail): Promise<void> {
    return this.poolFor(mounts).destroy(item);
  }

  /** Ids (work directory and cgroup names start with them) and uids of jails not handed out. */
  reserved(): { ids: string[]; uids: number[] } {
    return { ids: [...this.#reserved.keys()], uids: [...this.#reserved.values()].flat() };
  }

  /** Counters summed over the pools, and the last background build failure. */
  stats(): PrestartedJailStats {
    const sum: WarmPoolStats = { ready: 0, building: 0, hits: 0, misses: 0, waited: 0, buildFailures: 0, destroyed: 0 };
    for (const pool of this.#pools.values()) {
      const s = pool.stats();
      for (const key of Object.keys(sum) as (keyof WarmPoolStats)[]) sum[key] += s[key];
    }
    return { ...sum, pools: this.#pools.size, ...(this.#lastError ? { lastError: this.#lastError } : {}) };
  }

  /** Stops refilling and destroys every jail not handed out. */
  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
  }

  async #prepare(mounts: ResolvedMount[]): Promise<PreparedJail> {
    const { host } = this;
    const uid = await host.allocateUid();
    let supervisorUid: number;
    try {
      supervisorUid = await host.allocateUid();
    } catch (error) {
      await host.releaseUid(uid);
      throw error;
    }
    const id = host.nextId();
    this.#reserved.set(id, [uid, supervisorUid]);
    const root = join(host.workDirBase, id);
    const ioDir = `${root}.io`;
    let launcher: JailLauncher | undefined;
    let storage: SandboxStorage | undefined;
    try {
      storage = await SandboxStorage.create(
        root,
        { bytes: defaultLimits.diskBytes, inodes: defaultLimits.diskInodes },
        { uid, gid: uid },
        host.mountOps,
      );
      mkdirSync(ioDir, { mode: 0o755 });
      const name = `${id}-j`;
      const cgroup = await host.cgroups.make(name);
      // Room for nsjail and the supervisor while it waits; each command writes its own limits.
      await cgroup.applyLimits({ memoryBytes: 64 * MiB, pids: 8 }).catch(async (error: unknown) => {
        await cgroup.remove().catch(() => undefined);
        throw error;
      });
      // v1: nsjail straight from the forker (no fork of the judge, no shell); v2 keeps the shell
      // launcher, which joins the jail's group and moves to its resting leaf before nsjail starts.
      const forker = cgroup.version === 'v1' ? await host.forker() : null;
      launcher = forker ? new ForkedLauncher(forker, cgroup) : new Launcher(cgroup, join(host.runDir, `${name}.sh`));
      const argv = buildArgv(
        {
          nsjail: host.nsjail,
          argv: [],
          stdin: new Uint8Array(),
          env: {},
          limits: defaultLimits,
          workDir: storage.box,
          tmpDir: storage.tmp,
          uid,
          gid: uid,
          mounts,
          devices: host.devices,
          supervisor: { path: host.supervisor, uid: supervisorUid },
          cgroup,
          signal: undefined,
        },
        { ioDir },
      );
      const jail = await WarmJail.start(launcher, argv, ioDir);
      return { id, uid, supervisorUid, storage, ioDir, launcher, jail };
    } catch (error) {
      if (launcher) await retire(launcher).catch(() => undefined);
      else await host.cgroups.destroy(`${id}-j`).catch(() => undefined);
      await removeTree(ioDir).catch(() => undefined);
      if (storage) await storage.remove().catch(() => undefined);
      else await removeTree(root).catch(() => undefined);
      this.#reserved.delete(id);
      await host.releaseUid(uid);
      await host.releaseUid(supervisorUid);
      throw error;
    }
  }

  async #destroy(item: PreparedJail): Promise<void> {
    try {
      await item.jail.destroy();
      await retire(item.launcher);
      if (!(await removeEmptyDir(item.ioDir))) await removeTree(item.ioDir);
      await item.storage.remove();
    } finally {
      this.#reserved.delete(item.id);
      await this.host.releaseUid(item.uid);
      await this.host.releaseUid(item.supervisorUid);
    }
  }
}

/** Ends a launcher, removes its script and its cgroup. */
async function retire(launcher: JailLauncher): Promise<void> {
  await launcher.discard();
  if (launcher.scriptPath) await unlink(launcher.scriptPath).catch(() => undefined);
  await launcher.cgroup.remove();
}
