import { createHash, timingSafeEqual } from 'node:crypto';
import { JudgeError, type Limits } from '@judgekit/core';

/** A tenant's quotas; `null` or absent takes the server's default. */
export interface TenantQuotas {
  /** Requests per rate-limit window, for all the tenant's keys together. */
  rateLimit?: number | null;
  /** Most of its submissions waiting at once; beyond it 429 `JDG_ERR_TENANT_QUOTA_EXCEEDED`. */
  maxQueued?: number | null;
  /**
   * Most of its submissions in the judge's queue or running at once; the others are held back, in
   * order, and handed on as earlier ones finish, so one tenant cannot take every worker.
   */
  maxRunning?: number | null;
  /** Highest limits its submissions may ask for (under the server's own maxima). */
  maxLimits?: Partial<Limits> | null;
}

/**
 * Who is calling: the tenant a key belongs to, and whether it is an admin key. Every route
 * scopes what it reads, cancels and deletes to `tenant`.
 */
export interface Principal {
  /** The tenant; `null` for a server without tenants (no keys, or the flat `apiKeys` list). */
  tenant: string | null;
  /** Admin keys read `/metrics`, `/v1/workers` and any tenant's listing. */
  admin: boolean;
  /** Id of the key used (never the key), for logs; `null` without keys. */
  keyId: string | null;
  quotas: TenantQuotas;
  /** The tenant's webhook signing secret, when it has one. */
  webhookSecret?: string | null;
}

/**
 * Maps a presented API key to its principal, or `null` when the key is unknown or revoked.
 * `@judgekit/postgres`'s `TenantKeys` (keys hashed in PostgreSQL) and {@link ConfigKeys} (a
 * config file's map of key hashes) are two.
 */
export interface KeyResolver {
  resolve(key: string): Principal | null | Promise<Principal | null>;
  /** A tenant's quotas (for limits not tied to a request, such as `maxRunning`); `null` when unknown. */
  quotasOf?(tenant: string): TenantQuotas | null | Promise<TenantQuotas | null>;
}

/** The principal of a server without authentication: no tenant, and everything allowed. */
export const openPrincipal: Principal = Object.freeze({ tenant: null, admin: true, keyId: null, quotas: {} });

/** The hex SHA-256 of a key, as a config file lists it (`judgekit keys create` prints it). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** One key of a config file: the SHA-256 of the key (never the key), its tenant, whether admin. */
export interface ConfigKeyEntry {
  /** Hex SHA-256 of the key. */
  sha256: string;
  tenant: string;
  admin?: boolean;
  /** A name for logs. @defaultValue the first 10 characters of the hash */
  id?: string;
}

/** One tenant of a config file: its quotas and webhook secret. */
export interface ConfigTenant extends TenantQuotas {
  webhookSecret?: string;
}

const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/**
 * Keys from a config file, without a database: a list of key hashes with their tenants, and
 * the tenants' quotas. The presented key is hashed and looked up; nothing secret is in the file.
 *
 * @example
 * ```json
 * { "keys": [{ "sha256": "9f86d0…", "tenant": "acme" }, { "sha256": "60303a…", "tenant": "ops", "admin": true }],
 *   "tenants": { "acme": { "rateLimit": 120, "maxQueued": 50, "webhookSecret": "whsec_…" } } }
 * ```
 */
export class ConfigKeys implements KeyResolver {
  readonly #byHash = new Map<string, Principal>();

  constructor(options: { keys: readonly ConfigKeyEntry[]; tenants?: Readonly<Record<string, ConfigTenant>> }) {
    for (const [i, entry] of options.keys.entries()) {
      if (!/^[0-9a-f]{64}$/.test(entry.sha256)) {
        throw new JudgeError('JDG_ERR_CONFIG_INVALID', `keys.${i}.sha256: must be 64 lower-case hex characters (the SHA-256 of the key).`);
      }
      if (!tenantPattern.test(entry.tenant)) {
        throw new JudgeError(
          'JDG_ERR_CONFIG_INVALID',
          `keys.${i}.tenant: ${JSON.stringify(entry.tenant)} is not a tenant id (1-64 of letters, digits, _ . : -).`,
        );
      }
      const tenant = options.tenants?.[entry.tenant] ?? {};
      const { webhookSecret, ...quotas } = tenant;
      this.#byHash.set(entry.sha256, {
        tenant: entry.tenant,
        admin: entry.admin ?? false,
        keyId: entry.id ?? entry.sha256.slice(0, 10),
        quotas,
        webhookSecret: webhookSecret ?? null,
      });
    }
  }

  resolve(key: string): Principal | null {
    // A lookup by the hash of the presented key: nothing compared byte by byte with a secret.
    return this.#byHash.get(hashApiKey(key)) ?? null;
  }

  quotasOf(tenant: string): TenantQuotas | null {
    for (const p of this.#byHash.values()) if (p.tenant === tenant) return p.quotas;
    return null;
  }

  /** The webhook secret of a tenant of this file. */
  secretOf(tenant: string | null): string | null {
    for (const p of this.#byHash.values()) if (p.tenant === tenant && p.webhookSecret) return p.webhookSecret;
    return null;
  }
}

/**
 * The flat `apiKeys` list of earlier versions: each key is accepted, with no tenant, as admin.
 * Compared in constant time.
 */
export class FlatKeys implements KeyResolver {
  readonly #digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.#digests = keys.map((k) => createHash('sha256').update(k).digest());
  }

  get size(): number {
    return this.#digests.length;
  }

  resolve(key: string): Principal | null {
    const given = createHash('sha256').update(key).digest();
    // Each key is its own rate-limit bucket: named by the start of its hash, never by the key.
    return this.#digests.some((d) => timingSafeEqual(d, given))
      ? { tenant: null, admin: true, keyId: given.toString('hex').slice(0, 10), quotas: {} }
      : null;
  }
}

/** Tries several resolvers in order (config keys, then the database, ...). */
export class ChainedKeys implements KeyResolver {
  constructor(readonly resolvers: readonly KeyResolver[]) {}

  async resolve(key: string): Promise<Principal | null> {
    for (const r of this.resolvers) {
      const p = await r.resolve(key);
      if (p) return p;
    }
    return null;
  }

  async quotasOf(tenant: string): Promise<TenantQuotas | null> {
    for (const r of this.resolvers) {
      const q = await r.quotasOf?.(tenant);
      if (q) return q;
    }
    return null;
  }
}
