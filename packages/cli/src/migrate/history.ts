import type { JobQueue, ResultStore } from '@judgekit/core';
import { judge0CallbackFormat, type KeyResolver, type ReadinessCheck } from '@judgekit/http-adapter';
import {
  assertMigrated,
  createPool,
  DurableResultStore,
  isStaleRowOwner,
  migrate,
  PostgresStore,
  RetentionSweeper,
  redactUrl,
  TenantKeys,
  WebhookOutbox,
} from '@judgekit/postgres';
import { WebhookPolicy } from '@judgekit/webhooks';
import { Registry } from 'prom-client';

/** Environment variable of `--database-url` (serve, worker, migrate, keys). */
export const databaseUrlEnv = 'JUDGEKIT_DATABASE_URL';

/** A logger with pino's shape (the server's), or anything alike. */
export interface HistoryLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options of {@link openHistory}. */
export interface HistoryOptions {
  databaseUrl: string;
  /** Apply the migrations first (else refuse to start when the schema is behind). @defaultValue true */
  migrate?: boolean;
  /** Delete finished submissions older than this many days; absent keeps history forever. */
  retentionDays?: number;
  /** Webhook destinations allowed although not public (addresses, CIDRs, host names). */
  webhookAllow?: readonly string[];
  /** The hot cache in front of PostgreSQL. @defaultValue an LRU */
  cache?: ResultStore;
  /** The signing secret of a tenant that is not in the database (from the config file). */
  secretFor?: (tenant: string | null) => string | null | undefined;
  /** Deliver webhooks from this process. @defaultValue true */
  deliverWebhooks?: boolean;
  log: HistoryLog;
}

/** Everything the durable mode adds to a server or worker, and how to close it. */
export interface History {
  pool: ReturnType<typeof createPool>;
  store: DurableResultStore;
  keys: KeyResolver & TenantKeys;
  registry: Registry;
  readiness: ReadinessCheck;
  outbox: WebhookOutbox | null;
  /** The SSRF policy callbacks are checked against at submit time. */
  webhooks: WebhookPolicy;
  retention: RetentionSweeper | null;
  /**
   * Re-queues what a crashed process of this host left unfinished (its rows are still `queued` or
   * `running`), for a server with an in-process queue; each is judged again and written once.
   * Resolves with how many. A shared (Redis) queue recovers its own jobs instead.
   */
  recover(queue: JobQueue): Promise<number>;
  /** Stops the outbox and retention, writes what waits (bounded), ends the pool. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the durable mode for `judgekit serve` and `judgekit worker`: the pool, the migrations
 * (applied, or checked with `migrate: false`), PostgreSQL behind the hot cache, tenants' keys,
 * the webhook outbox and retention, with their metrics in one registry.
 */
export async function openHistory(options: HistoryOptions): Promise<History> {
  const { databaseUrl, log } = options;
  const pool = createPool({
    connectionString: databaseUrl,
    onError: (error) => log.warn({ err: error }, 'PostgreSQL connection lost (it reconnects by itself)'),
  });
  try {
    if (options.migrate ?? true) {
      const ran = await migrate(pool, databaseUrl, { log: (line) => log.info({ migration: line }, 'migrate') });
      log.info({ database: redactUrl(databaseUrl), applied: ran }, ran.length ? 'database migrated' : 'database schema up to date');
    } else {
      await assertMigrated(pool, databaseUrl);
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  const registry = new Registry();
  const policy = new WebhookPolicy({ allow: options.webhookAllow ?? [] });
  let outbox: WebhookOutbox | null = null;
  const database = new PostgresStore({ pool, onOutbox: () => outbox?.kick() });
  const store = new DurableResultStore({
    database,
    ...(options.cache ? { cache: options.cache } : {}),
    registry,
    onAvailability: (e) =>
      e.up
        ? log.info({ pendingWrites: e.pending }, 'PostgreSQL is back: writing the results that waited')
        : log.error({ err: e.error, pendingWrites: e.pending }, 'PostgreSQL is unreachable: judging goes on, results wait in memory'),
  });
  if (options.deliverWebhooks ?? true) {
    outbox = new WebhookOutbox({
      pool,
      policy,
      registry,
      ...(options.secretFor ? { secretFor: options.secretFor } : {}),
      // Submissions made through the Judge0 API get Judge0's callback (a PUT of its submission object).
      format: judge0CallbackFormat,
      onAttempt: (e) => {
        if (e.state !== 'delivered')
          log.warn(
            { deliveryId: e.deliveryId, attempt: e.attempt, state: e.state, error: e.outcome.ok ? undefined : e.outcome.error },
            'webhook not delivered',
          );
      },
    });
    outbox.start();
  }
  const retention = options.retentionDays
    ? new RetentionSweeper({
        pool,
        retentionDays: options.retentionDays,
        onSweep: (e) => log.info(e, 'retention: old submissions deleted'),
        onError: (error) => log.warn({ err: error }, 'retention sweep failed; the next one retries'),
      })
    : null;
  retention?.start();
  const keys = new TenantKeys({ pool });
  let closing: Promise<void> | undefined;
  return {
    pool,
    store,
    keys,
    registry,
    readiness: () => store.health(),
    outbox,
    webhooks: policy,
    retention,
    async recover(queue) {
      let n = 0;
      for (const row of await database.unfinished()) {
        if (!row.input || !isStaleRowOwner(row.owner)) continue;
        await queue.push({ id: row.id, submission: row.input, tenant: row.tenant });
        n++;
      }
      if (n > 0) log.warn({ recovered: n }, 'a previous process stopped before these submissions finished: judging them again');
      return n;
    },
    close() {
      closing ??= (async () => {
        await outbox?.stop();
        await retention?.stop();
        const left = await store.close();
        if (left > 0) log.error({ pendingWrites: left }, 'PostgreSQL stayed unreachable: these results were not written');
        await pool.end();
      })();
      return closing;
    },
  };
}
