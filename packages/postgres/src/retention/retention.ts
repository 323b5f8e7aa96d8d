import { JudgeError } from '@judgekit/core';
import type pg from 'pg';

/** Options of {@link RetentionSweeper}. */
export interface RetentionOptions {
  pool: pg.Pool;
  /** Finished submissions older than this many days are deleted (by creation time). */
  retentionDays: number;
  /** How often to sweep, in milliseconds. @defaultValue 3600000 (hourly) */
  intervalMs?: number;
  /** Rows deleted per statement, so a large sweep never holds long locks. @defaultValue 5000 */
  batchSize?: number;
  /** Told after each sweep that deleted something. */
  onSweep?: (event: { deleted: number; deliveries: number; durationMs: number }) => void;
  /** Told when a sweep fails (PostgreSQL down); the next one tries again. */
  onError?: (error: unknown) => void;
}

// Any node may sweep; this session lock makes concurrent sweeps on several nodes take turns.
const sweepLock = 733_100_013;

/**
 * Deletes old history on a schedule: finished submissions (and their webhook deliveries) created
 * more than `retentionDays` ago, in batches. Unfinished ones are never deleted. Without it
 * (the default) history is kept forever.
 *
 * @example
 * ```ts
 * const retention = new RetentionSweeper({ pool, retentionDays: 30 })
 * retention.start()
 * ```
 */
export class RetentionSweeper {
  readonly #pool: pg.Pool;
  readonly #days: number;
  readonly #interval: number;
  readonly #batch: number;
  readonly #onSweep: RetentionOptions['onSweep'];
  readonly #onError: RetentionOptions['onError'];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(options: RetentionOptions) {
    if (!(Number.isFinite(options.retentionDays) && options.retentionDays > 0)) {
      throw new JudgeError(
        'JDG_ERR_CONFIG_INVALID',
        `retentionDays must be a number of days > 0, received ${String(options.retentionDays)}.`,
      );
    }
    this.#pool = options.pool;
    this.#days = options.retentionDays;
    this.#interval = options.intervalMs ?? 3_600_000;
    this.#batch = options.batchSize ?? 5000;
    this.#onSweep = options.onSweep;
    this.#onError = options.onError;
  }

  /** Sweeps soon after start, then every `intervalMs`. */
  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.#running = this.sweep().catch((error: unknown) => this.#onError?.(error));
    };
    this.#timer = setInterval(tick, this.#interval);
    this.#timer.unref();
    setTimeout(tick, 1000).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One sweep now. Resolves with the rows deleted (0 when another node is sweeping). */
  async sweep(now: Date = new Date()): Promise<{ deleted: number; deliveries: number }> {
    const started = performance.now();
    const client = await this.#pool.connect();
    let locked = false;
    let broken: Error | undefined;
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [sweepLock]);
      locked = rows[0]?.locked === true;
      if (!locked) return { deleted: 0, deliveries: 0 };
      const cutoff = new Date(now.getTime() - this.#days * 86_400_000);
      let deleted = 0;
      let deliveries = 0;
      for (;;) {
        const r = await client.query(
          `DELETE FROM judgekit_submissions WHERE id IN (
             SELECT id FROM judgekit_submissions WHERE created_at < $1 AND status IN ('done', 'cancelled') LIMIT $2)`,
          [cutoff, this.#batch],
        );
        deleted += r.rowCount ?? 0;
        if ((r.rowCount ?? 0) < this.#batch) break;
      }
      for (;;) {
        const r = await client.query(
          `DELETE FROM judgekit_webhook_deliveries WHERE id IN (
             SELECT id FROM judgekit_webhook_deliveries WHERE created_at < $1 AND state <> 'pending' LIMIT $2)`,
          [cutoff, this.#batch],
        );
        deliveries += r.rowCount ?? 0;
        if ((r.rowCount ?? 0) < this.#batch) break;
      }
      if (deleted + deliveries > 0) this.#onSweep?.({ deleted, deliveries, durationMs: Math.round(performance.now() - started) });
      return { deleted, deliveries };
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      // A connection that failed is destroyed (which frees the lock); a healthy one unlocks and goes back.
      if (locked && !broken) await client.query('SELECT pg_advisory_unlock($1)', [sweepLock]).catch(() => {});
      client.release(broken);
    }
  }
}
