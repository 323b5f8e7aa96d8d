import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  BaseRunner,
  builtinLanguages,
  JudgeError,
  type OperationOptions,
  type RunnerHealth,
  type Sandbox,
  type SandboxEnvironment,
} from '@judgekit/core';
import { EngineClient, EngineError, resolveEngineAddress } from './engine.js';
import type { Session } from './exec.js';
import { DockerSandbox, workDir } from './sandbox.js';
import { defaultRunscRoot, sweepRunsc } from './sweep.js';

const MiB = 1024 * 1024;

/**
 * Options of {@link DockerRunner}. Every field is optional; the defaults fit a host prepared by
 * `scripts/setup/docker.sh` (dockerd with the gVisor runtime `runsc`, images `judgekit/<language>:latest`).
 */
export interface DockerRunnerOptions {
  /**
   * Unix socket of the Docker Engine. When absent: `DOCKER_HOST` (`unix:///path` or
   * `tcp://host:port`, plain HTTP), else `/var/run/docker.sock`.
   * @example '/run/user/1000/docker.sock'
   */
  socketPath?: string;
  /** A Docker Engine address in `DOCKER_HOST` form; used when `socketPath` is absent. @example 'tcp://10.0.0.5:2375' */
  dockerHost?: string;
  /**
   * OCI runtime of every container. Only `runsc` (gVisor) puts a kernel between the program and
   * the host; anything else (`runc`) shares the host kernel and is warned about at start and in `health()`.
   * @defaultValue 'runsc'
   */
  runtime?: string;
  /**
   * Image per language id. Languages absent here use `${imagePrefix}${id}:${imageTag}`.
   * @example { python3: 'registry.example/judgekit/python3:2025-05' }
   */
  images?: Record<string, string>;
  /** Prefix of default image names. @defaultValue 'judgekit/' */
  imagePrefix?: string;
  /** Tag of default image names. @defaultValue 'latest' */
  imageTag?: string;
  /**
   * Warm pool: containers started ahead of demand, per image. A submission takes one and it is
   * removed after that submission; never reused. `size: 0` turns the pool off.
   * `languages` are warmed at start; other languages get a pool after their first submission.
   * `startConcurrency` containers are started at once while refilling.
   * @defaultValue { size: 2, languages: [], startConcurrency: 2 }
   */
  pool?: { size?: number; languages?: string[]; startConcurrency?: number };
  /**
   * Memory of each container in bytes (swap equal: none extra): a hard cap above every step's own
   * limit, which jk-exec enforces per step. A step above it makes the engine kill the whole container.
   * @defaultValue 1610612736 (1.5 GiB)
   */
  containerMemoryBytes?: number;
  /** Most processes and threads in one container (the engine's pids limit). @defaultValue 256 */
  pidsLimit?: number;
  /** CPU quota of each container, in CPUs. @defaultValue 1 */
  cpus?: number;
  /**
   * Most bytes a sandbox's work directory and `/tmp` may hold together, whatever a command's
   * `diskBytes` asks (a larger request gets this). They are one tmpfs inside gVisor, sized at the
   * sandbox's first command: memory of the container, never the host's disk.
   * @defaultValue 1073741824 (1 GiB)
   */
  maxDiskBytes?: number;
  /** Open files per process (nofile ulimit of the container; each step sets its own below it). @defaultValue 1024 */
  maxOpenFiles?: number;
  /** Largest file in bytes (fsize ulimit of the container; each step sets its own below it). @defaultValue 268435456 (256 MiB) */
  maxFileSizeBytes?: number;
  /**
   * runsc's state directory for this engine's containers, swept at start for judgekit sandboxes
   * the engine lost (created while dockerd shut down). Only where the engine runs on this host.
   * @defaultValue '/var/run/docker/runtime-runc/moby' for a local engine, none for a TCP one
   */
  runscRoot?: string | null;
  /** The runsc binary used by that sweep. @defaultValue 'runsc' */
  runscPath?: string;
  /** Where warnings go (the runc warning, failed background removals). @defaultValue console.warn */
  warn?: (message: string) => void;
}

/**
 * What the supervisor needs, inside gVisor only: become the program's uid and gid, kill the
 * program's processes, drop its own bounding set in the child, count the files of the work
 * directory and /tmp however the program set their modes, read the program's smaps (the
 * runtime's own file pages are not the program's memory), and mount the box's storage once
 * (CAP_SYS_ADMIN, which it gives up right after). @internal
 */
export const supervisorCapabilities = [
  'CAP_SETUID',
  'CAP_SETGID',
  'CAP_KILL',
  'CAP_SETPCAP',
  'CAP_DAC_READ_SEARCH',
  'CAP_SYS_PTRACE',
  'CAP_SYS_ADMIN',
];

/** Labels on every judgekit container: who owns it, so a crashed judge's leftovers are found. @internal */
export const labelRunner = 'org.judgekit.runner';
const labelOwner = 'org.judgekit.owner';
const labelPid = 'org.judgekit.pid';
const labelHost = 'org.judgekit.host';

interface ContainerSummary {
  Id: string;
  Labels?: Record<string, string>;
  State?: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sandboxes on the Docker Engine with gVisor (`runsc`): one container per submission, hardened
 * by default (no network, read-only root, tmpfs work directory, user 65534, no capabilities,
 * no new privileges, pids/memory/cpu/ulimits), talking to the engine over its API (no CLI).
 * Each step runs under the jk-exec helper inside the container, which measures and limits that
 * step alone (cpu, wall, peak memory, output), so one container serves a whole submission.
 *
 * @example
 * ```ts
 * const runner = new DockerRunner({ pool: { size: 2, languages: ['python3'] } })
 * const judge = new Judge({ runner })
 * const result = await judge.run({ language: 'python3', source: 'print(42)' })
 * ```
 */
export class DockerRunner extends BaseRunner {
  readonly name = 'docker';
  readonly #engine: EngineClient;
  readonly #options: Required<Omit<DockerRunnerOptions, 'socketPath' | 'dockerHost' | 'pool' | 'images'>> & {
    images: Record<string, string>;
    poolSize: number;
    poolLanguages: string[];
    poolStartConcurrency: number;
  };
  readonly #owner = randomUUID();
  readonly #pool = new Map<string, string[]>();
  readonly #refilling = new Map<string, Promise<void>>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #live = new Map<string, DockerSandbox>();
  /** Containers whose removal failed (engine unreachable): removed again when it is back, and on close. */
  readonly #orphans = new Set<string>();
  readonly #stopEvents = new AbortController();
  #ready: Promise<void> | undefined;
  #closing = false;

  constructor(options: DockerRunnerOptions = {}) {
    super();
    const address = resolveEngineAddress(options.socketPath, options.dockerHost ?? process.env.DOCKER_HOST);
    this.#engine = new EngineClient(address);
    this.#options = {
      runtime: options.runtime ?? 'runsc',
      images: options.images ?? {},
      imagePrefix: options.imagePrefix ?? 'judgekit/',
      imageTag: options.imageTag ?? 'latest',
      poolSize: Math.max(0, options.pool?.size ?? 2),
      poolLanguages: options.pool?.languages ?? [],
      poolStartConcurrency: Math.max(1, options.pool?.startConcurrency ?? 2),
      containerMemoryBytes: options.containerMemoryBytes ?? 1536 * MiB,
      pidsLimit: options.pidsLimit ?? 256,
      cpus: options.cpus ?? 1,
      maxDiskBytes: options.maxDiskBytes ?? 1024 * MiB,
      runscRoot: options.runscRoot === undefined ? ('socketPath' in address ? defaultRunscRoot : null) : options.runscRoot,
      runscPath: options.runscPath ?? 'runsc',
      maxOpenFiles: options.maxOpenFiles ?? 1024,
      maxFileSizeBytes: options.maxFileSizeBytes ?? 256 * MiB,
      warn: options.warn ?? ((m) => console.warn(m)),
    };
    if (this.#options.runtime !== 'runsc') {
      this.#options.warn(
        `judgekit: the docker runner uses runtime "${this.#options.runtime}", which shares the host kernel with submissions; use "runsc" (gVisor).`,
      );
    }
  }

  /** The image of a language id. */
  imageFor(languageId: string): string {
    return this.#options.images[languageId] ?? `${this.#options.imagePrefix}${languageId}:${this.#options.imageTag}`;
  }

  /** Removes containers left by judges that are gone, once, before the first container starts. */
  #start(): Promise<void> {
    this.#ready ??= (async () => {
      void this.#followEvents();
      await this.removeStale();
      for (const language of this.#options.poolLanguages) this.#refill(this.imageFor(language));
    })();
    return this.#ready;
  }

  /**
   * Removes judgekit containers whose judge process is gone (same host, dead pid). Called at start;
   * safe to call any time. Returns how many were removed.
   */
  async removeStale(): Promise<number> {
    let list: ContainerSummary[];
    try {
      list = await this.#engine.request<ContainerSummary[]>(
        'GET',
        `/containers/json?all=true&filters=${encodeURIComponent(JSON.stringify({ label: [labelRunner] }))}`,
      );
    } catch {
      return 0;
    }
    const stale = list.filter((c) => {
      const labels = c.Labels ?? {};
      if (labels[labelOwner] === this.#owner) return false;
      return labels[labelHost] === hostname() && !processAlive(Number(labels[labelPid]));
    });
    await Promise.all(stale.map((c) => this.#removeContainer(c.Id)));
    const leaked = await this.sweepRunsc();
    return stale.length + leaked.length;
  }

  /** Kills judgekit's gVisor sandboxes that the engine lost (see {@link DockerRunnerOptions.runscRoot}); returns their ids. */
  async sweepRunsc(): Promise<string[]> {
    const root = this.#options.runscRoot;
    if (!root) return [];
    const removed = await sweepRunsc({
      runsc: this.#options.runscPath,
      root,
      warn: this.#options.warn,
      known: async () =>
        new Set(
          (await this.#engine.request<ContainerSummary[]>('GET', '/containers/json?all=true', undefined, { timeoutMs: 10_000 })).map(
            (c) => c.Id,
          ),
        ),
    });
    for (const id of removed) this.#options.warn(`judgekit: killed gVisor sandbox ${id.slice(0, 12)}, which the engine had lost`);
    return removed;
  }

  /** Judgekit containers of this runner that still exist (for tests and the benchmark). */
  async ownContainers(): Promise<string[]> {
    const list = await this.#engine.request<ContainerSummary[]>(
      'GET',
      `/containers/json?all=true&filters=${encodeURIComponent(JSON.stringify({ label: [`${labelOwner}=${this.#owner}`] }))}`,
    );
    return list.map((c) => c.Id);
  }

  /** Resolves once every background removal and refill started so far has finished. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Ids of the warm pool's containers (started ahead, not yet given to a submission). */
  pooledContainers(): string[] {
    return [...this.#pool.values()].flat();
  }

  #containerSpec(image: string): unknown {
    const o = this.#options;
    // Placeholders: the supervisor mounts the box's storage over /work and /tmp (from /run/jk)
    // at the first command; until then nothing is written to them.
    const tmpfs = (bytes: number, mode = '1777') => `rw,exec,nosuid,nodev,size=${bytes},mode=${mode}`;
    return {
      Image: image,
      // The supervisor: PID 1, root inside gVisor with the few capabilities below; every program
      // and every file operation runs as 65534 with none (see images/jk-exec.c).
      Cmd: ['/usr/local/bin/jk-exec', 'serve'],
      User: '0:0',
      OpenStdin: true,
      StdinOnce: false,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      WorkingDir: workDir,
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/tmp', 'LANG=C.UTF-8'],
      Labels: { [labelRunner]: 'docker', [labelOwner]: this.#owner, [labelPid]: String(process.pid), [labelHost]: hostname() },
      NetworkDisabled: true,
      StopTimeout: 0,
      HostConfig: {
        Runtime: o.runtime,
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        Tmpfs: { '/run': tmpfs(MiB, '0755'), '/tmp': tmpfs(MiB), [workDir]: tmpfs(MiB) },
        CapDrop: ['ALL'],
        CapAdd: supervisorCapabilities,
        SecurityOpt: ['no-new-privileges'],
        PidsLimit: o.pidsLimit,
        Memory: o.containerMemoryBytes,
        MemorySwap: o.containerMemoryBytes,
        NanoCpus: Math.round(o.cpus * 1e9),
        Ulimits: [
          { Name: 'nofile', Soft: o.maxOpenFiles, Hard: o.maxOpenFiles },
          { Name: 'fsize', Soft: o.maxFileSizeBytes, Hard: o.maxFileSizeBytes },
          { Name: 'core', Soft: 0, Hard: 0 },
        ],
        IpcMode: 'private',
        LogConfig: { Type: 'none' },
        Init: false,
        AutoRemove: false,
        Binds: [],
        Mounts: [],
      },
    };
  }

  /** Creates and starts one container; removes it again when starting fails. */
  async #startContainer(image: string, signal?: AbortSignal): Promise<string> {
    let id: string | undefined;
    try {
      const created = await this.#engine.request<{ Id: string }>('POST', '/containers/create', this.#containerSpec(image), { signal });
      id = created.Id;
      await this.#engine.request('POST', `/containers/${id}/start`, undefined, { signal });
      return id;
    } catch (error) {
      if (id) await this.#removeContainer(id);
      if (signal?.aborted) throw new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: signal.reason });
      const message = (error as Error).message;
      // Unreachable (null), or failing as a whole (5xx: an engine shutting down answers "grpc: the
      // client connection is closing"): unavailable, so the judge holds queued submissions.
      const engineDown = error instanceof EngineError && (error.status === null || error.status >= 500);
      if (error instanceof EngineError && (engineDown || /No such image|unknown runtime/i.test(message))) {
        const fix =
          engineDown && !/No such image|unknown runtime/i.test(message)
            ? 'start dockerd: sudo scripts/setup/docker.sh'
            : /unknown runtime/i.test(message)
              ? 'install and register runsc: sudo scripts/setup/docker.sh'
              : 'build it: sudo scripts/images/build.sh';
        throw new JudgeError('JDG_ERR_SANDBOX_UNAVAILABLE', `Docker runner cannot start ${image}: ${message} (${fix})`, { cause: error });
      }
      throw new JudgeError('JDG_ERR_SANDBOX_FAILED', `Docker runner could not start a container from ${image}: ${message}`, {
        cause: error,
      });
    }
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p)).catch(() => {});
    return p;
  }

  async #removeContainer(id: string): Promise<void> {
    try {
      await this.#engine.request('DELETE', `/containers/${id}?force=true&v=true`, undefined, { timeoutMs: 30_000 });
    } catch (error) {
      if (error instanceof EngineError && error.status === 404) return;
      // The engine is unreachable (restarting): removed again when the engine is back, on close,
      // or by the stale sweep of the next judge that starts (the container is labelled).
      this.#orphans.add(id);
      this.#options.warn(`judgekit: could not remove container ${id.slice(0, 12)}: ${(error as Error).message}`);
    }
  }

  async #removeOrphans(): Promise<void> {
    const ids = [...this.#orphans];
    this.#orphans.clear();
    await Promise.all(ids.map((id) => this.#removeContainer(id)));
  }

  /** Starts containers in the background until the image's pool holds `size`. */
  #refill(image: string): void {
    if (this.#closing || this.#options.poolSize === 0 || this.#refilling.has(image)) return;
    const job = (async () => {
      const ready = this.#pool.get(image) ?? [];
      this.#pool.set(image, ready);
      while (!this.#closing && ready.length < this.#options.poolSize) {
        // Starting a runsc container is mostly waiting (sandbox boot): several at once fill faster.
        const wanted = Math.min(this.#options.poolStartConcurrency, this.#options.poolSize - ready.length);
        const started = await Promise.allSettled(Array.from({ length: wanted }, () => this.#startContainer(image)));
        for (const s of started) if (s.status === 'fulfilled') ready.push(s.value);
        // Engine down or image missing: stop; the next open() tries again.
        if (started.some((s) => s.status === 'rejected')) break;
      }
      if (this.#closing) await Promise.all(ready.splice(0).map((id) => this.#removeContainer(id)));
    })().finally(() => this.#refilling.delete(image));
    this.#refilling.set(image, job);
    this.#track(job);
  }

  /** Takes a warm container that is still running, or null. */
  async #take(image: string): Promise<string | null> {
    const ready = this.#pool.get(image);
    while (ready && ready.length > 0) {
      const id = ready.shift() as string;
      try {
        const info = await this.#engine.request<{ State: { Running: boolean } }>('GET', `/containers/${id}/json`, undefined, {
          timeoutMs: 5_000,
        });
        if (info.State.Running) return id;
      } catch {}
      this.#track(this.#removeContainer(id));
    }
    return null;
  }

  /** Attaches to a started container's supervisor; a container that does not answer is removed. */
  async #attach(id: string): Promise<Session | null> {
    try {
      return await DockerSandbox.attach(this.#engine, id);
    } catch (error) {
      this.#track(this.#removeContainer(id));
      if (error instanceof JudgeError) throw error;
      await this.#unavailableIfDown(error);
      return null;
    }
  }

  /**
   * Throws `JDG_ERR_SANDBOX_UNAVAILABLE` when the engine does not answer now: the judge then holds
   * its queued submissions until `health()` is ready again, instead of failing them.
   */
  async #unavailableIfDown(cause: unknown): Promise<void> {
    try {
      await this.#engine.request('GET', '/_ping', undefined, { timeoutMs: 2_000 });
    } catch (error) {
      throw new JudgeError(
        'JDG_ERR_SANDBOX_UNAVAILABLE',
        `The Docker engine at ${this.#engine.where} does not answer (${(error as Error).message}): start dockerd (sudo scripts/setup/docker.sh).`,
        { cause },
      );
    }
  }

  protected async openSandbox(environment: SandboxEnvironment, options: OperationOptions): Promise<Sandbox> {
    try {
      return await this.#open(environment, options);
    } catch (error) {
      if (error instanceof JudgeError && error.code !== 'JDG_ERR_SANDBOX_FAILED') throw error;
      if (!options.signal?.aborted) await this.#unavailableIfDown(error);
      throw error;
    }
  }

  async #open(environment: SandboxEnvironment, options: OperationOptions): Promise<Sandbox> {
    await this.#start();
    const image = this.imageFor(environment.language.id);
    let id: string | null = null;
    let session: Session | null = null;
    while (!session) {
      id = await this.#take(image);
      if (!id) break;
      session = await this.#attach(id);
    }
    if (!session) {
      id = await this.#startContainer(image, options.signal);
      session = await this.#attach(id);
      // A new container gone before its supervisor answered: the engine is in trouble (stopping).
      if (!session)
        throw new JudgeError('JDG_ERR_SANDBOX_UNAVAILABLE', `Docker runner: the supervisor of a new ${image} container did not answer.`);
    }
    this.#refill(image);
    const sandbox = new DockerSandbox(id as string, session, {
      engine: this.#engine,
      containerMemoryBytes: this.#options.containerMemoryBytes,
      diskCapBytes: this.#options.maxDiskBytes,
      cpus: this.#options.cpus,
      // Removal runs in the background (it takes ~150 ms with runsc) so a verdict is not held
      // back by it; close() waits for every removal, and a crash leaves labelled containers that
      // the next judge's stale sweep removes.
      remove: async (cid) => {
        this.#live.delete(cid);
        this.#track(this.#removeContainer(cid));
      },
    });
    this.#live.set(id as string, sandbox);
    return sandbox;
  }

  /**
   * Follows container events: a pooled container that dies leaves the pool, a live one is marked
   * dead (its running step then ends as a sandbox failure). When the stream breaks (engine
   * restart), the pool is emptied, and refilled once the engine answers again.
   */
  async #followEvents(): Promise<void> {
    const signal = this.#stopEvents.signal;
    let delayMs = 250;
    while (!signal.aborted) {
      const startedAt = Date.now();
      await this.#engine.events(
        { type: ['container'], label: [`${labelOwner}=${this.#owner}`], event: ['die', 'oom'] },
        (event) => {
          const id = event.Actor?.ID ?? event.id;
          if (!id) return;
          this.#live.get(id)?.markDead(event.Action === 'oom' ? 'killed by the engine for memory' : 'container died');
          for (const [image, ready] of this.#pool) {
            const at = ready.indexOf(id);
            if (at >= 0) {
              ready.splice(at, 1);
              this.#track(this.#removeContainer(id));
              this.#refill(image);
            }
          }
        },
        signal,
      );
      if (signal.aborted) return;
      // The stream ended: the engine restarted or went away. Pooled containers did not survive it.
      const lost = [...this.#pool.values()].flatMap((ready) => ready.splice(0));
      for (const id of lost) this.#track(this.#removeContainer(id));
      if (Date.now() - startedAt > 5_000) delayMs = 250;
      await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      delayMs = Math.min(delayMs * 2, 5_000);
      try {
        await this.#engine.request('GET', '/_ping', undefined, { timeoutMs: 2_000 });
        if (this.#closing) return;
        await this.removeStale();
        await this.#removeOrphans();
        for (const image of this.#pool.keys()) this.#refill(image);
      } catch {}
    }
  }

  async health(options: OperationOptions = {}): Promise<RunnerHealth> {
    const details: Record<string, string> = { engine: this.#engine.where, runtime: this.#options.runtime };
    const problems: RunnerHealth['problems'] = [];
    const signal = options.signal;
    try {
      const version = await this.#engine.request<{ Version: string; ApiVersion: string }>('GET', '/version', undefined, {
        signal,
        timeoutMs: 5_000,
      });
      details.engineVersion = `${version.Version} (API ${version.ApiVersion})`;
    } catch (error) {
      problems.push({
        message: `No Docker engine answers at ${this.#engine.where}: ${(error as Error).message}`,
        fix: 'sudo scripts/setup/docker.sh (installs docker.io and starts dockerd), or set DOCKER_HOST',
      });
      return { ready: false, details, problems };
    }
    const info = await this.#engine.request<{ Runtimes?: Record<string, { path?: string }>; CgroupVersion?: string }>(
      'GET',
      '/info',
      undefined,
      {
        signal,
      },
    );
    const runtimes = Object.keys(info.Runtimes ?? {});
    details.runtimes = runtimes.join(', ');
    details.cgroupVersion = info.CgroupVersion ?? 'unknown';
    if (!runtimes.includes(this.#options.runtime)) {
      problems.push({
        message: `The engine has no "${this.#options.runtime}" runtime.`,
        fix: 'sudo scripts/setup/docker.sh (installs runsc from bookworm-backports and registers it in /etc/docker/daemon.json)',
      });
    }
    if (this.#options.runtime !== 'runsc') {
      problems.push({
        message: `Runtime "${this.#options.runtime}" shares the host kernel with submissions.`,
        fix: 'use the default runtime "runsc" (gVisor)',
      });
    }
    const images = await this.#engine.request<{ RepoTags?: string[] | null }[]>('GET', '/images/json', undefined, { signal });
    const tags = new Set(images.flatMap((i) => i.RepoTags ?? []));
    const languages = new Set([
      ...this.#options.poolLanguages,
      ...Object.keys(this.#options.images),
      ...builtinLanguages.filter((l) => l.toolchain?.image).map((l) => l.id),
    ]);
    const present: string[] = [];
    for (const language of languages) {
      const image = this.imageFor(language);
      if (tags.has(image)) present.push(`${language}=${image}`);
      else problems.push({ message: `Image ${image} (language ${language}) is missing.`, fix: 'sudo scripts/images/build.sh' });
    }
    details.images = present.join(', ') || 'none';
    const ready = problems.every((p) => !p.message.startsWith('The engine has no') && !p.message.startsWith('No Docker'));
    return { ready, details, problems };
  }

  protected override async onClose(): Promise<void> {
    this.#closing = true;
    // Wait for background refills to stop (they remove what they started), then drain the pool.
    await Promise.allSettled([...this.#refilling.values()]);
    const pooled = [...this.#pool.values()].flatMap((ready) => ready.splice(0));
    await Promise.allSettled(pooled.map((id) => this.#removeContainer(id)));
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    await this.#removeOrphans();
    this.#stopEvents.abort();
    this.#engine.close();
  }
}
