import type { Judge } from '@judgekit/core';
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
  /** Rate limit per API key, or per client address without keys; `false` turns it off. @defaultValue `{ max: 600, timeWindowMs: 60000 }` */
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
  /** Serve the seed's API (`/execute`, `/result/:id`). @defaultValue true */
  seedApi?: boolean;
  /** Serve the Piston v2 API (`/api/v2/runtimes`, `/api/v2/execute`). @defaultValue true */
  pistonApi?: boolean;
  /**
   * Serve the Judge0 CE 1.13.1-compatible API (`/submissions`, `/languages`, `/statuses`, ...),
   * at the root unless `prefix` moves it; `false` turns it off. @defaultValue true
   */
  judge0?: boolean | Judge0ApiOptions;
}

/** @internal Options with defaults filled in. */
export interface ResolvedPluginOptions {
  judge: Judge;
  apiKeys: readonly string[];
  rateLimit: Required<RateLimitOptions> | false;
  maxWaitMs: number;
  bodyLimitBytes: number;
  retryAfterSeconds: number;
  docs: boolean;
  metrics: boolean;
  seedApi: boolean;
  pistonApi: boolean;
  judge0: ResolvedJudge0Options | null;
}

/** @internal */
export function resolvePluginOptions(options: JudgekitPluginOptions): ResolvedPluginOptions {
  const rateLimit = options.rateLimit === false ? false : { max: 600, timeWindowMs: 60_000, ...options.rateLimit };
  return {
    judge: options.judge,
    apiKeys: (options.apiKeys ?? []).filter((k) => k.length > 0),
    rateLimit,
    maxWaitMs: options.maxWaitMs ?? 60_000,
    bodyLimitBytes: options.bodyLimitBytes ?? 16 * 1024 * 1024,
    retryAfterSeconds: options.retryAfterSeconds ?? 5,
    docs: options.docs ?? true,
    metrics: options.metrics ?? true,
    seedApi: options.seedApi ?? true,
    pistonApi: options.pistonApi ?? true,
    judge0: options.judge0 === false ? null : resolveJudge0Options(options.judge0 === true ? {} : options.judge0),
  };
}
