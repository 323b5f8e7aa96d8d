import type { Judge } from '@judgekit/core';
import type { Registry } from 'prom-client';
import type { KeyResolver } from './auth/principal.js';
import type { TenantQueue } from './auth/tenant-queue.js';
import type { ClusterSource } from './cluster/source.js';
import { type Judge0ApiOptions, type ResolvedJudge0Options, resolveJudge0Options } from './judge0/options.js';

/** Per-key (or per-address) rate limit. */
export interface RateLimitOptions {
  /** Requests allowed per window for one API key (or one client address without keys). @defaultValue 600 */
  max?: number;
  /** Length of the window in milliseconds. @defaultValue 60000 */
  timeWindowMs?: number;
}

/**
 * Options of {@link judgekitPlugin}.
 *
 * @example
 * ```ts
 * await app.register(judgekitPlugin, { prefix: '/judge', judge, apiKeys: ['s3cret'] })
 * ```
 */
export interface JudgekitPluginOptions {
  /** The judge that runs submissions. The plugin never closes it; its owner does. */
  judge: Judge;
  /**
   * API keys accepted as `Authorization: Bearer KEY`. Empty or absent: no authentication.
   * `/healthz`, `/readyz` and `/docs` stay open.
   * @defaultValue []
   */
  apiKeys?: readonly string[];
  /**
   * Tenants' API keys: maps a presented key (`Authorization: Bearer KEY` or `X-Auth-Token`) to its
   * tenant, admin flag and quotas — `TenantKeys` of `@judgekit/postgres` (hashed in PostgreSQL),
   * or {@link ConfigKeys} (a config file's key hashes). Every route then sees and changes only the
   * caller's tenant's submissions. Absent (and no `apiKeys`): no authentication.
   */
  keys?: KeyResolver;
  /**
   * How many of a tenant's submissions wait now, for its `maxQueued` quota: the durable store's
   * count (cluster-wide) or the {@link TenantQueue}'s (this process). Without it `maxQueued` is not checked.
   */
  tenantQueued?: (tenant: string | null) => number | Promise<number>;
  /**
   * Checks a submission's `callbackUrl` before it is queued (the SSRF policy: `check` throws
   * `JDG_ERR_WEBHOOK_URL_REFUSED`), e.g. a `WebhookDispatcher` or `WebhookPolicy` of
   * `@judgekit/webhooks`. Without it, a submission with a `callbackUrl` is refused.
   */
  webhooks?: { check(url: string): Promise<unknown> };
  /** Rate limit per tenant (its `rateLimit` quota, else `max`), per API key, or per client address without keys; `false` turns it off. @defaultValue `{ max: 600, timeWindowMs: 60000 }` */
  rateLimit?: RateLimitOptions | false;
  /** Longest a `?wait=true` request is held, in milliseconds; then it answers 202 with the current state. @defaultValue 60000 */
  maxWaitMs?: number;
  /** Largest request body in bytes; beyond it 413. @defaultValue 16777216 (16 MiB) */
  bodyLimitBytes?: number;
  /** `Retry-After` in seconds sent with 503 for a full queue or a closing judge. @defaultValue 5 */
  retryAfterSeconds?: number;
  /** Serve the OpenAPI document at `/docs/json` and Swagger UI at `/docs`. @defaultValue true */
  docs?: boolean;
  /** Serve Prometheus metrics at `/metrics`. @defaultValue true */
  metrics?: boolean;
  /**
   * Serve the browser playground at `/` (editor, tests, verdicts, terminal, admin view), built
   * into this package: it loads nothing from elsewhere. @defaultValue true
   */
  playground?: boolean;
  /** Serve the seed's API (`/execute`, `/result/:id`). @defaultValue true */
  seedApi?: boolean;
  /**
   * More prom-client registries served by `/metrics` beside the adapter's own (e.g. the durable
   * store's `judgekit_history_*` and the webhooks' `judgekit_webhook_*`).
   * @defaultValue []
   */
  metricsRegistries?: readonly Registry[];
  /**
   * Parts that can make the server degraded without stopping it (the durable store while
   * PostgreSQL is down): `/readyz` then still answers 200, with `degraded: true` and their problems.
   * @defaultValue []
   */
  readinessChecks?: readonly ReadinessCheck[];
  /** Serve the Piston v2 API (`/api/v2/runtimes`, `/api/v2/execute`). @defaultValue true */
  pistonApi?: boolean;
  /**
   * Browser origins allowed to call the API (CORS), e.g. `['https://contest.example']`; `['*']`
   * allows any. Empty or absent: no CORS headers, so browsers on other origins are refused.
   * @defaultValue []
   */
  corsOrigins?: readonly string[];
  /**
   * Aborting it starts the drain: new submissions answer 503 `JDG_ERR_HTTP_SHUTTING_DOWN` with
   * `Retry-After`, `/readyz` answers 503 and event streams end, while reads and held waits go on.
   * {@link createServer} aborts it when `close()` is called.
   */
  shutdownSignal?: AbortSignal;
  /**
   * Serve the Judge0 CE 1.13.1-compatible API (`/submissions`, `/languages`, `/statuses`, ...),
   * at the root unless `prefix` moves it; `false` turns it off. @defaultValue true
   */
  judge0?: boolean | Judge0ApiOptions;
  /**
   * The cluster this server is a node of (`@judgekit/redis`'s backend): `GET /v1/workers` lists
   * its workers, `/metrics` its queue, and its dashboard is mounted under `/admin/queues` (admin
   * keys). Absent: this process is the only worker.
   */
  cluster?: ClusterSource;
}

/** A part of the server that reports whether it is degraded, for `/readyz`. */
export type ReadinessCheck = () => { degraded: boolean; problems: { message: string; fix?: string }[] };

/** @internal Options with defaults filled in. */
export interface ResolvedPluginOptions {
  judge: Judge;
  apiKeys: readonly string[];
  keys: KeyResolver | null;
  tenantQueued: ((tenant: string | null) => number | Promise<number>) | null;
  webhooks: { check(url: string): Promise<unknown> } | null;
  rateLimit: Required<RateLimitOptions> | false;
  maxWaitMs: number;
  bodyLimitBytes: number;
  /** Most bytes of a refused (413) body read and thrown away before the connection closes. */
  drainLimitBytes: number;
  retryAfterSeconds: number;
  docs: boolean;
  metrics: boolean;
  playground: boolean;
  seedApi: boolean;
  pistonApi: boolean;
  metricsRegistries: readonly Registry[];
  readinessChecks: readonly ReadinessCheck[];
  corsOrigins: readonly string[];
  shutdownSignal: AbortSignal | undefined;
  judge0: ResolvedJudge0Options | null;
  cluster: ClusterSource | null;
}

/** @internal */
export function resolvePluginOptions(options: JudgekitPluginOptions): ResolvedPluginOptions {
  const bodyLimitBytes = options.bodyLimitBytes ?? 16 * 1024 * 1024;
  const rateLimit = options.rateLimit === false ? false : { max: 600, timeWindowMs: 60_000, ...options.rateLimit };
  return {
    judge: options.judge,
    apiKeys: (options.apiKeys ?? []).filter((k) => k.length > 0),
    keys: options.keys ?? null,
    tenantQueued: options.tenantQueued ?? null,
    webhooks: options.webhooks ?? null,
    rateLimit,
    maxWaitMs: options.maxWaitMs ?? 60_000,
    bodyLimitBytes,
    drainLimitBytes: Math.max(4 * bodyLimitBytes, 64 * 1024 * 1024),
    retryAfterSeconds: options.retryAfterSeconds ?? 5,
    docs: options.docs ?? true,
    metrics: options.metrics ?? true,
    playground: options.playground ?? true,
    seedApi: options.seedApi ?? true,
    pistonApi: options.pistonApi ?? true,
    metricsRegistries: options.metricsRegistries ?? [],
    readinessChecks: options.readinessChecks ?? [],
    corsOrigins: (options.corsOrigins ?? []).filter((o) => o.length > 0),
    shutdownSignal: options.shutdownSignal,
    judge0: options.judge0 === false ? null : resolveJudge0Options(options.judge0 === true ? {} : options.judge0),
    cluster: options.cluster ?? null,
  };
}
