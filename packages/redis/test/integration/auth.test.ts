import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRunner, Judge } from '@judgekit/core';
import { closeRedis, connectRedis, openRedisBackend } from '@judgekit/redis';
import { redisServerPath, startTestRedis, type TestRedis } from '@judgekit/redis/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Credentials and TLS as users set them: a password in the URL, an ACL user, and rediss:// to a
// redis-server with a certificate from a private CA (trusted through NODE_EXTRA_CA_CERTS, or the ca option).
if (!redisServerPath() && process.env.CI) throw new Error('redis-server is not installed (scripts/setup/redis.sh)');
const suite = redisServerPath() ? describe : describe.skip;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

suite('Redis credentials and TLS', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis({ password: 'pa55-word' });
    const admin = await connectRedis(redis.url);
    await admin.call('ACL', 'SETUSER', 'judge', 'on', '>judge-secret', '~*', '&*', '+@all');
    await closeRedis(admin);
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  const roundTrip = async (url: string) => {
    const api = await openRedisBackend({ url, role: 'api', prefix: `a${Date.now()}` });
    const worker = await openRedisBackend({ url, role: 'worker', prefix: api.prefix });
    const apiJudge = new Judge({ concurrency: 0, queue: api.queue, store: api.store, bus: api.bus });
    const workerJudge = new Judge({ runner: new FakeRunner(), concurrency: 1, queue: worker.queue, store: worker.store, bus: worker.bus });
    try {
      return await apiJudge.run({ language: 'python3', source: 'x', stdin: 'hi' });
    } finally {
      await workerJudge.close();
      await apiJudge.close();
      await Promise.all([api.close(), worker.close()]);
    }
  };

  it('judges with the password in the URL, and with an ACL user and its password', async () => {
    expect(await roundTrip(redis.url)).toMatchObject({ verdict: 'accepted', tests: [{ stdout: 'hi' }] });
    expect(await roundTrip(`redis://judge:judge-secret@127.0.0.1:${redis.port}`)).toMatchObject({ verdict: 'accepted' });
  });

  it('refuses a wrong password with JDG_ERR_BACKEND_UNAVAILABLE, never printing it', async () => {
    const error = await openRedisBackend({ url: `redis://judge:not-it@127.0.0.1:${redis.port}`, role: 'api' }).catch((e) => e);
    expect(error).toMatchObject({ code: 'JDG_ERR_BACKEND_UNAVAILABLE' });
    expect(error.message).toContain('redis://judge:***@127.0.0.1');
    expect(error.message).not.toContain('not-it');
  });

  it('speaks TLS to rediss:// with a private CA trusted through NODE_EXTRA_CA_CERTS (judgekit doctor)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jk-redis-tls-'));
    let server: ChildProcess | undefined;
    try {
      const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
      ssl(
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=judgekit test CA',
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
      );
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
      execFileSync('sh', ['-c', "printf 'subjectAltName=IP:127.0.0.1' > ext.cnf"], { cwd: dir });
      ssl(
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '1',
        '-extfile',
        'ext.cnf',
        '-out',
        'server.pem',
      );
      const port = await freePort();
      server = spawn(
        redisServerPath()!,
        [
          '--port',
          '0',
          '--tls-port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--tls-cert-file',
          'server.pem',
          '--tls-key-file',
          'server.key',
          '--tls-ca-cert-file',
          'ca.pem',
          '--tls-auth-clients',
          'no',
          '--appendonly',
          'yes',
          '--requirepass',
          'tls-pass',
          '--save',
          '',
        ],
        { cwd: dir, stdio: 'ignore' },
      );
      const url = `rediss://:tls-pass@127.0.0.1:${port}`;
      const ca = readFileSync(join(dir, 'ca.pem'));
      // In-process, with the CA given to ioredis.
      for (let i = 0; ; i++) {
        const client = await connectRedis(url, { redis: { tls: { ca } }, connectTimeoutMs: 1000 }).catch(() => null);
        if (client) {
          expect(await client.ping()).toBe('PONG');
          await closeRedis(client);
          break;
        }
        if (i > 50) throw new Error('the TLS redis-server did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
      // As a user runs it: the CLI, with the CA in NODE_EXTRA_CA_CERTS.
      const bin = new URL('../../../cli/src/bin.ts', import.meta.url).pathname;
      const doctor = spawn(process.execPath, ['--import', 'tsx', bin, 'doctor', '--json', '--redis-url', url], {
        cwd: new URL('../../../../', import.meta.url).pathname,
        env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      doctor.stdout.on('data', (d) => (out += d));
      await once(doctor, 'exit');
      const report = JSON.parse(out) as { redis: { ready: boolean; details: Record<string, string> } };
      expect(report.redis).toMatchObject({
        ready: true,
        details: { server: expect.stringMatching(/^Redis 7\..* \(TLS\)$/), persistence: 'AOF on' },
      });
      expect(JSON.stringify(report)).not.toContain('tls-pass');
    } finally {
      server?.kill('SIGKILL');
      if (server) await once(server, 'exit').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
