import type { PreparedSubmission } from '../submission/prepare.js';
import type { SubmissionResult, SubmissionStatus, Verdict } from '../submission/result.js';

/** What the judge stores per submission. Plain JSON. */
export interface StoredSubmission {
  /**
   * The prepared submission until it has run; `null` in the final write of a finished one (an
   * in-memory store then frees it; a durable store may keep the copy it was first given).
   */
  input: PreparedSubmission | null;
  /** The submission's state and outcome. */
  result: SubmissionResult;
  /** The tenant that submitted it, or `null` without tenants. */
  tenant: string | null;
}

/**
 * A query of {@link ResultStore.list}: every field narrows the listing; all given fields must
 * match. Validated by the judge before it reaches a store.
 */
export interface ListQuery {
  /** Only this tenant's submissions (`null`: only those without a tenant); absent: every tenant's. */
  tenant?: string | null;
  /** Only submissions in this state. */
  status?: SubmissionStatus;
  /** Only finished submissions with this verdict. */
  verdict?: Verdict;
  /** Only this language id. */
  language?: string;
  /** Only submissions whose metadata has every one of these key/value pairs. */
  metadata?: Record<string, string>;
  /** Only submissions created at or after this instant (ISO 8601). */
  createdAfter?: string;
  /** Only submissions created before this instant (ISO 8601). */
  createdBefore?: string;
  /** Where the previous page ended: its `nextCursor`. Opaque; only the store that made it reads it. */
  cursor?: string;
  /** Most items on the page. @defaultValue 20 (at most 100) */
  limit?: number;
}

/** One page of a listing, newest first (by `createdAt`, then `id`). */
export interface ListPage {
  /** The submissions on this page. */
  items: SubmissionResult[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null;
}

/**
 * Where submissions live between `submit` and their expiry. Methods may be sync or async, so an
 * in-memory map and a Redis or PostgreSQL client both fit.
 *
 * @example
 * ```ts
 * class MapStore implements ResultStore {
 *   readonly #map = new Map<string, StoredSubmission>()
 *   get(id: string) { return this.#map.get(id) }
 *   set(id: string, value: StoredSubmission) { this.#map.set(id, value) }
 *   delete(id: string) { return this.#map.delete(id) }
 * }
 * ```
 */
export interface ResultStore<V = StoredSubmission> {
  get(id: string): V | undefined | Promise<V | undefined>;
  /**
   * Writes a submission. A store shared by several processes may refuse a write and answer
   * `false`: once a submission's result is final (`done` or `cancelled`) it is never overwritten
   * (a re-run after a stalled worker, a late progress write), and a submission that is gone is not
   * brought back by a progress write. The judge then publishes nothing for the refused write, so
   * a submission never has two different results. `void` or `true`: written.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a store that never refuses keeps its `void` signature.
  set(id: string, value: V): void | boolean | Promise<void | boolean>;
  /** `true` when something was deleted. */
  delete(id: string): boolean | Promise<boolean>;
  /**
   * Lists submissions, newest first, one page at a time. Optional: without it `judge.list()`
   * throws `JDG_ERR_LISTING_UNAVAILABLE`. The judge passes a validated query with `limit` set.
   */
  list?(query: ListQuery & { limit: number }): ListPage | Promise<ListPage>;
  /**
   * True when the store keeps the very object it was given (an in-process map), so changes the
   * judge makes to a running submission's result are visible without writing it again; the judge
   * then skips its progress writes. Leave unset for stores that serialise (Redis, a database).
   */
  readonly holdsReferences?: boolean;
}
