import { createHash, randomBytes } from 'node:crypto';
import { JudgeError, type Limits } from '@judgekit/core';
import { newWebhookSecret } from '@judgekit/webhooks';
import type pg from 'pg';
import { isConnectionError } from '../pool/pool.js';

/** A tenant's quotas; `null` (or absent) takes the server's default. */
export interface TenantQuotas {
  /** Requests per rate-limit window, for all of the tenant's keys together. */
  rateLimit?: number | null;
  /** Most submissions waiting at once; beyond it 429 `JDG_ERR_TENANT_QUOTA_EXCEEDED`. */
  maxQueued?: number | null;
  /** Most submissions judged at once; the rest wait their turn. */
  maxRunning?: number | null;
  /** Highest limits the tenant's submissions may ask for (each at most the server's). */
  maxLimits?: Partial<Limits> | null;
}

/** A tenant as stored. */
export interface TenantRecord {
  id: string;
  createdAt: string;
  quotas: TenantQuotas;
  webhookSecret: string;
}

/** An API key as listed (never its secret part or hash). */
export interface KeyRecord {
  id: string;
  tenant: string;
  admin: boolean;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Who a key belongs to, as the HTTP layer needs it. */
export interface KeyPrincipal {
  tenant: string;
  admin: boolean;
  keyId: string;
  quotas: TenantQuotas;
  webhookSecret: string;
}

/** Options of {@link TenantKeys}. */
export interface TenantKeysOptions {
  pool: pg.Pool;
  /** How long a resolved key is reused before PostgreSQL is asked again (so a revocation takes this long at most), in milliseconds. @defaultValue 5000 */
  cacheTtlMs?: number;
}

const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const keyPattern = /^jk_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$/;

/** SHA-256 of a key: what is stored and compared. Keys carry 256 random bits, so a fast hash is enough (no password stretching needed). */
export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** A new API key: `jk_<10 hex id>_<43 base64url characters of 32 random bytes>`. */
export function newApiKey(): { id: string; key: string } {
  const id = randomBytes(5).toString('hex');
  return { id, key: `jk_${id}_${randomBytes(32).toString('base64url')}` };
}

/** Throws `JDG_ERR_INPUT_INVALID` unless `id` is a valid tenant id (1–64 of letters, digits, `_ . : -`, starting with a letter or digit). */
export function checkTenantId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !tenantPattern.test(id)) {
    throw new JudgeError(
      'JDG_ERR_INPUT_INVALID',
      `tenant: must be 1-64 letters, digits, _ . : - starting with a letter or digit, received ${JSON.stringify(id)}.`,
      {
        details: { issues: [{ path: 'tenant', message: 'invalid tenant id' }] },
      },
    );
  }
}

/**
 * Tenants and their API keys in PostgreSQL. Keys are stored as SHA-256 hashes only: the key is
 * shown once, at creation. {@link resolve} maps a presented key to its tenant, cached briefly.
 *
 * @example
 * ```ts
 * const keys = new TenantKeys({ pool })
 * const { key } = await keys.createKey({ tenant: 'acme' })   // show it once
 * await keys.resolve(key)                                      // { tenant: 'acme', admin: false, ... }
 * ```
 */
export class TenantKeys {
  readonly #pool: pg.Pool;
  readonly #ttl: number;
  readonly #cache = new Map<string, { at: number; principal: KeyPrincipal | null }>();
  readonly #touched = new Map<string, number>();
  readonly #quotas = new Map<string, { at: number; quotas: TenantQuotas | null }>();

  constructor(options: TenantKeysOptions) {
    this.#pool = options.pool;
    this.#ttl = options.cacheTtlMs ?? 5000;
  }

  /** Creates a tenant (with a new webhook secret) unless it exists; returns it and whether it was new. */
  async ensureTenant(id: string, quotas: TenantQuotas = {}): Promise<{ tenant: TenantRecord; created: boolean }> {
    checkTenantId(id);
    const inserted = await this.#pool.query(
      `INSERT INTO judgekit_tenants (id, webhook_secret, rate_limit, max_queued, max_running, max_limits)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        id,
        newWebhookSecret(),
        quotas.rateLimit ?? null,
        quotas.maxQueued ?? null,
        quotas.maxRunning ?? null,
        quotas.maxLimits ? JSON.stringify(quotas.maxLimits) : null,
      ],
    );
    return { tenant: (await this.getTenant(id))!, created: (inserted.rowCount ?? 0) > 0 };
  }

  async getTenant(id: string): Promise<TenantRecord | undefined> {
    const { rows } = await this.#pool.query('SELECT * FROM judgekit_tenants WHERE id = $1', [id]);
    return rows[0] ? tenantOf(rows[0]) : undefined;
  }

  async listTenants(): Promise<TenantRecord[]> {
    const { rows } = await this.#pool.query('SELECT * FROM judgekit_tenants ORDER BY id');
    return rows.map(tenantOf);
  }

  /** Sets the given quotas (`null` resets one to the server's default; absent keeps it). Throws `JDG_ERR_KEY_NOT_FOUND` for an unknown tenant. */
  async setQuotas(id: string, quotas: TenantQuotas): Promise<TenantRecord> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    const put = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (quotas.rateLimit !== undefined) put('rate_limit', quotas.rateLimit);
    if (quotas.maxQueued !== undefined) put('max_queued', quotas.maxQueued);
    if (quotas.maxRunning !== undefined) put('max_running', quotas.maxRunning);
    if (quotas.maxLimits !== undefined) put('max_limits', quotas.maxLimits === null ? null : JSON.stringify(quotas.maxLimits));
    if (sets.length > 0) {
      const { rowCount } = await this.#pool.query(`UPDATE judgekit_tenants SET ${sets.join(', ')} WHERE id = $1`, values);
      if (!rowCount) throw notFound('tenant', id);
    }
    this.#cache.clear();
    this.#quotas.clear();
    const tenant = await this.getTenant(id);
    if (!tenant) throw notFound('tenant', id);
    return tenant;
  }

  /** Replaces a tenant's webhook secret; returns the new one. */
  async rotateWebhookSecret(id: string): Promise<string> {
    const secret = newWebhookSecret();
    const { rowCount } = await this.#pool.query('UPDATE judgekit_tenants SET webhook_secret = $2 WHERE id = $1', [id, secret]);
    if (!rowCount) throw notFound('tenant', id);
    this.#cache.clear();
    return secret;
  }

  /**
   * Creates a key for a tenant (creating the tenant when it is new). The returned `key` is the
   * only time it exists outside the caller: only its hash is stored.
   */
  async createKey(options: { tenant: string; admin?: boolean; label?: string | null }): Promise<{
    key: string;
    record: KeyRecord;
    tenant: TenantRecord;
    tenantCreated: boolean;
  }> {
    const { tenant, created } = await this.ensureTenant(options.tenant);
    const { id, key } = newApiKey();
    const { rows } = await this.#pool.query(
      'INSERT INTO judgekit_api_keys (id, tenant, key_hash, admin, label) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [id, tenant.id, hashKey(key), options.admin ?? false, options.label ?? null],
    );
    return { key, record: keyOf(rows[0]), tenant, tenantCreated: created };
  }

  async listKeys(options: { tenant?: string; includeRevoked?: boolean } = {}): Promise<KeyRecord[]> {
    const { rows } = await this.#pool.query(
      `SELECT * FROM judgekit_api_keys WHERE ($1::text IS NULL OR tenant = $1) AND ($2 OR revoked_at IS NULL) ORDER BY tenant, created_at`,
      [options.tenant ?? null, options.includeRevoked ?? true],
    );
    return rows.map(keyOf);
  }

  /** Revokes a key by id (idempotent for a revoked one). Throws `JDG_ERR_KEY_NOT_FOUND`. */
  async revokeKey(id: string): Promise<KeyRecord> {
    const { rows } = await this.#pool.query(
      'UPDATE judgekit_api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING *',
      [id],
    );
    if (!rows[0]) throw notFound('key', id);
    this.#cache.clear();
    return keyOf(rows[0]);
  }

  /** A tenant's quotas, cached for `cacheTtlMs`; `null` for an unknown tenant. */
  async quotasOf(tenant: string): Promise<TenantQuotas | null> {
    const cached = this.#quotas.get(tenant);
    if (cached && Date.now() - cached.at < this.#ttl) return cached.quotas;
    let quotas: TenantQuotas | null;
    try {
      quotas = (await this.getTenant(tenant))?.quotas ?? null;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      return cached?.quotas ?? null;
    }
    if (this.#quotas.size >= 10_000) this.#quotas.clear();
    this.#quotas.set(tenant, { at: Date.now(), quotas });
    return quotas;
  }

  /** The tenant of a presented key, or `null` for an unknown or revoked one. Cached for `cacheTtlMs`. */
  async resolve(key: string): Promise<KeyPrincipal | null> {
    if (!keyPattern.test(key)) return null;
    const now = Date.now();
    const cached = this.#cache.get(key);
    if (cached && now - cached.at < this.#ttl) return cached.principal;
    let found: { rows: Record<string, unknown>[] };
    try {
      found = await this.#pool.query({
        name: 'jk_resolve_key',
        text: `SELECT k.id AS key_id, k.admin, t.id, t.created_at, t.webhook_secret, t.rate_limit, t.max_queued, t.max_running, t.max_limits
             FROM judgekit_api_keys k JOIN judgekit_tenants t ON t.id = k.tenant
             WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
        values: [hashKey(key)],
      });
    } catch (error) {
      // PostgreSQL away: a key seen before keeps working until it is back; a new one waits (503).
      if (!isConnectionError(error)) throw error;
      if (cached) return cached.principal;
      throw new JudgeError(
        'JDG_ERR_DATABASE_UNAVAILABLE',
        'PostgreSQL is unreachable, so this API key cannot be checked now; retry later.',
        {
          cause: error,
        },
      );
    }
    // biome-ignore lint/suspicious/noExplicitAny: a row of pg
    const row = found.rows[0] as any;
    const principal: KeyPrincipal | null = row
      ? { tenant: row.id, admin: row.admin, keyId: row.key_id, quotas: tenantOf(row).quotas, webhookSecret: row.webhook_secret }
      : null;
    // Bounded: random invalid keys cannot grow the cache without end.
    if (this.#cache.size >= 10_000) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, { at: now, principal });
    if (principal) this.#touch(principal.keyId, now);
    return principal;
  }

  #touch(keyId: string, now: number): void {
    // last_used_at is informative: written at most once a minute per key, off the request path.
    if (now - (this.#touched.get(keyId) ?? 0) < 60_000) return;
    this.#touched.set(keyId, now);
    this.#pool.query('UPDATE judgekit_api_keys SET last_used_at = now() WHERE id = $1', [keyId]).catch(() => {});
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a row of pg
function tenantOf(row: any): TenantRecord {
  return {
    id: row.id,
    createdAt: new Date(row.created_at).toISOString(),
    quotas: { rateLimit: row.rate_limit, maxQueued: row.max_queued, maxRunning: row.max_running, maxLimits: row.max_limits },
    webhookSecret: row.webhook_secret,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a row of pg
function keyOf(row: any): KeyRecord {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: row.id,
    tenant: row.tenant,
    admin: row.admin,
    label: row.label,
    createdAt: iso(row.created_at)!,
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

function notFound(kind: 'key' | 'tenant', id: string): JudgeError {
  return new JudgeError('JDG_ERR_KEY_NOT_FOUND', `No ${kind} ${JSON.stringify(id)}.`, { details: { [kind]: id } });
}
