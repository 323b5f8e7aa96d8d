import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throw-away PostgreSQL cluster of its own: own data directory, own port on 127.0.0.1. */
export interface TestCluster {
  /** `postgres://postgres@127.0.0.1:PORT/judgekit` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the server (fast shutdown); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Kills the postmaster with SIGKILL (a crash); `start()` recovers it. */
  kill(): Promise<void>;
  /** Stops it and deletes the data directory. Idempotent. */
  destroy(): Promise<void>;
}

/** Options of {@link startTestCluster}. */
export interface TestClusterOptions {
  /** Port; a free one by default. */
  port?: number;
  /** Extra `-c name=value` settings of the server. */
  settings?: Record<string, string>;
}

/**
 * The directory of Debian's (or any) PostgreSQL server binaries: `pg_config --bindir` when it
 * has `initdb`, else the newest `/usr/lib/postgresql/N/bin`; `null` when none is installed.
 */
export function postgresBinDir(): string | null {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = fromConfig.status === 0 ? fromConfig.stdout.trim() : '';
  if (dir && existsSync(join(dir, 'initdb'))) return dir;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/**
 * Creates and starts a PostgreSQL cluster for tests: `initdb` into a new temporary directory and
 * a server on its own port of 127.0.0.1, as the `postgres` user when running as root (the server
 * refuses to run as root). It never touches another cluster. Call `destroy()` when done.
 *
 * @example
 * ```ts
 * const pg = await startTestCluster()
 * try { … new pg.Pool({ connectionString: pg.url }) … } finally { await pg.destroy() }
 * ```
 */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb): run scripts/setup/postgres.sh, or apt-get install postgresql');
  const dataDir = mkdtempSync(join(tmpdir(), 'jk-pg-'));
  // The server refuses to run as root: as root, every step runs as the postgres user.
  const user: { uid?: number; gid?: number } = process.getuid?.() === 0 ? { uid: uidOf('postgres'), gid: gidOf('postgres') } : {};
  if (user.uid !== undefined && user.gid !== undefined) chownSync(dataDir, user.uid, user.gid);
  const as = (cmd: string, args: string[]) => run(join(bin, cmd), args, { ...user, cwd: dataDir });
  const port = options.port ?? (await freePort());
  const pgdata = join(dataDir, 'data');
  await as('initdb', ['-D', pgdata, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  const settings = { listen_addresses: '127.0.0.1', fsync: 'off', full_page_writes: 'off', max_connections: '100', ...options.settings };
  const serverArgs = [
    '-D',
    pgdata,
    '-p',
    String(port),
    '-k',
    dataDir,
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
  const logPath = join(dataDir, 'server.log');
  // The server is a child of this process (not daemonised by pg_ctl), so its exit is always reaped
  // here, even after a SIGKILL, and a restart never meets a stale postmaster.pid.
  let server: ChildProcess | undefined;
  let destroyed = false;
  const start = async () => {
    if (server) return;
    const log = openSync(logPath, 'a');
    const child = spawn(join(bin, 'postgres'), serverArgs, { ...user, cwd: dataDir, stdio: ['ignore', log, log] });
    closeSync(log);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    server = child;
    child.once('exit', () => {
      if (server === child) server = undefined;
    });
    for (let i = 0; ; i++) {
      const ready = await run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']).then(
        () => true,
        () => false,
      );
      if (ready) return;
      if (!server || i > 600) {
        child.kill('SIGKILL');
        await exited;
        const tail = existsSync(logPath) ? readFileSync(logPath, 'utf8').slice(-1500) : '';
        throw new Error(`the test PostgreSQL server did not start\nserver log:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const waitExit = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => child.once('exit', resolve));
  };
  const stop = async () => {
    const child = server;
    if (!child) return;
    child.kill('SIGINT'); // fast shutdown
    await waitExit(child);
  };
  try {
    await start();
    await as('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'judgekit']);
  } catch (error) {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`the test PostgreSQL cluster did not start: ${(error as Error).message}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/judgekit`,
    port,
    dataDir,
    stop,
    start,
    async kill() {
      const child = server;
      if (!child?.pid) return;
      // The whole server dies at once, as in a crash of its host: the postmaster and every backend.
      const group = [child.pid, ...childrenOf(child.pid)];
      for (const pid of group) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      await waitExit(child);
      for (let i = 0; i < 200 && (group.slice(1).some(alive) || (await portInUse(port))); i++) await new Promise((r) => setTimeout(r, 50));
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The parent pid is the second field after the command name in parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {}
  }
  return children;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function uidOf(user: string): number {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no ${user} user: install PostgreSQL (apt-get install postgresql)`);
  return Number(line.split(':')[2]);
}

function gidOf(user: string): number {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  return Number(line?.split(':')[3]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}
