import { readFileSync } from 'node:fs';
import { FakeRunner } from '@judgekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigKeys, hashApiKey } from '../auth/principal.js';
import { createServer, type JudgekitServer } from '../server.js';
import type { ClusterSource } from './source.js';

const docs = readFileSync(new URL('../../../../docs/http.md', import.meta.url), 'utf8');
const servers: JudgekitServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const keys = new ConfigKeys({
  keys: [
    { sha256: hashApiKey('tenant-key'), tenant: 'acme' },
    { sha256: hashApiKey('admin-key'), tenant: 'ops', admin: true },
  ],
});

describe('cluster routes', () => {
  it('lists this process as the one worker without a cluster, for admin keys only', async () => {
    const s = await createServer({ runner: new FakeRunner(), logger: false, keys, judgeOptions: { concurrency: 3 } });
    servers.push(s);
    const asTenant = await s.app.inject({ method: 'GET', url: '/v1/workers', headers: { authorization: 'Bearer tenant-key' } });
    expect(asTenant.statusCode).toBe(403);
    const r = await s.app.inject({ method: 'GET', url: '/v1/workers', headers: { authorization: 'Bearer admin-key' } });
    expect(r.json()).toMatchObject({
      workers: [{ pid: process.pid, runner: 'fake', concurrency: 3, running: 0, state: 'ready', problem: null }],
      waiting: 0,
      running: 0,
      workersAlive: 1,
    });
  });

  it('serves a cluster source’s workers, counts and documented metrics, and guards its dashboard with the admin key (basic auth too)', async () => {
    const source: ClusterSource = {
      workers: async () => [
        {
          id: 'w1/1/a',
          host: 'w1',
          pid: 1,
          runner: 'nsjail',
          concurrency: 8,
          running: 2,
          state: 'unhealthy',
          problem: 'engine down',
          startedAt: '2026-12-02T00:00:00.000Z',
          lastSeen: '2026-12-02T00:00:01.000Z',
        },
      ],
      counts: async () => ({ waiting: 5, running: 2, workersAlive: 1 }),
      dashboard: async (app, basePath) => {
        app.get(`${basePath}`, async (_req, reply) => reply.type('text/html').send('<html>board</html>'));
      },
    };
    const s = await createServer({ logger: false, keys, cluster: source, judgeOptions: { concurrency: 0 } });
    servers.push(s);
    const admin = { authorization: 'Bearer admin-key' };
    expect((await s.app.inject({ method: 'GET', url: '/v1/workers', headers: admin })).json()).toMatchObject({
      workers: [{ id: 'w1/1/a', state: 'unhealthy', problem: 'engine down' }],
      waiting: 5,
      workersAlive: 1,
    });
    const metrics = (await s.app.inject({ method: 'GET', url: '/metrics', headers: admin })).body;
    expect(metrics).toMatch(/^judgekit_cluster_queue_waiting 5$/m);
    expect(metrics).toMatch(/^judgekit_cluster_workers_alive 1$/m);
    for (const name of [
      'judgekit_cluster_queue_waiting',
      'judgekit_cluster_queue_running',
      'judgekit_cluster_workers_alive',
      'judgekit_cluster_queue_wait_seconds',
    ]) {
      expect(metrics).toContain(`# TYPE ${name}`);
      expect(docs).toContain(`| \`${name}`);
    }
    const anonymous = await s.app.inject({ method: 'GET', url: '/admin/queues' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic /);
    const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`any:${key}`).toString('base64')}` });
    expect((await s.app.inject({ method: 'GET', url: '/admin/queues', headers: basic('tenant-key') })).statusCode).toBe(403);
    const board = await s.app.inject({ method: 'GET', url: '/admin/queues', headers: basic('admin-key') });
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain('board');
    // Basic authentication is for the dashboard only.
    expect((await s.app.inject({ method: 'GET', url: '/v1/workers', headers: basic('admin-key') })).statusCode).toBe(401);
  });
});
