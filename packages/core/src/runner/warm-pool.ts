import { abortError } from '../errors/judge-error.js';

/** Options for {@link WarmPool}. */
export interface WarmPoolOptions<T> {
  /** Items kept ready ahead of demand; 0 turns the pool off (every `take` builds one). */
  size: number;
  /** Builds one item (starts a container, prepares a jail). Aborted when the pool is flushed or closed. */
  build(signal: AbortSignal): Promise<T>;
  /** Destroys one item. Items are never reused: every item taken is destroyed after its one use. */
  destroy(item: T): Promise<void>;
  /**
   * Checks a ready item just before it is handed out (is the container still running?); a
   * `false` or a throw destroys it and the next one is tried. @defaultValue every item is good
   */
  check?(item: T, signal?: AbortSignal): boolean | Promise<boolean>;
  /** Builds at once while refilling. @defaultValue 1 */
  buildConcurrency?: number;
  /**
   * After a failed build, background refills pause for this long, doubling up to 30 s while
   * builds keep failing (an engine that is down is not hammered). @defaultValue 1000
   */
  retryDelayMs?: number;
  /** Told about background failures (a build or a destroy that threw). @defaultValue ignored */
  onError?(error: unknown): void;
}

/** Counters of a {@link WarmPool}. */
export interface WarmPoolStats {
  /** Ready now. */
  ready: number;
  /** Being built now. */
  building: number;
  /** Handed out from the ready items. */
  hits: number;
  /** Handed out by building on the spot (none was ready, none was being built for the pool). */
  misses: number;
  /**
   * Handed out as the first of the builds in progress ended (none was ready when asked; one more
   * build was started for it, and the other went to the ready items).
   */
  waited: number;
  /** Builds that failed. */
  buildFailures: number;
  /** Items destroyed (after use, on flush, on close, or failing their check). */
  destroyed: number;
}

/**
 * One pool for every resource started ahead of demand: containers, pre-started jails. It builds
 * items in the background up to `size`, hands each out once (`take`), destroys every item after
 * its one use (`destroy`; never back into the pool), refills in the background, throws away
 * everything ready on an engine fault (`flush`), and on `close` stops refilling and destroys what
 * is left. Runners keep one pool per kind of item (per image, per language).
 *
 * @example
 * ```ts
 * const pool = new WarmPool({
 *   size: 2,
 *   build: (signal) => engine.startContainer(image, { signal }),
 *   destroy: (id) => engine.removeContainer(id),
 *   check: (id) => engine.isRunning(id),
 * })
 * pool.fill()
 * const id = await pool.take({ signal })   // a ready container, or one started now
 * try { await use(id) } finally { await pool.destroy(id) }
 * await pool.close()
 * ```
 */
export class WarmPool<T> {
  readonly #options: WarmPoolOptions<T>;
  readonly #ready: T[] = [];
  /** Every item built by this pool and not yet destroyed, ready or handed out. */
  readonly #live = new Set<T>();
  readonly #building = new Set<Promise<unknown>>();
  readonly #destroying = new Set<Promise<void>>();
  /** Takers waiting for the builds in progress; each gets the next item built, or null (then builds its own). */
  readonly #waiters: ((item: T | null) => void)[] = [];
  #generation = new AbortController();
  #failures = 0;
  #pausedUntil = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #stats = { hits: 0, misses: 0, waited: 0, buildFailures: 0, destroyed: 0 };

  constructor(options: WarmPoolOptions<T>) {
    if (!Number.isInteger(options.size) || options.size < 0)
      throw new RangeError(`WarmPool size must be a whole number ≥ 0, received ${options.size}`);
    this.#options = options;
  }

  /** Starts building up to `size` in the background (called again by `take` and after a flush). */
  fill(): void {
    if (this.#closed || this.#options.size === 0) return;
    const delay = this.#pausedUntil - Date.now();
    if (delay > 0) {
      this.#retryTimer ??= setTimeout(() => {
        this.#retryTimer = undefined;
        this.fill();
      }, delay).unref();
      return;
    }
    const concurrency = Math.max(1, this.#options.buildConcurrency ?? 1);
    while (this.#ready.length + this.#building.size < this.#options.size && this.#building.size < concurrency) this.#startBuild();
  }

  /**
   * One background build. Its item goes to the oldest waiting taker, else to the ready items.
   * A build that fails or is thrown away answers a waiting taker with null (it then builds its
   * own) only when fewer builds remain in progress than takers wait.
   */
  #startBuild(): void {
    const generation = this.#generation;
    const unserved = (): void => {
      // `built` is still in #building while this runs.
      if (this.#waiters.length > this.#building.size - 1) this.#waiters.pop()?.(null);
    };
    const built = this.#build(generation.signal).then(
      (item) => {
        this.#failures = 0;
        if (generation.signal.aborted || this.#closed) {
          this.#destroyItem(item);
          unserved();
          return;
        }
        const waiter = this.#waiters.shift();
        if (waiter) waiter(item);
        else this.#ready.push(item);
      },
      (error: unknown) => {
        unserved();
        if (generation.signal.aborted) return;
        this.#failures++;
        this.#pausedUntil = Date.now() + Math.min(30_000, (this.#options.retryDelayMs ?? 1000) * 2 ** (this.#failures - 1));
        this.#options.onError?.(error);
      },
    );
    this.#building.add(built);
    void built.finally(() => {
      this.#building.delete(built);
      this.fill();
    });
  }

  /**
   * Hands out one item: a ready one that passes its check. Else, while builds are in progress,
   * it starts one more and takes whichever build ends first (one in progress is usually nearly
   * done; a stuck one cannot hold the caller), the other going to the ready items as any
   * background build's would. Else one built now on the caller's time (a build failure is thrown
   * to the caller). The caller owns it and must give it to {@link WarmPool.destroy} after use.
   * Starts a background refill.
   */
  async take(options: { signal?: AbortSignal } = {}): Promise<T> {
    if (this.#closed) throw new Error('WarmPool is closed');
    const { signal } = options;
    try {
      while (this.#ready.length > 0) {
        const item = this.#ready.shift() as T;
        let good = true;
        try {
          good = (await this.#options.check?.(item, signal)) ?? true;
        } catch {
          good = false;
        }
        if (signal?.aborted) {
          this.#destroyItem(item);
          throw abortError(signal);
        }
        if (good) {
          this.#stats.hits++;
          return item;
        }
        this.#destroyItem(item);
      }
      if (signal?.aborted) throw abortError(signal);
      if (this.#building.size > this.#waiters.length) {
        const next = this.#awaitBuild(signal);
        this.#startBuild();
        const handed = await next;
        if (signal?.aborted) {
          if (handed !== null) this.#destroyItem(handed);
          throw abortError(signal);
        }
        if (handed !== null) {
          this.#stats.waited++;
          return handed;
        }
        if (this.#closed) throw new Error('WarmPool is closed');
      }
      const item = await this.#build(signal ?? new AbortController().signal);
      this.#stats.misses++;
      return item;
    } finally {
      this.fill();
    }
  }

  /** Destroys an item taken from this pool (never put back). Resolves when it is gone. */
  destroy(item: T): Promise<void> {
    return this.#destroyItem(item);
  }

  /**
   * Removes ready items the predicate selects and destroys them (a container the engine says has
   * died); returns how many. The pool refills.
   */
  evict(predicate: (item: T) => boolean): number {
    let n = 0;
    for (let i = this.#ready.length - 1; i >= 0; i--) {
      if (!predicate(this.#ready[i]!)) continue;
      this.#destroyItem(this.#ready.splice(i, 1)[0]!);
      n++;
    }
    if (n > 0) this.fill();
    return n;
  }

  /**
   * Throws away everything ready and aborts builds in progress (after an engine fault, nothing
   * started before it can be trusted). Refilling starts again with {@link WarmPool.fill}, or at
   * the next `take`. Resolves when they are destroyed.
   */
  async flush(): Promise<void> {
    this.#generation.abort();
    this.#generation = new AbortController();
    this.#failures = 0;
    this.#pausedUntil = 0;
    const ready = this.#ready.splice(0);
    await Promise.allSettled(ready.map((item) => this.#destroyItem(item)));
  }

  /** Counters. */
  stats(): WarmPoolStats {
    return { ready: this.#ready.length, building: this.#building.size, ...this.#stats };
  }

  /** Items ready now. */
  get ready(): readonly T[] {
    return this.#ready;
  }

  /**
   * Stops refilling, waits for builds in progress (whose items are destroyed), destroys every
   * ready item, and waits for every destroy in progress. Items handed out stay their owner's to
   * destroy. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      clearTimeout(this.#retryTimer);
      this.#generation.abort();
      while (this.#building.size > 0) await Promise.allSettled([...this.#building]);
      await Promise.allSettled(this.#ready.splice(0).map((item) => this.#destroyItem(item)));
      while (this.#destroying.size > 0) await Promise.allSettled([...this.#destroying]);
    })();
    return this.#closing;
  }

  /** The next item a background build finishes, or null when that build fails or is aborted (or `signal` is). */
  #awaitBuild(signal: AbortSignal | undefined): Promise<T | null> {
    return new Promise<T | null>((resolve) => {
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        resolve(null);
      };
      const waiter = (item: T | null): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(item);
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async #build(signal: AbortSignal): Promise<T> {
    try {
      const item = await this.#options.build(signal);
      this.#live.add(item);
      return item;
    } catch (error) {
      this.#stats.buildFailures++;
      throw error;
    }
  }

  #destroyItem(item: T): Promise<void> {
    if (!this.#live.delete(item)) return Promise.resolve();
    const destroyed = this.#options
      .destroy(item)
      .catch((error: unknown) => this.#options.onError?.(error))
      .finally(() => {
        this.#stats.destroyed++;
        this.#destroying.delete(destroyed);
      });
    this.#destroying.add(destroyed);
    return destroyed;
  }
}
