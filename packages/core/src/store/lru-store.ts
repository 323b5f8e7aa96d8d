import { LRUCache } from 'lru-cache';
import { storedTextBytes } from '../submission/prepare.js';
import type { ListPage, ListQuery, ResultStore, StoredSubmission } from './contract.js';
import { compareNewestFirst, decodeListCursor, encodeListCursor, matchesListQuery } from './list.js';

/** Options for {@link LruResultStore}. */
export interface LruResultStoreOptions {
  /** Most submissions kept; the least recently used goes first. @defaultValue 100000 */
  maxEntries?: number;
  /** How long a submission is kept after its last write, in milliseconds. @defaultValue 3600000 (1 hour) */
  ttlMs?: number;
  /** Most bytes of text (sources, inputs, outputs) kept in all; 0 for no bound. @defaultValue 536870912 (512 MiB) */
  maxTextBytes?: number;
}

/**
 * The default store: in memory, least-recently-used eviction, a time to live, and a bound on
 * the text it holds. It lists too (scanning what it holds), so `judge.list()` works in one process.
 *
 * @example
 * ```ts
 * new Judge({ runner, store: new LruResultStore({ maxEntries: 10_000, ttlMs: 600_000 }) })
 * ```
 */
export class LruResultStore implements ResultStore {
  /** It keeps the objects it is given: progress is visible without a write. */
  readonly holdsReferences = true;
  readonly #cache: LRUCache<string, StoredSubmission>;

  constructor(options: LruResultStoreOptions = {}) {
    const maxTextBytes = options.maxTextBytes ?? 512 * 1024 * 1024;
    this.#cache = new LRUCache<string, StoredSubmission>({
      max: options.maxEntries ?? 100_000,
      ttl: options.ttlMs ?? 3_600_000,
      ttlAutopurge: false,
      ...(maxTextBytes > 0 ? { maxSize: maxTextBytes, sizeCalculation: storedTextBytes } : {}),
    });
  }

  get(id: string): StoredSubmission | undefined {
    return this.#cache.get(id);
  }

  set(id: string, value: StoredSubmission): void {
    this.#cache.set(id, value);
  }

  delete(id: string): boolean {
    return this.#cache.delete(id);
  }

  /** Scans every entry held (at most `maxEntries`), newest first; does not refresh recency. */
  list(query: ListQuery & { limit: number }): ListPage {
    const after = query.cursor === undefined ? null : decodeListCursor(query.cursor);
    const matches: StoredSubmission['result'][] = [];
    for (const stored of this.#cache.values()) {
      if (!matchesListQuery(stored, query)) continue;
      if (after && compareNewestFirst(stored.result, after) <= 0) continue;
      matches.push(stored.result);
    }
    matches.sort(compareNewestFirst);
    const items = matches.slice(0, query.limit);
    const nextCursor = matches.length > query.limit ? encodeListCursor(items[items.length - 1]!) : null;
    return { items, nextCursor };
  }

  /** Entries held now. */
  get size(): number {
    return this.#cache.size;
  }
}
