import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JudgeError } from '@judgekit/core';
import type pg from 'pg';
import { isConnectionError, unavailable } from '../pool/pool.js';

/** Table where node-pg-migrate records the migrations applied. */
export const migrationsTable = 'judgekit_migrations';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** `up` applies what is missing; `down` reverts. @defaultValue 'up' */
  direction?: 'up' | 'down';
  /** Migrations to apply or revert; `Infinity` for all. @defaultValue Infinity up, 1 down */
  count?: number;
  /** Told each migration applied. */
  log?: (line: string) => void;
}

/** What the database holds against what this version ships. */
export interface SchemaStatus {
  applied: string[];
  pending: string[];
}

/** The folder of the SQL migration files shipped with the package (beside `dist/` and `src/`). */
export function migrationsDir(): string {
  for (const relative of ['../migrations', '../../migrations']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  throw new JudgeError(
    'JDG_ERR_DATABASE_MIGRATION_FAILED',
    'The migrations folder of @judgekit/postgres is missing from the installation.',
  );
}

/** Names of the migrations this version ships, in order. */
export function shippedMigrations(): string[] {
  return readdirSync(migrationsDir())
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/**
 * Applies the schema migrations with node-pg-migrate, inside one transaction, holding
 * node-pg-migrate's advisory lock (waiting for it), so that several `judgekit serve` processes
 * starting together migrate once. Returns the names of the migrations it ran.
 *
 * Throws `JDG_ERR_DATABASE_UNAVAILABLE` when the database cannot be reached and
 * `JDG_ERR_DATABASE_MIGRATION_FAILED` when a migration fails (nothing is then changed).
 */
export async function migrate(pool: pg.Pool, url: string, options: MigrateOptions = {}): Promise<string[]> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (cause) {
    throw unavailable(url, cause);
  }
  try {
    // node-pg-migrate is ESM-only; loaded here so that CommonJS users of this package never need it unless they migrate.
    const { runner } = await import('node-pg-migrate');
    const log = options.log ?? (() => {});
    const direction = options.direction ?? 'up';
    const ran = await runner({
      dbClient: client,
      dir: migrationsDir(),
      migrationsTable,
      direction,
      count: options.count ?? (direction === 'up' ? Number.POSITIVE_INFINITY : 1),
      singleTransaction: true,
      checkOrder: true,
      advisoryLockMode: 'wait',
      logger: { info: log, warn: log, error: log, debug: () => {} },
    });
    return ran.map((m) => m.name);
  } catch (cause) {
    if (isConnectionError(cause)) throw unavailable(url, cause);
    throw new JudgeError('JDG_ERR_DATABASE_MIGRATION_FAILED', `Migrating ${direction(options)} failed: ${(cause as Error).message}`, {
      cause,
    });
  } finally {
    client.release();
  }
}

/** Which shipped migrations the database has applied, and which are pending. */
export async function schemaStatus(pool: pg.Pool, url: string): Promise<SchemaStatus> {
  let rows: { name: string }[];
  try {
    const exists = await pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [migrationsTable]);
    rows = exists.rows[0]?.t ? (await pool.query<{ name: string }>(`SELECT name FROM ${migrationsTable} ORDER BY run_on, id`)).rows : [];
  } catch (cause) {
    if (isConnectionError(cause)) throw unavailable(url, cause);
    throw cause;
  }
  const applied = rows.map((r) => r.name);
  return { applied, pending: shippedMigrations().filter((m) => !applied.includes(m)) };
}

/** Throws `JDG_ERR_DATABASE_MIGRATION_FAILED` when a shipped migration is not applied (for `serve --no-migrate`). */
export async function assertMigrated(pool: pg.Pool, url: string): Promise<void> {
  const { pending } = await schemaStatus(pool, url);
  if (pending.length > 0) {
    throw new JudgeError(
      'JDG_ERR_DATABASE_MIGRATION_FAILED',
      `The database lacks ${pending.length} migration(s) (${pending.join(', ')}); run judgekit migrate --database-url URL.`,
      { details: { pending } },
    );
  }
}

function direction(options: MigrateOptions): string {
  return options.direction ?? 'up';
}
