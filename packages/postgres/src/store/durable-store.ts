import { JudgeError, type ListPage, type ListQuery, LruResultStore, type ResultStore } from '@judgekit/core';
import { Counter, Gauge, type Registry } from 'prom-client';
import { isConnectionError } from '../pool/pool.js';
import type { PostgresStore, UnfinishedCounts } from './postgres-store.js';
import { isFinal, type TenantStoredSubmission } from './rows.js';

/** Options of {@link DurableResultStore}. */
export interface DurableResultStoreOptions {
  /** The durable store. */
  database: PostgresStore;
  /** The hot cache in front of it (an LRU, or the Redis store). @defaultValue a new `LruResultStore()` */
  cache?: ResultStore;
  /**
   * Most submissions whose state may wait in memory for PostgreSQL while it is down. When it is
   * reached, new submissions are refused (`JDG_ERR_DATABASE_UNAVAILABLE`) while those already
   * accepted keep being judged and kept. @defaultValue 10000
   */
  maxPendingWrites?: number;
  /** First delay between attempts to reach PostgreSQL again, in milliseconds; it doubles up to 5 s. @defaultValue 500 */
  retryIntervalMs?: number;
  /** Most rows written by one statement when catching up. @defaultValue 500 */
  flushBatchSize?: number;
  /** Registers `judgekit_history_*` metrics here (prom-client). */
  registry?: Registry;
  /** Told when PostgreSQL goes away and comes back. */
  onAvailability?: (event: { up: boolean; pending: number; error?: unknown }) => void;
}

/** The state of the durable store, for `/readyz`. */
export interface DurableStoreHealth {
  /** PostgreSQL answers and nothing waits to be written. */
  ok: boolean;
  /** Judging goes on, but results wait in memory until PostgreSQL is back. */
  degraded: boolean;
  /** Submissions whose latest state is not yet in PostgreSQL. */
  pendingWrites: number;
  problems: { message: string; fix?: string }[];
}

interface Pending {
  value: TenantStoredSubmission;
  /** Queued and finished states must reach PostgreSQL; progress in between may be coalesced. */
  required: boolean;
}

const maxRetryIntervalMs = 5000;
const progressFlushMs = 100;

/**
 * PostgreSQL behind a hot cache: what a client reads comes from the cache, then from PostgreSQL
 * once the cache has let it go.
 *
 * - **Durable before done**: a new submission and a finished one are written to PostgreSQL
 *   before `set` resolves (so before the judge tells anyone), then to the cache. Progress in
 *   between goes to the cache at once and to PostgreSQL in coalesced batches.
 * - **PostgreSQL down**: judging goes on. States that could not be written wait in a bounded
 *   in-memory retry queue (the latest state per submission), are served from there and the
 *   cache, and are written in batches once PostgreSQL answers again. While it is down, `health()`
 *   is degraded and `judgekit_history_pending_writes` counts them; past `maxPendingWrites`, new
 *   submissions are refused. A crash while PostgreSQL is down loses only what waited in memory;
 *   those submissions are still `queued`/`running` in PostgreSQL and are recovered on restart.
 * - **Idempotent**: writes are upserts by id and a finished row is never written again.
 *
 * @example
 * ```ts
 * const store = new DurableResultStore({ database: new PostgresStore({ pool }), registry })
 * const judge = new Judge({ runner, store })
 * ```
 */
export class DurableResultStore implements ResultStore {
  /** It serialises (PostgreSQL): the judge writes progress through `set`. */
  readonly holdsReferences = false;
  readonly database: PostgresStore;
  readonly cache: ResultStore;
  readonly #pending = new Map<string, Pending>();
  readonly #writer: WriteBatcher;
  readonly #max: number;
  readonly #retryMs: number;
  readonly #batch: number;
  readonly #onAvailability: DurableResultStoreOptions['onAvailability'];
  readonly #metrics: ReturnType<typeof historyMetrics> | null;
  #down = false;
  #lastError: unknown;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #delay: number;
  #closed = false;
  #probing = false;
  #probedAt = 0;

  constructor(options: DurableResultStoreOptions) {
    this.database = options.database;
    this.cache = options.cache ?? new LruResultStore();
    this.#max = options.maxPendingWrites ?? 10_000;
    this.#retryMs = options.retryIntervalMs ?? 500;
    this.#delay = this.#retryMs;
    this.#batch = options.flushBatchSize ?? 500;
    this.#onAvailability = options.onAvailability;
    this.#metrics = options.registry ? historyMetrics(options.registry) : null;
    this.#writer = new WriteBatcher(this.database, this.#batch);
    this.#metrics?.up.set(1);
    this.#metrics?.pending.set(0);
  }

  async get(id: string): Promise<TenantStoredSubmission | undefined> {
    const hot = (await this.cache.get(id)) as TenantStoredSubmission | undefined;
    if (hot) return hot;
    const waiting = this.#pending.get(id);
    if (waiting) return waiting.value;
    let row: TenantStoredSubmission | undefined;
    try {
      row = await this.database.get(id);
    } catch (cause) {
      if (isConnectionError(cause)) this.#markDown(cause);
      throw cause;
    }
    // A finished result read back from PostgreSQL is warm again for the next reads.
    if (row && isFinal(row.result.status)) await this.cache.set(id, row);
    return row;
  }

  /** `false` when the cache refused the write (a shared cache keeps the first final result; see `ResultStore.set`). */
  async set(id: string, value: TenantStoredSubmission): Promise<boolean> {
    if (this.#closed) throw new JudgeError('JDG_ERR_STORE_FAILED', 'The durable store is closed.');
    const required = value.result.status === 'queued' || isFinal(value.result.status);
    if (!required) {
      if ((await this.cache.set(id, value)) === false) return false;
      this.#hold(id, value, false);
      this.#schedule(progressFlushMs);
      return true;
    }
    if (!this.#down) {
      try {
        await this.#writer.write(id, value);
        this.#metrics?.writes.inc({ outcome: 'written' });
        // Anything older for this id that still waited is superseded.
        if (!this.#pending.get(id)?.required || isFinal(value.result.status)) this.#pending.delete(id);
        this.#gauge();
        return (await this.cache.set(id, value)) !== false;
      } catch (cause) {
        if (!isConnectionError(cause)) throw cause;
        this.#markDown(cause);
      }
    }
    if (!this.#pending.has(id) && value.result.status === 'queued' && this.#pending.size >= this.#max) {
      this.#metrics?.writes.inc({ outcome: 'refused' });
      throw new JudgeError(
        'JDG_ERR_DATABASE_UNAVAILABLE',
        `PostgreSQL is unreachable and ${this.#pending.size} submissions already wait to be written; retry later.`,
        { details: { pendingWrites: this.#pending.size }, cause: this.#lastError },
      );
    }
    this.#hold(id, value, true);
    this.#metrics?.writes.inc({ outcome: 'queued' });
    return (await this.cache.set(id, value)) !== false;
  }

  async delete(id: string): Promise<boolean> {
    const cached = await this.cache.delete(id);
    const waited = this.#pending.delete(id);
    this.#gauge();
    let stored: boolean;
    try {
      stored = await this.database.delete(id);
    } catch (cause) {
      if (isConnectionError(cause)) this.#markDown(cause);
      throw cause;
    }
    return cached || waited || stored;
  }

  /** A page of the durable history (what waits to be written is not in it yet). */
  list(query: ListQuery): Promise<ListPage> {
    return this.database.list(query);
  }

  /** A tenant's queued and running submissions, from PostgreSQL (cluster-wide). */
  unfinishedCounts(tenant: string | null): Promise<UnfinishedCounts> {
    return this.database.unfinishedCounts(tenant);
  }

  /** Submissions whose latest state is not yet in PostgreSQL. */
  get pendingWrites(): number {
    return this.#pending.size;
  }

  /**
   * Whether PostgreSQL is answering, and what waits. Also checks PostgreSQL in the background (at
   * most every 2 s), so an idle server notices an outage before its next write does.
   */
  health(): DurableStoreHealth {
    this.#probe();
    const required = [...this.#pending.values()].filter((p) => p.required).length;
    const degraded = this.#down || required > 0;
    const problems = degraded
      ? [
          {
            message: `PostgreSQL is unreachable${this.#lastError ? ` (${(this.#lastError as Error).message})` : ''}; ${this.#pending.size} submission state(s) wait in memory and are written when it is back`,
            fix: 'start PostgreSQL (scripts/setup/postgres.sh --start for the project’s own cluster) or check --database-url',
          },
        ]
      : [];
    return { ok: !degraded, degraded, pendingWrites: this.#pending.size, problems };
  }

  /** Writes what waits, now (resolves when the queue is empty or PostgreSQL fails again). */
  async flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
    if (this.#pending.size > 0 && !this.#down) await this.flush();
  }

  /**
   * Stops the retry timer after one last attempt to write what waits, bounded by `timeoutMs`.
   * Resolves with how many states could not be written. Idempotent; the pool stays open (its owner ends it).
   */
  async close(timeoutMs = 5000): Promise<number> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size > 0) {
      this.#down = false;
      await Promise.race([this.flush().catch(() => {}), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    }
    return this.#pending.size;
  }

  #probe(): void {
    const now = Date.now();
    if (this.#closed || this.#probing || now - this.#probedAt < 2000) return;
    this.#probedAt = now;
    this.#probing = true;
    this.database
      .ping()
      .then(
        () => {
          if (this.#pending.size === 0) this.#markUp();
          else void this.flush().catch(() => {});
        },
        (error: unknown) => {
          if (isConnectionError(error)) this.#markDown(error);
        },
      )
      .finally(() => {
        this.#probing = false;
      });
  }

  #hold(id: string, value: TenantStoredSubmission, required: boolean): void {
    const previous = this.#pending.get(id);
    this.#pending.set(id, { value, required: required || (previous?.required ?? false) });
    this.#gauge();
  }

  #schedule(delayMs: number): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush().catch(() => {});
    }, delayMs);
    this.#timer.unref();
  }

  async #drain(): Promise<void> {
    while (this.#pending.size > 0) {
      const batch = [...this.#pending.entries()].slice(0, this.#batch);
      try {
        await this.database.setMany(batch.map(([id, p]) => [id, p.value] as const));
      } catch (cause) {
        if (isConnectionError(cause)) {
          this.#markDown(cause);
          this.#delay = Math.min(maxRetryIntervalMs, this.#delay * 2);
          this.#schedule(this.#delay);
          return;
        }
        throw cause;
      }
      // A newer state that arrived during the write stays to be written next.
      for (const [id, p] of batch) if (this.#pending.get(id) === p) this.#pending.delete(id);
      this.#metrics?.writes.inc({ outcome: 'caught_up' }, batch.length);
      this.#gauge();
      this.#markUp();
    }
  }

  #markDown(error: unknown): void {
    this.#lastError = error;
    if (!this.#down) {
      this.#down = true;
      this.#delay = this.#retryMs;
      this.#metrics?.up.set(0);
      this.#onAvailability?.({ up: false, pending: this.#pending.size, error });
    }
    this.#schedule(this.#delay);
  }

  #markUp(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#lastError = undefined;
    this.#delay = this.#retryMs;
    this.#metrics?.up.set(1);
    this.#onAvailability?.({ up: true, pending: this.#pending.size });
  }

  #gauge(): void {
    this.#metrics?.pending.set(this.#pending.size);
  }
}

/**
 * Writes that must reach PostgreSQL before they are reported, batched naturally: a write goes out
 * at once when fewer than two statements are in flight, and writes arriving meanwhile go together
 * in the next statement. Under load one commit (one WAL flush) then covers many results, at no
 * added latency when idle.
 */
interface BatchedWrite {
  id: string;
  value: TenantStoredSubmission;
  resolve: () => void;
  reject: (e: unknown) => void;
}

class WriteBatcher {
  readonly #database: PostgresStore;
  readonly #max: number;
  readonly #queue: BatchedWrite[] = [];
  #inFlight = 0;

  constructor(database: PostgresStore, max: number) {
    this.#database = database;
    this.#max = max;
  }

  write(id: string, value: TenantStoredSubmission): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id, value, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    while (this.#inFlight < 2 && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#max);
      this.#inFlight++;
      this.#send(batch).finally(() => {
        this.#inFlight--;
        this.#next();
      });
    }
  }

  async #send(batch: BatchedWrite[]): Promise<void> {
    try {
      await this.#database.setMany(batch.map((b) => [b.id, b.value] as const));
      for (const b of batch) b.resolve();
    } catch (error) {
      if (batch.length === 1 || isConnectionError(error)) {
        for (const b of batch) b.reject(error);
        return;
      }
      // One bad row must not fail the others: each is tried on its own.
      for (const b of batch) await this.#database.setMany([[b.id, b.value]]).then(b.resolve, b.reject);
    }
  }
}

/** @internal The durable store's metrics, shared by every store on one registry. */
export function historyMetrics(registry: Registry) {
  const get = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? make();
  return {
    pending: get(
      'judgekit_history_pending_writes',
      () =>
        new Gauge({
          name: 'judgekit_history_pending_writes',
          help: 'Submissions whose latest state waits in memory to be written to PostgreSQL (the retry queue).',
          registers: [registry],
        }),
    ),
    writes: get(
      'judgekit_history_writes_total',
      () =>
        new Counter({
          name: 'judgekit_history_writes_total',
          help: 'Durable writes by outcome: written at once, queued (PostgreSQL down), caught_up (written from the retry queue), refused (queue full).',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
    up: get(
      'judgekit_history_database_up',
      () =>
        new Gauge({
          name: 'judgekit_history_database_up',
          help: '1 while PostgreSQL answers the durable store, 0 while it is unreachable.',
          registers: [registry],
        }),
    ),
  };
}
