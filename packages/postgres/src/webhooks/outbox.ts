import {
  attemptDelivery,
  backoffMs,
  type WebhookAttemptEvent,
  type WebhookEvent,
  type WebhookFormat,
  type WebhookPolicy,
  webhookMetrics,
} from '@judgekit/webhooks';
import type pg from 'pg';
import type { Registry } from 'prom-client';

/** Options of {@link WebhookOutbox}. */
export interface WebhookOutboxOptions {
  pool: pg.Pool;
  /** The SSRF policy every attempt goes through. */
  policy: WebhookPolicy;
  /** Attempts per delivery, the first included. @defaultValue 5 */
  maxAttempts?: number;
  /** Delay before the second attempt, in milliseconds; doubling, with jitter. @defaultValue 1000 */
  initialDelayMs?: number;
  /** Longest delay between attempts, in milliseconds. @defaultValue 60000 */
  maxDelayMs?: number;
  /** Longest one attempt may take, in milliseconds. @defaultValue 10000 */
  timeoutMs?: number;
  /** How often the outbox looks for due deliveries, in milliseconds. @defaultValue 500 */
  pollIntervalMs?: number;
  /** Deliveries claimed (and attempted at once) per look. @defaultValue 8 */
  batchSize?: number;
  /**
   * The signing secret of a tenant that is not in the database (keys from a config file). The
   * secret of a tenant in `judgekit_tenants` is used first.
   */
  secretFor?: (tenant: string | null) => string | null | undefined;
  /**
   * Shapes a delivery for receivers that expect another API's callback (the row keeps judgekit's
   * body; the shape is made at each attempt). Judgekit's own `POST` by default.
   */
  format?: WebhookFormat;
  /** Registers `judgekit_webhook_*` metrics (prom-client). */
  registry?: Registry;
  onAttempt?: (event: WebhookAttemptEvent) => void;
}

interface Claimed {
  id: string;
  submission_id: string;
  tenant: string;
  url: string;
  body: string;
  attempts: number;
  secret: string | null;
}

/**
 * The durable side of webhooks: deliveries sit in `judgekit_webhook_deliveries`, added in the
 * same statement as the result they announce, and any node with the store delivers them.
 * A node claims due rows with `FOR UPDATE SKIP LOCKED` and a lease, so two nodes never send
 * the same attempt, and a node that dies mid-attempt only delays it until its lease runs out.
 * Deliveries survive restarts; attempts are bounded and spaced by exponential backoff.
 */
export class WebhookOutbox {
  readonly #pool: pg.Pool;
  readonly #policy: WebhookPolicy;
  readonly #maxAttempts: number;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #batch: number;
  readonly #secretFor: WebhookOutboxOptions['secretFor'];
  readonly #onAttempt: WebhookOutboxOptions['onAttempt'];
  readonly #format: WebhookFormat | undefined;
  readonly #metrics: ReturnType<typeof webhookMetrics> | null;
  readonly #shutdown = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(options: WebhookOutboxOptions) {
    this.#pool = options.pool;
    this.#policy = options.policy;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#initialDelayMs = options.initialDelayMs ?? 1000;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#pollMs = options.pollIntervalMs ?? 500;
    this.#batch = options.batchSize ?? 8;
    this.#secretFor = options.secretFor;
    this.#onAttempt = options.onAttempt;
    this.#format = options.format;
    this.#metrics = options.registry ? webhookMetrics(options.registry) : null;
  }

  /** Starts looking for due deliveries every `pollIntervalMs`. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.kick();
  }

  /** Looks now (a local write just added a delivery). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#tick().finally(() => {
      this.#running = undefined;
      if (this.#stopped) return;
      if (this.#again) {
        this.#again = false;
        this.kick();
      } else {
        this.#timer = setTimeout(() => this.kick(), this.#pollMs);
        this.#timer.unref();
      }
    });
  }

  /** Stops polling; attempts in flight finish (bounded by `timeoutMs`) or, with `abort`, are aborted. Idempotent. */
  async stop(options: { abort?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (options.abort) this.#shutdown.abort();
    await this.#running;
  }

  /** Runs one round: claims due deliveries and attempts them. Resolves with how many were attempted. */
  async deliverDue(): Promise<number> {
    let claimed: Claimed[];
    try {
      claimed = await this.#claim();
    } catch {
      // PostgreSQL unreachable: the rows are safe there; the next round tries again.
      return 0;
    }
    await Promise.all(claimed.map((row) => this.#deliver(row)));
    return claimed.length;
  }

  async #tick(): Promise<void> {
    while (!this.#stopped && (await this.deliverDue()) === this.#batch) {
      // A full batch: more may be due at once.
    }
  }

  async #claim(): Promise<Claimed[]> {
    const lease = Math.ceil((this.#timeoutMs + 30_000) / 1000);
    const { rows } = await this.#pool.query<Claimed>({
      name: 'jk_outbox_claim',
      text: `UPDATE judgekit_webhook_deliveries d
             SET attempts = d.attempts + 1, locked_until = now() + make_interval(secs => $2)
             WHERE d.id IN (SELECT id FROM judgekit_webhook_deliveries
                            WHERE state = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
                            ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
             RETURNING d.id, d.submission_id, d.tenant, d.url, d.body, d.attempts,
                       (SELECT t.webhook_secret FROM judgekit_tenants t WHERE t.id = d.tenant) AS secret`,
      values: [this.#batch, lease],
    });
    return rows;
  }

  async #deliver(row: Claimed): Promise<void> {
    const tenant = row.tenant === '' ? null : row.tenant;
    const secret = row.secret ?? this.#secretFor?.(tenant) ?? null;
    const parsed = JSON.parse(row.body) as WebhookEvent;
    const event = parsed.type === 'submission.cancelled' ? 'submission.cancelled' : 'submission.done';
    const shaped = this.#format?.(parsed) ?? null;
    const shape = shaped
      ? { method: shaped.method ?? 'POST', body: shaped.body, contentType: shaped.contentType ?? 'application/json' }
      : { body: row.body };
    const outcome = await attemptDelivery(
      this.#policy,
      { url: row.url, ...shape, secret, deliveryId: row.id, event },
      { timeoutMs: this.#timeoutMs, signal: this.#shutdown.signal },
    );
    this.#metrics?.attempts.inc({ result: outcome.ok ? 'delivered' : outcome.retry ? 'retryable' : 'refused' });
    this.#metrics?.duration.observe(outcome.durationMs / 1000);
    const base = { deliveryId: row.id, url: row.url, attempt: row.attempts, outcome };
    try {
      if (outcome.ok) {
        await this.#finish(row.id, 'delivered', null, outcome.status);
        this.#metrics?.deliveries.inc({ outcome: 'delivered' });
        this.#onAttempt?.({ ...base, state: 'delivered' });
      } else if (!outcome.retry || row.attempts >= this.#maxAttempts) {
        await this.#finish(row.id, 'failed', outcome.error, outcome.status);
        this.#metrics?.deliveries.inc({ outcome: 'failed' });
        this.#onAttempt?.({ ...base, state: 'failed' });
      } else {
        const delay = backoffMs(row.attempts, this.#initialDelayMs, this.#maxDelayMs, outcome.retryAfterMs);
        await this.#pool.query(
          `UPDATE judgekit_webhook_deliveries SET next_attempt_at = now() + make_interval(secs => $2), locked_until = NULL,
                  last_error = $3, last_status = $4 WHERE id = $1`,
          [row.id, delay / 1000, outcome.error, outcome.status],
        );
        this.#onAttempt?.({ ...base, state: 'retrying', nextDelayMs: delay });
      }
    } catch {
      // The row keeps its lease; once it runs out, the attempt is made again (at least once).
    }
  }

  async #finish(id: string, state: 'delivered' | 'failed', error: string | null, status: number | null): Promise<void> {
    await this.#pool.query(
      `UPDATE judgekit_webhook_deliveries SET state = $2, finished_at = now(), locked_until = NULL, last_error = $3, last_status = $4 WHERE id = $1`,
      [id, state, error, status],
    );
  }
}
