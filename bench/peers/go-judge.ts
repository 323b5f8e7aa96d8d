// The peer of bench/peers: go-judge v1.12.2 (criyle/go-judge, MIT), built from the Go module
// proxy by exact version into a cache folder outside the repository (never committed), started
// on a loopback port at its defaults with `-parallelism 2`, and driven through its REST API.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const goJudgeVersion = 'v1.12.2';
const goJudgeModule = 'github.com/criyle/go-judge';
const cgroupRoot = '/sys/fs/cgroup';

/** Where built peers are kept: `JUDGEKIT_PEERS_DIR`, else a folder beside the nsjail runner's. */
export const peersDir = process.env.JUDGEKIT_PEERS_DIR ?? '/var/lib/judgekit/peers';

export type Located = { binary: string; how: string } | { absent: string };

async function versionOf(binary: string): Promise<string | null> {
  try {
    const { stdout } = await run(binary, ['-version'], { timeout: 10_000 });
    return stdout.trim();
  } catch {
    return null;
  }
}

/**
 * Finds go-judge: `JUDGEKIT_GO_JUDGE` (a binary you built), then the cache in {@link peersDir},
 * then (unless `build` is false or CI is set) builds it there with the machine's own `go` and its
 * configured module proxy: a throw-away module, `go get <module>/cmd/go-judge@v1.12.2`, `go build`.
 */
export async function locateGoJudge(opts: { build: boolean; log: (line: string) => void }): Promise<Located> {
  const given = process.env.JUDGEKIT_GO_JUDGE;
  if (given) {
    const version = await versionOf(given);
    return version ? { binary: given, how: `JUDGEKIT_GO_JUDGE (${version})` } : { absent: `JUDGEKIT_GO_JUDGE=${given} does not run` };
  }
  const cached = join(peersDir, `go-judge-${goJudgeVersion}`);
  if (existsSync(cached) && (await versionOf(cached)) === goJudgeVersion) return { binary: cached, how: `cached build ${cached}` };
  if (!opts.build) return { absent: `no build at ${cached} and --no-build was given` };
  if (process.env.CI) return { absent: 'not built under CI (the peer is built only on a developer machine)' };
  let goVersion: string;
  try {
    goVersion = (await run('go', ['env', 'GOVERSION'], { timeout: 30_000 })).stdout.trim();
  } catch {
    return { absent: 'no `go` on PATH to build it with (install Go 1.25 or newer, or set JUDGEKIT_GO_JUDGE)' };
  }
  mkdirSync(peersDir, { recursive: true });
  const module = mkdtempSync(join(tmpdir(), 'judgekit-peers-gomod-'));
  const logPath = join(peersDir, `go-judge-${goJudgeVersion}.build.log`);
  // GOTOOLCHAIN=local: build with the go that is installed, never fetch another toolchain.
  const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod -buildvcs=false' };
  const steps: [string, string[]][] = [
    ['go', ['mod', 'init', 'judgekit.invalid/peers']],
    ['go', ['get', `${goJudgeModule}/cmd/go-judge@${goJudgeVersion}`]],
    ['go', ['build', '-o', `${cached}.partial`, `${goJudgeModule}/cmd/go-judge`]],
  ];
  opts.log(`building go-judge ${goJudgeVersion} with ${goVersion} from the Go module proxy (1–3 minutes; log in ${logPath})`);
  const transcript: string[] = [];
  try {
    for (const [cmd, args] of steps) {
      transcript.push(`$ ${cmd} ${args.join(' ')}`);
      const { stdout, stderr } = await run(cmd, args, { cwd: module, env, timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
      transcript.push(stdout, stderr);
    }
    renameSync(`${cached}.partial`, cached);
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    transcript.push(e.stderr ?? '', e.message);
    writeFileSync(logPath, transcript.join('\n'));
    const last = (e.stderr ?? e.message).trim().split('\n').slice(-2).join(' / ');
    return { absent: `the build failed (${last}); see ${logPath}` };
  } finally {
    rmSync(module, { recursive: true, force: true });
  }
  writeFileSync(logPath, transcript.join('\n'));
  const version = await versionOf(cached);
  return version === goJudgeVersion
    ? { binary: cached, how: `built now into ${cached}` }
    : { absent: `the built binary reports ${version}` };
}

/**
 * Locates (building it when allowed) and starts go-judge, printing one `peer:` line either way;
 * null when the peer is absent. Shared by bench/peers and bench/nsjail.
 */
export async function startPeer(opts: { build: boolean; log: (line: string) => void }): Promise<GoJudge | null> {
  const located = await locateGoJudge(opts);
  if (!('binary' in located)) {
    opts.log(`peer: go-judge ABSENT: ${located.absent}`);
    return null;
  }
  try {
    const peer = await GoJudge.start(located.binary);
    opts.log(`peer: go-judge ${goJudgeVersion} (${located.how}) at ${peer.base}, defaults with -parallelism 2`);
    return peer;
  } catch (error) {
    opts.log(`peer: go-judge ABSENT: it did not start (${(error as Error).message})`);
    return null;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Removes a cgroup folder and the groups below it (they are empty once go-judge has exited). */
function removeCgroup(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) removeCgroup(join(path, entry.name));
  try {
    rmdirSync(path);
  } catch {
    // A group still busy is left for the next run's owner to see; it holds no process of ours.
  }
}

export interface GoJudgeResult {
  status: string;
  exitStatus: number;
  error?: string;
  /** CPU time, ns. */
  time: number;
  /** Peak memory, bytes. */
  memory: number;
  /** Wall time, ns. */
  runTime: number;
  files?: Record<string, string>;
  fileIds?: Record<string, string>;
}

/** Limits in judgekit's units, turned into go-judge's (ns, bytes) by {@link GoJudge.run}. */
export interface PeerLimits {
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryBytes: number;
  processes: number;
  outputBytes: number;
}

export interface PeerCommand {
  args: string[];
  stdin?: string;
  limits: PeerLimits;
  copyIn?: Record<string, { content: string } | { fileId: string }>;
  copyOutCached?: string[];
}

/** A running go-judge on a loopback port, its file store and cgroups in folders of its own. */
export class GoJudge {
  private constructor(
    readonly base: string,
    private readonly child: ChildProcess,
    private readonly cgroupPrefix: string,
    private readonly workDir: string,
  ) {}

  /**
   * Starts go-judge at its defaults and `-parallelism 2`. Only the operational flags differ: a
   * loopback address on a free port, its own file-store folder on tmpfs (the default is
   * `/dev/shm/go-judge`) and a cgroup prefix of its own, so it cannot meet another copy.
   */
  static async start(binary: string): Promise<GoJudge> {
    const port = await freePort();
    const workDir = mkdtempSync(join(tmpdir(), 'judgekit-peers-go-judge-'));
    const cgroupPrefix = `judgekit-bench-go-judge-${process.pid}`;
    const fileStore = join('/dev/shm', cgroupPrefix);
    const log = openSync(join(workDir, 'go-judge.log'), 'a');
    // go-judge itself (the server and its container inits) runs in a cpuacct group of ours, so
    // its own CPU is counted beside that of the programs, which it moves into its prefix's groups.
    const ownGroup = join(cgroupRoot, 'cpuacct', `${cgroupPrefix}-server`);
    mkdirSync(ownGroup, { recursive: true });
    const args = ['-parallelism', '2', '-http-addr', `127.0.0.1:${port}`, '-dir', fileStore, '-cgroup-prefix', cgroupPrefix];
    // cwd has no mount.yaml, so go-judge uses its default container mounts (read-only /usr, /lib, /bin, …).
    const child = spawn('/bin/sh', ['-c', `echo $$ > ${ownGroup}/cgroup.procs && exec "$0" "$@"`, binary, ...args], {
      cwd: workDir,
      stdio: ['ignore', log, log],
    });
    const peer = new GoJudge(`http://127.0.0.1:${port}`, child, cgroupPrefix, workDir);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`go-judge exited with ${child.exitCode}; see ${join(workDir, 'go-judge.log')}`);
      try {
        const r = await fetch(`${peer.base}/version`);
        if (r.ok) {
          await r.arrayBuffer();
          return peer;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await peer.stop();
        throw new Error('go-judge did not answer /version within 30 s');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** CPU used so far by go-judge and everything it ran, in ns (cpuacct of its groups and of ours); null if unreadable. */
  cpuNs(): number | null {
    try {
      const usage = (group: string) => Number(readFileSync(join(cgroupRoot, 'cpuacct', group, 'cpuacct.usage'), 'utf8'));
      return usage(`${this.cgroupPrefix}-server`) + usage(this.cgroupPrefix);
    } catch {
      return null;
    }
  }

  /** One command through `POST /run`. */
  async run(cmd: PeerCommand): Promise<GoJudgeResult> {
    const { limits } = cmd;
    const body = {
      cmd: [
        {
          args: cmd.args,
          env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/tmp', 'LANG=C.UTF-8'],
          files: [{ content: cmd.stdin ?? '' }, { name: 'stdout', max: limits.outputBytes }, { name: 'stderr', max: limits.outputBytes }],
          cpuLimit: limits.cpuTimeMs * 1e6,
          clockLimit: limits.wallTimeMs * 1e6,
          memoryLimit: limits.memoryBytes,
          procLimit: limits.processes,
          copyIn: cmd.copyIn ?? {},
          copyOutCached: cmd.copyOutCached ?? [],
        },
      ],
    };
    const r = await fetch(`${this.base}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`go-judge /run answered ${r.status}: ${await r.text()}`);
    const [result] = (await r.json()) as GoJudgeResult[];
    return result!;
  }

  async deleteFile(id: string): Promise<void> {
    const r = await fetch(`${this.base}/file/${encodeURIComponent(id)}`, { method: 'DELETE' });
    await r.arrayBuffer();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    for (const controller of readdirSync(cgroupRoot)) removeCgroup(join(cgroupRoot, controller, this.cgroupPrefix));
    removeCgroup(join(cgroupRoot, 'cpuacct', `${this.cgroupPrefix}-server`));
    rmSync(join('/dev/shm', this.cgroupPrefix), { recursive: true, force: true });
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
