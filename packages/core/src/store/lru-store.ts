import { LRUCache } from 'lru-cache';
import type { ResultStore, StoredSubmission } from './contract.js';

/** Options for {@link LruResultStore}. */
export interface LruResultStoreOptions {
  /** Most submissions kept; the least recently used goes first. @defaultValue 100000 */
  maxEntries?: number;
  /** How long a submission is kept after its last write, in milliseconds. @defaultValue 3600000 (1 hour) */
  ttlMs?: number;
  /** Most bytes of text (sources, inputs, outputs) kept in all; 0 for no bound. @defaultValue 536870912 (512 MiB) */
  maxTextBytes?: number;
}

function textBytes(value: StoredSubmission): number {
  let n = 256;
  const r = value.result;
  if (r.compile) n += r.compile.stdout.length + r.compile.stderr.length;
  for (const t of r.tests) n += 128 + t.stdout.length + t.stderr.length;
  if (value.input) n += (value.input as { textLength?: number }).textLength ?? 0;
  return n;
}

/**
 * The default store: in memory, least-recently-used eviction, a time to live, and a bound on
 * the text it holds.
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
      ...(maxTextBytes > 0 ? { maxSize: maxTextBytes, sizeCalculation: textBytes } : {}),
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

  /** Entries held now. */
  get size(): number {
    return this.#cache.size;
  }
}
