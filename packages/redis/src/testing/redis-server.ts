import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away `redis-server` of its own: own directory, own port on 127.0.0.1, AOF on. */
export interface TestRedis {
  /** `redis://[:PASSWORD@]127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Shuts the server down (it writes its AOF first); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Kills it with SIGKILL (a crash); `start()` loads what the AOF kept. */
  kill(): Promise<void>;
  /** Stops it and deletes its directory. Idempotent. */
  destroy(): Promise<void>;
}

/** Options of {@link startTestRedis}. */
export interface TestRedisOptions {
  /** A password (`requirepass`); none by default. */
  password?: string;
  /** `appendfsync` policy. @defaultValue 'everysec' */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** More `--name value` settings. */
  settings?: Record<string, string>;
}

/** The `redis-server` on the PATH, or `null`. */
export function redisServerPath(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
}

/**
 * Starts a `redis-server` for tests on a free port of 127.0.0.1 with a new temporary directory,
 * AOF on, as a child of this process (so even a SIGKILL is reaped here). It never touches another
 * server. Call `destroy()` when done.
 *
 * @example
 * ```ts
 * const redis = await startTestRedis()
 * try { … await connectRedis(redis.url) … } finally { await redis.destroy() }
 * ```
 */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const bin = redisServerPath();
  if (!bin) throw new Error('redis-server is not installed: run scripts/setup/redis.sh, or apt-get install redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'jk-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    options.appendfsync ?? 'everysec',
    '--save',
    '',
    '--daemonize',
    'no',
    '--maxmemory-policy',
    'noeviction',
    '--logfile',
    join(dir, 'redis.log'),
    ...(options.password ? ['--requirepass', options.password] : []),
    ...Object.entries(options.settings ?? {}).flatMap(([k, v]) => [`--${k}`, v]),
  ];
  let server: ChildProcess | undefined;
  let destroyed = false;
  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
  const start = async () => {
    if (server) return;
    const child = spawn(bin, args, { cwd: dir, stdio: 'ignore' });
    server = child;
    child.once('exit', () => {
      if (server === child) server = undefined;
    });
    for (let i = 0; ; i++) {
      if (await answers(port, options.password)) return;
      if (!server || i > 400) {
        child.kill('SIGKILL');
        await exited(child);
        throw new Error(`the test redis-server did not start (see ${join(dir, 'redis.log')})`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stop = async () => {
    const child = server;
    if (!child) return;
    // SIGTERM: Redis flushes its AOF and exits cleanly.
    child.kill('SIGTERM');
    await exited(child);
  };
  await start();
  return {
    url: `redis://${options.password ? `:${encodeURIComponent(options.password)}@` : ''}127.0.0.1:${port}`,
    port,
    dir,
    stop,
    start: async () => {
      if (destroyed) throw new Error('the test Redis was destroyed');
      await start();
    },
    kill: async () => {
      const child = server;
      if (!child) return;
      child.kill('SIGKILL');
      await exited(child);
    },
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True when a server on the port answers PING (with AUTH first when there is a password). */
function answers(port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(`${password ? `AUTH ${password}\r\n` : ''}PING\r\n`));
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('+PONG')) done(true);
      else if (data.includes('-LOADING') || data.includes('-ERR') || data.includes('-WRONGPASS')) done(false);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
