import type { ResultStore, StoredSubmission } from '@judgekit/core';
import type { Redis, Result } from 'ioredis';
import { guarded } from '../connection/connection.js';

/** Options of {@link RedisResultStore}. */
export interface RedisResultStoreOptions {
  /** The connection for reads and new submissions (fail-fast on an API node; see `connectRedis`). Never closed by the store. */
  client: Redis;
  /**
   * The connection for a worker's writes (running, progress, final): a patient one, so a result
   * judged while Redis restarts is written once it is back. @defaultValue `client`
   */
  workerClient?: Redis;
  /** Prefix of every key. @defaultValue 'judgekit' */
  prefix?: string;
  /** How long a finished submission is kept after it finished, in milliseconds. @defaultValue 3600000 (1 hour) */
  ttlMs?: number;
  /**
   * How long an unfinished submission is kept after its last write, in milliseconds: longer than
   * any submission waits in the queue. @defaultValue 86400000 (24 hours)
   */
  pendingTtlMs?: number;
}

// KEYS[1]: the submission's hash (fields v: the JSON, s: its status).
// ARGV: json, status, ttl of a final state (ms), ttl of an unfinished one (ms).
// A final state is never overwritten, and a gone submission is not brought back by a progress write.
const writeScript = `
local current = redis.call('HGET', KEYS[1], 's')
local final = ARGV[2] == 'done' or ARGV[2] == 'cancelled'
if current == 'done' or current == 'cancelled' then return 0 end
if not current and not final and ARGV[2] ~= 'queued' then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 's', ARGV[2])
if final then redis.call('PEXPIRE', KEYS[1], ARGV[3]) else redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    judgekitWrite(key: string, json: string, status: string, ttlMs: number, pendingTtlMs: number): Result<number, Context>;
  }
}

/**
 * Submissions in Redis, shared by every API node and worker: one hash per submission with a time
 * to live (`ttlMs` once finished, as the seed's cache had; `pendingTtlMs` before). The input is
 * dropped by the final write, so a finished submission keeps only its result.
 *
 * Final results are immutable: a write is one Lua script that refuses to overwrite a `done` or
 * `cancelled` state (answering `false`), so a job re-run after a stalled worker, or a late write
 * of the worker that stalled, never replaces a result that was already reported.
 *
 * Reads and writes of an unreachable Redis throw `JDG_ERR_BACKEND_UNAVAILABLE` (503 over HTTP)
 * with a fail-fast connection; a patient one waits until Redis is back.
 *
 * @example
 * ```ts
 * const store = new RedisResultStore({ client: await connectRedis(url), ttlMs: 600_000 })
 * ```
 */
export class RedisResultStore implements ResultStore {
  /** It serialises: the judge writes progress through `set`. */
  readonly holdsReferences = false;
  readonly #client: Redis;
  readonly #workerClient: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #pendingTtlMs: number;

  constructor(options: RedisResultStoreOptions) {
    this.#client = options.client;
    this.#workerClient = options.workerClient ?? options.client;
    this.#prefix = `${options.prefix ?? 'judgekit'}:submission:`;
    this.#ttlMs = options.ttlMs ?? 3_600_000;
    this.#pendingTtlMs = options.pendingTtlMs ?? 86_400_000;
    for (const client of [this.#client, this.#workerClient]) {
      if (!client.judgekitWrite) client.defineCommand('judgekitWrite', { numberOfKeys: 1, lua: writeScript });
    }
  }

  async get(id: string): Promise<StoredSubmission | undefined> {
    const json = await guarded('read a submission', () => this.#client.hget(this.#key(id), 'v'));
    return json === null ? undefined : (JSON.parse(json) as StoredSubmission);
  }

  /** `false` when refused: the stored result is final already, or the submission is gone. */
  async set(id: string, value: StoredSubmission): Promise<boolean> {
    const json = JSON.stringify(value);
    const client = value.result.status === 'queued' ? this.#client : this.#workerClient;
    const written = await guarded('write a submission', () =>
      client.judgekitWrite(this.#key(id), json, value.result.status, this.#ttlMs, this.#pendingTtlMs),
    );
    return written === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await guarded('delete a submission', () => this.#client.del(this.#key(id)))) > 0;
  }

  /** Milliseconds a submission has left before it expires; `null` when it is not stored. */
  async ttlOf(id: string): Promise<number | null> {
    const ms = await guarded('read a time to live', () => this.#client.pttl(this.#key(id)));
    return ms < 0 ? null : ms;
  }

  #key(id: string): string {
    return this.#prefix + id;
  }
}
