import { JudgeError } from '@judgekit/core';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * How a connection behaves while Redis is unreachable.
 * - `fail-fast`: commands fail at once with `JDG_ERR_BACKEND_UNAVAILABLE` (an API node answers
 *   503 with `Retry-After` instead of holding the request).
 * - `patient`: commands wait, queued in the client, until Redis is back (a worker's writes of a
 *   result it has judged; BullMQ's worker connections).
 */
export type ConnectionMode = 'fail-fast' | 'patient';

/** Options of {@link connectRedis}. */
export interface ConnectRedisOptions {
  /** @defaultValue 'fail-fast' */
  mode?: ConnectionMode;
  /** A name shown by `CLIENT LIST` (e.g. `judgekit:api`). */
  name?: string;
  /** Most milliseconds to wait for the first connection. @defaultValue 10000 */
  connectTimeoutMs?: number;
  /** More ioredis options (TLS settings among them), applied last. */
  redis?: RedisOptions;
}

/** Delay before each reconnection attempt: 100 ms more each time, at most 1 s. */
const retryStrategy = (times: number) => Math.min(times * 100, 1000);

/**
 * Opens an ioredis connection from a URL and waits until it answers: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`,
 * or `rediss://…` for TLS. It reconnects by itself whenever the connection breaks. A URL that
 * cannot be reached within `connectTimeoutMs` throws `JDG_ERR_BACKEND_UNAVAILABLE` (the
 * password is never in the message).
 *
 * @example
 * ```ts
 * const redis = await connectRedis('redis://judgekit:s3cret@10.0.0.5:6379/0', { mode: 'patient' })
 * ```
 */
export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<Redis> {
  checkRedisUrl(url);
  const patient = (options.mode ?? 'fail-fast') === 'patient';
  const client = new Redis(url, {
    lazyConnect: true,
    connectionName: options.name,
    retryStrategy,
    // Commands issued in the same tick go out as one pipeline: the hot path of a busy node.
    enableAutoPipelining: true,
    enableOfflineQueue: patient,
    // BullMQ's workers need `null` (wait for ever); a fail-fast client gives up after one retry.
    maxRetriesPerRequest: patient ? null : 1,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...options.redis,
  });
  // Errors surface through the commands that fail; without a listener ioredis would print each reconnection attempt.
  client.on('error', () => {});
  try {
    await withTimeout(client.connect(), options.connectTimeoutMs ?? 10_000);
  } catch (cause) {
    client.disconnect();
    throw new JudgeError('JDG_ERR_BACKEND_UNAVAILABLE', `Redis at ${redactRedisUrl(url)} cannot be reached: ${(cause as Error).message}`, {
      cause,
    });
  }
  return client;
}

/** `JDG_ERR_CONFIG_INVALID` unless `url` is a `redis://` or `rediss://` URL. */
export function checkRedisUrl(url: string): void {
  if (typeof url !== 'string' || !/^rediss?:\/\/[^\s]+$/.test(url)) {
    throw new JudgeError(
      'JDG_ERR_CONFIG_INVALID',
      `A Redis URL must look like redis://[USER:PASSWORD@]HOST[:PORT][/DB] or rediss://… (TLS), received ${JSON.stringify(redactRedisUrl(String(url)))}.`,
    );
  }
}

/** The URL with its password replaced by `***`, for logs and messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@]*@/, '$1***@');
}

const connectionFailure =
  /Stream isn't writeable|Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|max retries per request|MaxRetriesPerRequest|^LOADING|^MASTERDOWN|^READONLY|connect ETIMEDOUT|Command timed out/i;

/** True when `error` says Redis could not be reached (not that a command was wrong). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && /^E(CONNREFUSED|CONNRESET|TIMEDOUT|PIPE|HOSTUNREACH|NOTFOUND)$/.test(code)) return true;
  return connectionFailure.test(error.message);
}

/**
 * Runs a Redis operation: a connection failure becomes `JDG_ERR_BACKEND_UNAVAILABLE` (503, retry
 * later), anything else is thrown as it is.
 */
export async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (isConnectionError(cause)) {
      throw new JudgeError('JDG_ERR_BACKEND_UNAVAILABLE', `Redis cannot be reached (${what}); retry later.`, { cause });
    }
    throw cause;
  }
}

/** Closes a connection politely (QUIT), or drops it when Redis does not answer. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    await withTimeout(client.quit(), 1000);
  } catch {
    client.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
