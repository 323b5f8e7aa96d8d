import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, type WebhookAttemptEvent, WebhookPolicy } from '@judgekit/webhooks';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, hashKey, migrate, PostgresStore, RetentionSweeper, TenantKeys, WebhookOutbox } from '../../src/index.js';
import { startTestCluster, type TestCluster } from '../../src/testing/index.js';
import { done, input, result, stored } from './fixtures.js';

let cluster: TestCluster;
let pool: pg.Pool;
let store: PostgresStore;
let keys: TenantKeys;

beforeAll(async () => {
  cluster = await startTestCluster();
  pool = createPool({ connectionString: cluster.url });
  await migrate(pool, cluster.url);
  store = new PostgresStore({ pool });
  keys = new TenantKeys({ pool, cacheTtlMs: 0 });
});

afterAll(async () => {
  await pool?.end();
  await cluster?.destroy();
});

function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = async () => {
      if (await check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(tick, 20);
    };
    void tick();
  });
}

describe('tenants and keys', () => {
  it('stores only a hash of a key, shows it once, and resolves it to its tenant', async () => {
    const created = await keys.createKey({ tenant: 'acme', label: 'grader' });
    expect(created.key).toMatch(/^jk_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$/);
    expect(created.tenantCreated).toBe(true);
    expect(created.tenant.webhookSecret).toMatch(/^whsec_/);
    const { rows } = await pool.query('SELECT * FROM judgekit_api_keys WHERE id = $1', [created.record.id]);
    expect(rows[0].key_hash).toEqual(hashKey(created.key));
    expect(JSON.stringify(rows[0])).not.toContain(created.key.split('_')[2]);
    expect(await keys.resolve(created.key)).toMatchObject({ tenant: 'acme', admin: false, keyId: created.record.id });
    // One character changed (a key that already ends in A gets a B: 1 in 64 keys did, and resolved).
    const altered = `${created.key.slice(0, -1)}${created.key.endsWith('A') ? 'B' : 'A'}`;
    expect(await keys.resolve(altered)).toBeNull();
    expect(await keys.resolve('jk_junk')).toBeNull();
    const again = await keys.createKey({ tenant: 'acme', admin: true });
    expect(again.tenantCreated).toBe(false);
    expect(await keys.resolve(again.key)).toMatchObject({ tenant: 'acme', admin: true });
  });

  it('lists keys without secrets and revokes them', async () => {
    const { key, record } = await keys.createKey({ tenant: 'globex' });
    const listed = await keys.listKeys({ tenant: 'globex' });
    expect(listed.map((k) => k.id)).toContain(record.id);
    expect(JSON.stringify(listed)).not.toContain(key);
    const revoked = await keys.revokeKey(record.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect(await keys.resolve(key)).toBeNull();
    await expect(keys.revokeKey('0000000000')).rejects.toMatchObject({ code: 'JDG_ERR_KEY_NOT_FOUND' });
  });

  it('keeps quotas per tenant, resetting with null', async () => {
    await keys.ensureTenant('initech');
    const t = await keys.setQuotas('initech', { rateLimit: 10, maxQueued: 3, maxRunning: 1, maxLimits: { wallTimeMs: 2000 } });
    expect(t.quotas).toEqual({ rateLimit: 10, maxQueued: 3, maxRunning: 1, maxLimits: { wallTimeMs: 2000 } });
    const { key } = await keys.createKey({ tenant: 'initech' });
    expect((await keys.resolve(key))?.quotas).toMatchObject({ maxQueued: 3, maxLimits: { wallTimeMs: 2000 } });
    expect((await keys.setQuotas('initech', { maxQueued: null })).quotas.maxQueued).toBeNull();
    await expect(keys.setQuotas('nobody', { maxQueued: 1 })).rejects.toMatchObject({ code: 'JDG_ERR_KEY_NOT_FOUND' });
    await expect(keys.ensureTenant('bad tenant!')).rejects.toMatchObject({ code: 'JDG_ERR_INPUT_INVALID' });
  });

  it('rotates the webhook secret', async () => {
    const before = (await keys.getTenant('acme'))!.webhookSecret;
    const after = await keys.rotateWebhookSecret('acme');
    expect(after).not.toBe(before);
    expect((await keys.getTenant('acme'))!.webhookSecret).toBe(after);
  });
});

describe('the webhook outbox', () => {
  let server: Server;
  let base: string;
  const received: { headers: Record<string, unknown>; body: string; status: number }[] = [];
  let answer = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body, status: answer });
        res.writeHead(answer).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('delivers a finished submission once, signed with the tenant’s secret, retrying a failing receiver', async () => {
    const secret = (await keys.getTenant('acme'))!.webhookSecret;
    const registry = new Registry();
    const events: WebhookAttemptEvent[] = [];
    const outbox = new WebhookOutbox({
      pool,
      policy: new WebhookPolicy({ allow: ['127.0.0.1'] }),
      initialDelayMs: 50,
      maxDelayMs: 100,
      pollIntervalMs: 20,
      registry,
      onAttempt: (e) => events.push(e),
    });
    answer = 503;
    const r = result();
    await store.set(r.id, stored(r, input({ callbackUrl: `${base}/hook` }), 'acme'));
    const final = done(r);
    await store.set(r.id, stored(final, null, 'acme'));
    outbox.start();
    await until(() => events.length >= 2);
    answer = 200;
    await until(() => events.some((e) => e.state === 'delivered'));
    await outbox.stop();
    const mine = received.filter((x) => JSON.parse(x.body).submission.id === r.id);
    expect(mine.map((x) => x.status)).toEqual([...mine.slice(0, -1).map(() => 503), 200]);
    expect(new Set(mine.map((x) => x.headers['x-judgekit-delivery'])).size).toBe(1);
    const last = mine.at(-1)!;
    expect(verifyWebhook({ secret, body: last.body, headers: last.headers as Record<string, string> })).toMatchObject({ ok: true });
    expect(JSON.parse(last.body)).toEqual({ type: 'submission.done', submission: final });
    const row = (await pool.query('SELECT * FROM judgekit_webhook_deliveries WHERE submission_id = $1', [r.id])).rows[0];
    expect(row).toMatchObject({ state: 'delivered', attempts: mine.length, last_status: 200 });
    expect(await registry.metrics()).toContain('judgekit_webhook_deliveries_total{outcome="delivered"} 1');
  });

  it('survives a restart of the sender: a new outbox picks up what the old one left', async () => {
    answer = 200;
    const r = result();
    await store.set(r.id, stored(r, input({ callbackUrl: `${base}/later` }), 'acme'));
    await store.set(r.id, stored(done(r), null, 'acme'));
    // A node that claimed the row and died: its lease runs out, then another node delivers.
    await pool.query(
      "UPDATE judgekit_webhook_deliveries SET locked_until = now() + interval '300 milliseconds', attempts = 1 WHERE submission_id = $1",
      [r.id],
    );
    const outbox = new WebhookOutbox({ pool, policy: new WebhookPolicy({ allow: ['127.0.0.1'] }), pollIntervalMs: 50 });
    outbox.start();
    await until(
      async () =>
        (await pool.query('SELECT state FROM judgekit_webhook_deliveries WHERE submission_id = $1', [r.id])).rows[0].state === 'delivered',
    );
    await outbox.stop();
    expect(received.filter((x) => JSON.parse(x.body).submission.id === r.id)).toHaveLength(1);
  });

  it('never contacts a refused address, and records why', async () => {
    const r = result();
    await store.set(r.id, stored(r, input({ callbackUrl: 'http://169.254.169.254/latest/meta-data/' }), 'acme'));
    await store.set(r.id, stored(done(r), null, 'acme'));
    const outbox = new WebhookOutbox({ pool, policy: new WebhookPolicy() });
    expect(await outbox.deliverDue()).toBeGreaterThanOrEqual(1);
    const row = (await pool.query('SELECT * FROM judgekit_webhook_deliveries WHERE submission_id = $1', [r.id])).rows[0];
    expect(row).toMatchObject({ state: 'failed', attempts: 1 });
    expect(row.last_error).toMatch(/link-local/);
  });

  it('two outboxes never send the same delivery twice', async () => {
    answer = 200;
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = result();
      ids.push(r.id);
      await store.set(r.id, stored(r, input({ callbackUrl: `${base}/pair` }), 'globex'));
      await store.set(r.id, stored(done(r), null, 'globex'));
    }
    const policy = new WebhookPolicy({ allow: ['127.0.0.1'] });
    const a = new WebhookOutbox({ pool, policy, pollIntervalMs: 10, batchSize: 4 });
    const b = new WebhookOutbox({ pool, policy, pollIntervalMs: 10, batchSize: 4 });
    a.start();
    b.start();
    await until(
      async () =>
        Number(
          (
            await pool.query("SELECT count(*) FROM judgekit_webhook_deliveries WHERE state = 'delivered' AND submission_id = ANY($1)", [
              ids,
            ])
          ).rows[0].count,
        ) === 30,
    );
    await Promise.all([a.stop(), b.stop()]);
    const sent = received.filter((x) => ids.includes(JSON.parse(x.body).submission.id));
    expect(sent).toHaveLength(30);
  });
});

describe('retention', () => {
  it('deletes finished submissions older than the retention, in batches, and nothing else', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const ids = { oldDone: [] as string[], oldRunning: '', recent: '' };
    for (let i = 0; i < 25; i++) {
      const r = result({ createdAt: old });
      ids.oldDone.push(r.id);
      await store.set(r.id, stored(done(r), null, 'retained'));
    }
    const running = result({ createdAt: old, status: 'running' });
    ids.oldRunning = running.id;
    await store.set(running.id, stored(running, input(), 'retained'));
    const recent = result();
    ids.recent = recent.id;
    await store.set(recent.id, stored(done(recent), null, 'retained'));
    const sweeps: number[] = [];
    const sweeper = new RetentionSweeper({ pool, retentionDays: 30, batchSize: 10, onSweep: (e) => sweeps.push(e.deleted) });
    const outcome = await sweeper.sweep();
    expect(outcome.deleted).toBeGreaterThanOrEqual(25);
    for (const id of ids.oldDone) expect(await store.get(id)).toBeUndefined();
    expect(await store.get(ids.oldRunning)).toBeDefined();
    expect(await store.get(ids.recent)).toBeDefined();
    expect((await sweeper.sweep()).deleted).toBe(0);
    expect(sweeps).toHaveLength(1);
    expect(() => new RetentionSweeper({ pool, retentionDays: 0 })).toThrow(/retentionDays/);
  });
});
