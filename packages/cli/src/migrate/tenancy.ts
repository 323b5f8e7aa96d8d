import { FastqJobQueue, type JobQueue, LruResultStore, type ResultStore } from '@judgekit/core';
import {
  ChainedKeys,
  ConfigKeys,
  type CreateServerOptions,
  judge0CallbackFormat,
  type KeyResolver,
  type SubmissionInputs,
  TenantQueue,
} from '@judgekit/http-adapter';
import type { RedisBackend } from '@judgekit/redis';
import { WebhookDispatcher, withWebhooks } from '@judgekit/webhooks';
import { Registry } from 'prom-client';
import type { ServeConfig } from '../serve/config.js';
import { deferredLog } from './deferred-log.js';
import { type HistoryLog, openHistory } from './history.js';

/** What `judgekit serve` adds for tenants, keys, quotas, webhooks and durable history. */
export interface Tenancy {
  /** Options for `createServer` (the judge's store and queue among them). */
  server: Pick<CreateServerOptions, 'keys' | 'metricsRegistries' | 'readinessChecks' | 'tenantQueued' | 'webhooks'>;
  store: ResultStore;
  queue: JobQueue;
  /** Where finished submissions' inputs are read back (the durable store), for Judge0's `fields=*`. */
  inputs: SubmissionInputs | null;
  /** Whether requests need a key. */
  authenticated: boolean;
  durable: boolean;
  /** Call once the server's logger exists: log lines go there, and unfinished work of a crashed process is re-queued. */
  started(log: HistoryLog): Promise<void>;
  /** After the judge has drained: writes what waits, stops deliveries, ends the pool. */
  close(): Promise<void>;
}

/**
 * Builds the tenancy of a server from its settings: key resolvers (the config file's hashes,
 * PostgreSQL's keys), the tenant queue for `maxRunning`, the `maxQueued` count, the webhook
 * policy and sender, and, with `databaseUrl`, PostgreSQL behind the hot cache. With a Redis
 * backend (cluster mode), the queue is the shared BullMQ queue and the hot cache is Redis.
 */
export async function openTenancy(config: ServeConfig, redis: RedisBackend | null = null): Promise<Tenancy> {
  const log = deferredLog();
  const configKeys = config.keys ? new ConfigKeys({ keys: config.keys, tenants: config.tenants ?? {} }) : null;
  const secretFor = (tenant: string | null) => configKeys?.secretOf(tenant);
  const history = config.databaseUrl
    ? await openHistory({
        databaseUrl: config.databaseUrl,
        migrate: config.migrate,
        ...(config.retentionDays ? { retentionDays: config.retentionDays } : {}),
        webhookAllow: config.webhookAllow,
        secretFor,
        log,
        ...(redis ? { cache: redis.store } : {}),
      })
    : null;
  const keys: KeyResolver | undefined =
    history && configKeys ? new ChainedKeys([configKeys, history.keys]) : (history?.keys ?? configKeys ?? undefined);
  const quotasOf = async (tenant: string) => configKeys?.quotasOf(tenant) ?? (await history?.keys.quotasOf(tenant)) ?? null;
  // Tenants' maxRunning quotas hold their extra jobs back, in order, in front of the in-process queue.
  // In cluster mode the shared queue is used as it is: TenantQueue's hold-back lives in one process.
  const tenantQueue = redis
    ? null
    : new TenantQueue(new FastqJobQueue({ concurrency: config.concurrency }), {
        maxRunning: async (tenant) => (tenant === null ? null : ((await quotasOf(tenant))?.maxRunning ?? null)),
      });
  const queue: JobQueue = redis?.queue ?? tenantQueue!;
  // Without a database, webhooks are sent from memory once a result is final (PostgreSQL keeps a durable outbox instead).
  const registry = history?.registry ?? new Registry();
  const dispatcher = history
    ? null
    : new WebhookDispatcher({
        allow: config.webhookAllow,
        registry,
        onAttempt: (e) => {
          if (e.state !== 'delivered') log.warn({ deliveryId: e.deliveryId, attempt: e.attempt, state: e.state }, 'webhook not delivered');
        },
      });
  // An API-only node never writes a final result (its workers do, and send the webhooks): no hook there.
  const store =
    history?.store ??
    (redis && config.concurrency === 0
      ? redis.store
      : withWebhooks(redis?.store ?? new LruResultStore(), dispatcher!, { secretFor, format: judge0CallbackFormat }));
  return {
    server: {
      ...(keys ? { keys } : {}),
      metricsRegistries: [registry],
      ...(history ? { readinessChecks: [history.readiness] } : {}),
      // PostgreSQL's count is the cluster's; while it is unreachable, this process's own count stands in.
      ...(history
        ? {
            tenantQueued: async (tenant: string | null) =>
              (await history.store.unfinishedCounts(tenant).catch(() => null))?.queued ?? tenantQueue?.queuedOf(tenant) ?? 0,
          }
        : tenantQueue
          ? { tenantQueued: (tenant: string | null) => tenantQueue.queuedOf(tenant) }
          : {}),
      webhooks: history ? { check: (url) => history.webhooks.resolve(url) } : dispatcher!,
    },
    store,
    queue,
    inputs: history?.store.database ?? null,
    authenticated: keys !== undefined || config.apiKeys.length > 0,
    durable: history !== null,
    async started(serverLog) {
      log.attach(serverLog);
      // A shared queue recovers its own jobs (BullMQ's stalled-job check); only an in-process queue needs the rows.
      if (history && !redis) await history.recover(queue);
    },
    async close() {
      await Promise.all([history?.close(), dispatcher?.close()]);
    },
  };
}
