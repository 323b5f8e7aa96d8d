import { FakeRunner } from '@judgekit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type JudgekitServer } from '../index.js';
import type { CreateServerOptions } from '../server.js';
import { ChainedKeys, ConfigKeys, FlatKeys, hashApiKey } from './principal.js';

const servers: JudgekitServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: Partial<CreateServerOptions>) {
  const s = await createServer({ runner: new FakeRunner(), logger: false, ...options });
  servers.push(s);
  return s.app;
}

const keys = new ConfigKeys({
  keys: [
    { sha256: hashApiKey('acme-key'), tenant: 'acme' },
    { sha256: hashApiKey('acme-key-2'), tenant: 'acme' },
    { sha256: hashApiKey('ops-key'), tenant: 'ops', admin: true },
    { sha256: hashApiKey('tiny-key'), tenant: 'tiny' },
  ],
  tenants: { tiny: { rateLimit: 2 }, acme: { webhookSecret: 'whsec_acme' } },
});

describe('tenant keys', () => {
  it('resolves a config file’s key hashes to tenants, never keeping a key', () => {
    expect(keys.resolve('acme-key')).toMatchObject({ tenant: 'acme', admin: false, keyId: hashApiKey('acme-key').slice(0, 10) });
    expect(keys.resolve('ops-key')).toMatchObject({ tenant: 'ops', admin: true });
    expect(keys.resolve('nope')).toBeNull();
    expect(keys.secretOf('acme')).toBe('whsec_acme');
    expect(() => new ConfigKeys({ keys: [{ sha256: 'acme-key', tenant: 'acme' }] })).toThrow(/sha256/);
    expect(() => new ConfigKeys({ keys: [{ sha256: hashApiKey('x'), tenant: 'a b' }] })).toThrow(/tenant/);
  });

  it('chains resolvers and keeps the flat list as admin keys without a tenant', async () => {
    const chain = new ChainedKeys([keys, new FlatKeys(['legacy'])]);
    expect(await chain.resolve('acme-key')).toMatchObject({ tenant: 'acme' });
    expect(await chain.resolve('legacy')).toMatchObject({ tenant: null, admin: true });
    expect(await chain.resolve('other')).toBeNull();
  });

  it('takes the key from Authorization: Bearer (X-Auth-Token only on Judge0 routes), refusing others with 401', async () => {
    const app = await server({ keys, judge0: true });
    expect((await app.inject({ url: '/v1/languages', headers: { authorization: 'Bearer acme-key' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/languages', headers: { 'x-auth-token': 'acme-key' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/statuses', headers: { 'x-auth-token': 'acme-key' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/statuses', headers: { 'x-auth-token': 'wrong' } })).statusCode).toBe(401);
    const refused = await app.inject({ url: '/v1/languages', headers: { authorization: 'Bearer wrong' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="judgekit"');
    expect(refused.json().error.code).toBe('JDG_ERR_HTTP_UNAUTHORIZED');
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('serves /metrics to admin keys only (403 for a tenant’s key)', async () => {
    const app = await server({ keys });
    const denied = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer acme-key' } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('JDG_ERR_HTTP_FORBIDDEN');
    expect((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer ops-key' } })).statusCode).toBe(200);
  });

  it('counts the rate limit per tenant, all its keys together, with the tenant’s own quota', async () => {
    const app = await server({ keys, rateLimit: { max: 3, timeWindowMs: 60_000 } });
    const get = (key: string) => app.inject({ url: '/v1/languages', headers: { authorization: `Bearer ${key}` } });
    expect((await get('tiny-key')).statusCode).toBe(200);
    expect((await get('tiny-key')).statusCode).toBe(200);
    const limited = await get('tiny-key');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.details.limit).toBe(2);
    // acme has the server's limit, 3, shared by its two keys.
    expect((await get('acme-key')).statusCode).toBe(200);
    expect((await get('acme-key-2')).statusCode).toBe(200);
    expect((await get('acme-key')).statusCode).toBe(200);
    expect((await get('acme-key-2')).statusCode).toBe(429);
    expect((await get('ops-key')).statusCode).toBe(200);
  });
});
