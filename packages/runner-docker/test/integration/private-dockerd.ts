import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A Docker engine of the test's own: its own socket, data-root, exec-root (so its own managed
 * containerd and runsc state), pidfile and config file (the runsc runtime). Tests that stop,
 * restart or kill dockerd use one, so they never touch the shared engine other tests (and other
 * people) are using. Images are copied in from the shared engine (`docker save | docker load`).
 *
 * The daemon is started under a small shell that stops it when its stdin closes, so a test
 * process that dies leaves no engine behind.
 */
export class PrivateDockerd {
  readonly dir: string;
  readonly socketPath: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly pidFile: string;
  readonly logFile: string;
  #keeper: ChildProcess | undefined;
  #exited: Promise<void> | undefined;

  private constructor(dir: string) {
    this.dir = dir;
    this.socketPath = join(dir, 'docker.sock');
    this.dataRoot = join(dir, 'data');
    this.execRoot = join(dir, 'exec');
    this.pidFile = join(dir, 'docker.pid');
    this.logFile = join(dir, 'dockerd.log');
  }

  /** Where runsc keeps this engine's sandboxes (the runc v2 shim's root for the runsc runtime). */
  get runscRoot(): string {
    return join(this.execRoot, 'runtime-runc', 'moby');
  }

  /** `DOCKER_HOST` form of the socket. */
  get host(): string {
    return `unix://${this.socketPath}`;
  }

  /** Starts a fresh engine and loads `images` into it from the shared engine. */
  static async start(images: string[]): Promise<PrivateDockerd> {
    removeStaleEngines();
    const dir = mkdtempSync(join(tmpdir(), 'judgekit-dockerd-'));
    writeFileSync(join(dir, 'owner.pid'), String(process.pid));
    writeFileSync(
      join(dir, 'daemon.json'),
      JSON.stringify({ runtimes: { runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none'] } } }),
    );
    const engine = new PrivateDockerd(dir);
    await engine.up();
    for (const image of images) {
      execFileSync('bash', ['-o', 'pipefail', '-c', `docker save "$1" | docker -H "$2" load -q`, 'load', image, engine.host], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 120_000,
      });
    }
    return engine;
  }

  /** Starts the daemon (again) on the same roots, and waits until it answers. */
  async up(): Promise<void> {
    if (this.#keeper) throw new Error('the private dockerd is already running');
    mkdirSync(this.dataRoot, { recursive: true });
    const args = [
      '--config-file',
      join(this.dir, 'daemon.json'),
      '-H',
      this.host,
      '--data-root',
      this.dataRoot,
      '--exec-root',
      this.execRoot,
      '--pidfile',
      this.pidFile,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
    ];
    const log = openSync(this.logFile, 'a');
    // The keeper shell stops dockerd when its stdin closes: on stop(), or when this process dies.
    const keeper = spawn('bash', ['-c', 'dockerd "$@" & d=$!; read -r _; kill -TERM $d 2>/dev/null; wait $d', 'keeper', ...args], {
      stdio: ['pipe', log, log],
    });
    this.#keeper = keeper;
    this.#exited = new Promise((resolve) => keeper.once('exit', () => resolve()));
    const until = Date.now() + 60_000;
    while (!(await this.answers())) {
      if (keeper.exitCode !== null || Date.now() > until) {
        const tail = readFileSync(this.logFile, 'utf8').split('\n').slice(-15).join('\n');
        throw new Error(`the private dockerd did not start:\n${tail}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Whether the engine answers `/_ping`. */
  answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.request({ socketPath: this.socketPath, path: '/_ping', headers: { Host: 'docker' } }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.setTimeout(2000, () => req.destroy());
      req.end();
    });
  }

  /** Pid of the running dockerd, or null. */
  pid(): number | null {
    try {
      return Number(readFileSync(this.pidFile, 'utf8').trim()) || null;
    } catch {
      return null;
    }
  }

  /** Stops the daemon the way an administrator does (SIGTERM; it stops its containers) and waits for it. */
  async down(): Promise<void> {
    const keeper = this.#keeper;
    if (!keeper) return;
    keeper.stdin?.end('\n');
    await this.#exited;
    this.#keeper = undefined;
    for (let i = 0; i < 100 && existsSync(this.pidFile); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  /** Stops the daemon, waits `downMs`, and starts it again on the same roots. */
  async restart(downMs = 0): Promise<void> {
    await this.down();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.up();
  }

  /** Stops the daemon and removes everything it kept. */
  async destroy(): Promise<void> {
    await this.down();
    killLeftovers(this.dir, this.runscRoot);
    removeEngineDir(this.dir);
  }
}

/**
 * What a stopped engine can leave running (the runsc leak of issue 18 item 10): sandboxes in its
 * runsc root, and containerd shims of its own containerd. All are this test's.
 */
function killLeftovers(dir: string, runscRoot: string): void {
  try {
    const listed = JSON.parse(execFileSync('runsc', ['--root', runscRoot, 'list', '-format', 'json'], { encoding: 'utf8' })) as
      | { id: string }[]
      | null;
    for (const { id } of listed ?? []) {
      try {
        execFileSync('runsc', ['--root', runscRoot, 'delete', '-force', id], { stdio: 'ignore' });
      } catch {}
    }
  } catch {}
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`${dir}/`)) process.kill(Number(entry), 'SIGKILL');
    } catch {}
  }
}

/** Unmounts what a dead engine left mounted under `dir` (overlays, netns), then removes it. */
function removeEngineDir(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Engines of test processes that died without cleaning up: their dirs go (their daemons died with their keepers). */
function removeStaleEngines(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('judgekit-dockerd-')) continue;
    const dir = join(tmpdir(), name);
    let owner = 0;
    let daemon = 0;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      daemon = Number(readFileSync(join(dir, 'docker.pid'), 'utf8'));
    } catch {}
    if (owner && alive(owner)) continue;
    if (daemon && alive(daemon)) continue;
    // A dir another test process made a moment ago, before writing its owner.
    if (!owner && Date.now() - statSync(dir).mtimeMs < 60_000) continue;
    killLeftovers(dir, join(dir, 'exec', 'runtime-runc', 'moby'));
    removeEngineDir(dir);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
