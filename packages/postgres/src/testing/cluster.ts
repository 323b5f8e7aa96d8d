import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  const asRoot = process.getuid?.() === 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'jk-pg-'));
  const socketDir = dataDir;
  if (asRoot) chownSync(dataDir, uidOf('postgres'), gidOf('postgres'));
  const as = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  const port = options.port ?? (await freePort());
  const pgdata = join(dataDir, 'data');
  await as('initdb', ['-D', pgdata, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  const settings = { listen_addresses: '127.0.0.1', fsync: 'off', full_page_writes: 'off', max_connections: '100', ...options.settings };
  const serverOptions = [`-p ${port}`, `-k ${socketDir}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  const log = join(dataDir, 'server.log');
  let destroyed = false;
  const start = async () => {
    await as('pg_ctl', ['-D', pgdata, '-o', serverOptions, '-l', log, '-w', '-t', '60', 'start']);
  };
  const stop = async () => {
    if (existsSync(join(pgdata, 'postmaster.pid'))) await as('pg_ctl', ['-D', pgdata, '-m', 'fast', '-w', 'stop']).catch(() => {});
  };
  try {
    await start();
    await as('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'judgekit']);
  } catch (error) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`the test PostgreSQL cluster did not start: ${(error as Error).message}\n${tail}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/judgekit`,
    port,
    dataDir,
    stop,
    start,
    async kill() {
      const pidFile = join(pgdata, 'postmaster.pid');
      if (!existsSync(pidFile)) return;
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGKILL');
      // The postmaster's children notice it is gone and exit; wait until the port is free.
      for (let i = 0; i < 200 && (await portInUse(port)); i++) await new Promise((r) => setTimeout(r, 50));
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
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
