import { randomUUID } from 'node:crypto';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { WebhookPolicy, type WebhookPolicyOptions } from '../guard/policy.js';
import { type AttemptOutcome, attemptDelivery, type WebhookRequest } from './attempt.js';

/** Options of {@link WebhookDispatcher}. */
export interface WebhookDispatcherOptions extends WebhookPolicyOptions {
  /** The SSRF policy to use instead of building one from `allow`. */
  policy?: WebhookPolicy;
  /** Attempts per delivery, the first included. @defaultValue 5 */
  maxAttempts?: number;
  /** Delay before the second attempt, in milliseconds; it doubles each time (with jitter). @defaultValue 1000 */
  initialDelayMs?: number;
  /** Longest delay between attempts (also caps a receiver's `Retry-After`), in milliseconds. @defaultValue 60000 */
  maxDelayMs?: number;
  /** Longest one attempt may take, in milliseconds. @defaultValue 10000 */
  timeoutMs?: number;
  /** Attempts in flight at once. @defaultValue 8 */
  concurrency?: number;
  /** Most deliveries held (waiting or retrying); beyond it a new one is dropped and counted. @defaultValue 10000 */
  maxPending?: number;
  /** Registers `judgekit_webhook_*` metrics here (prom-client). */
  registry?: Registry;
  /** Told about every attempt (for logs). */
  onAttempt?: (event: WebhookAttemptEvent) => void;
}

/** One attempt, as told to `onAttempt`. */
export interface WebhookAttemptEvent {
  deliveryId: string;
  url: string;
  attempt: number;
  outcome: AttemptOutcome;
  /** `delivered`, `retrying` (another attempt follows), or `failed` (no attempt follows). */
  state: 'delivered' | 'retrying' | 'failed';
  /** When `retrying`: the delay before the next attempt, in milliseconds. */
  nextDelayMs?: number;
}

/** Counters of a dispatcher. */
export interface WebhookStats {
  delivered: number;
  failed: number;
  dropped: number;
  attempts: number;
  pending: number;
}

interface Pending {
  request: WebhookRequest;
  attempt: number;
  timer?: NodeJS.Timeout;
}

/**
 * Delivers webhooks in the background: `enqueue` returns at once, so judging never waits on a
 * receiver. Each delivery is attempted up to `maxAttempts` times with exponential backoff and
 * jitter; every attempt goes through the SSRF policy (DNS resolved once, the connection pinned to
 * the checked address). Held in memory: a restart forgets deliveries not yet made (the PostgreSQL
 * store keeps its own durable outbox and uses {@link attemptDelivery} directly).
 *
 * @example
 * ```ts
 * const webhooks = new WebhookDispatcher({ allow: ['127.0.0.1'], registry })
 * await webhooks.check(input.callbackUrl)      // at submit time: refuses with JDG_ERR_WEBHOOK_URL_REFUSED
 * webhooks.enqueue({ url, body: JSON.stringify(result), secret, deliveryId: result.id })
 * await webhooks.close()
 * ```
 */
export class WebhookDispatcher {
  /** The SSRF policy every attempt goes through. */
  readonly policy: WebhookPolicy;
  readonly #maxAttempts: number;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #concurrency: number;
  readonly #maxPending: number;
  readonly #onAttempt: ((event: WebhookAttemptEvent) => void) | undefined;
  readonly #ready: Pending[] = [];
  readonly #waiting = new Set<Pending>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #shutdown = new AbortController();
  readonly #stats = { delivered: 0, failed: 0, dropped: 0, attempts: 0 };
  readonly #metrics: ReturnType<typeof webhookMetrics> | null;
  #closing: Promise<void> | undefined;

  constructor(options: WebhookDispatcherOptions = {}) {
    this.policy = options.policy ?? new WebhookPolicy(options);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#initialDelayMs = options.initialDelayMs ?? 1000;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#concurrency = Math.max(1, options.concurrency ?? 8);
    this.#maxPending = options.maxPending ?? 10_000;
    this.#onAttempt = options.onAttempt;
    this.#metrics = options.registry ? webhookMetrics(options.registry) : null;
    this.#metrics?.pending.set(0);
  }

  /** Checks a callback URL now (syntax, scheme, DNS, every address); throws `JDG_ERR_WEBHOOK_URL_REFUSED`. */
  async check(url: string): Promise<void> {
    await this.policy.resolve(url);
  }

  /**
   * Queues a delivery and returns at once. `false` when it was dropped: the dispatcher is closing
   * or already holds `maxPending` deliveries (counted in `judgekit_webhook_deliveries_total{outcome="dropped"}`).
   */
  enqueue(request: Omit<WebhookRequest, 'deliveryId'> & { deliveryId?: string }): boolean {
    if (this.#closing || this.pending >= this.#maxPending) {
      this.#stats.dropped++;
      this.#metrics?.deliveries.inc({ outcome: 'dropped' });
      return false;
    }
    this.#ready.push({ request: { ...request, deliveryId: request.deliveryId ?? randomUUID() }, attempt: 0 });
    this.#refresh();
    this.#pump();
    return true;
  }

  /** Deliveries held: waiting for a slot, in flight, or waiting to retry. */
  get pending(): number {
    return this.#ready.length + this.#waiting.size + this.#inFlight.size;
  }

  /** Counters since start. */
  stats(): WebhookStats {
    return { ...this.#stats, pending: this.pending };
  }

  /**
   * Stops taking deliveries, lets attempts in flight and those already due finish (each bounded by
   * `timeoutMs`), and abandons scheduled retries (counted as failed). Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const p of this.#waiting) {
        clearTimeout(p.timer);
        this.#finish('failed');
      }
      this.#waiting.clear();
      while (this.#inFlight.size > 0 || this.#ready.length > 0) {
        this.#pump();
        await Promise.race(this.#inFlight);
      }
      this.#refresh();
    })();
    return this.#closing;
  }

  /** Like {@link close}, but aborts attempts in flight too. */
  async destroy(): Promise<void> {
    this.#ready.length = 0;
    this.#shutdown.abort();
    await this.close();
  }

  #pump(): void {
    while (this.#inFlight.size < this.#concurrency && this.#ready.length > 0) {
      const p = this.#ready.shift()!;
      const run = this.#attempt(p).finally(() => {
        this.#inFlight.delete(run);
        this.#refresh();
        this.#pump();
      });
      this.#inFlight.add(run);
    }
  }

  async #attempt(p: Pending): Promise<void> {
    p.attempt++;
    this.#stats.attempts++;
    const outcome = await attemptDelivery(this.policy, p.request, { timeoutMs: this.#timeoutMs, signal: this.#shutdown.signal });
    this.#metrics?.attempts.inc({ result: outcome.ok ? 'delivered' : outcome.retry ? 'retryable' : 'refused' });
    this.#metrics?.duration.observe(outcome.durationMs / 1000);
    const event = { deliveryId: p.request.deliveryId, url: p.request.url, attempt: p.attempt, outcome };
    if (outcome.ok) {
      this.#finish('delivered');
      this.#onAttempt?.({ ...event, state: 'delivered' });
      return;
    }
    if (!outcome.retry || p.attempt >= this.#maxAttempts || this.#closing) {
      this.#finish('failed');
      this.#onAttempt?.({ ...event, state: 'failed' });
      return;
    }
    const delay = backoffMs(p.attempt, this.#initialDelayMs, this.#maxDelayMs, outcome.retryAfterMs);
    this.#onAttempt?.({ ...event, state: 'retrying', nextDelayMs: delay });
    this.#waiting.add(p);
    p.timer = setTimeout(() => {
      this.#waiting.delete(p);
      this.#ready.push(p);
      this.#pump();
    }, delay);
    p.timer.unref();
  }

  #finish(outcome: 'delivered' | 'failed'): void {
    this.#stats[outcome]++;
    this.#metrics?.deliveries.inc({ outcome });
  }

  #refresh(): void {
    this.#metrics?.pending.set(this.pending);
  }
}

/**
 * Delay before attempt `attempt + 1`: `initial · 2^(attempt-1)`, capped, with equal jitter (half
 * fixed, half random) so that receivers coming back are not hit by every sender at once. A
 * receiver's `Retry-After` is honoured up to the cap.
 */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, retryAfterMs: number | null = null): number {
  const base = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
  const jittered = base / 2 + Math.random() * (base / 2);
  return Math.round(Math.min(maxMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/**
 * The webhook metrics on a registry, created once and shared by every dispatcher and outbox using it:
 * `judgekit_webhook_deliveries_total{outcome}`, `judgekit_webhook_attempts_total{result}`,
 * `judgekit_webhook_pending` and `judgekit_webhook_attempt_duration_seconds`.
 */
export function webhookMetrics(registry: Registry) {
  const get = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? make();
  return {
    deliveries: get(
      'judgekit_webhook_deliveries_total',
      () =>
        new Counter({
          name: 'judgekit_webhook_deliveries_total',
          help: 'Webhook deliveries by final outcome: delivered, failed (attempts exhausted or refused), dropped (queue full or closing).',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
    attempts: get(
      'judgekit_webhook_attempts_total',
      () =>
        new Counter({
          name: 'judgekit_webhook_attempts_total',
          help: 'Webhook delivery attempts by result: delivered, retryable (network, timeout, 408/425/429/5xx), refused (other answers, SSRF policy).',
          labelNames: ['result'],
          registers: [registry],
        }),
    ),
    pending: get(
      'judgekit_webhook_pending',
      () =>
        new Gauge({
          name: 'judgekit_webhook_pending',
          help: 'Webhook deliveries held in memory, waiting, in flight or retrying.',
          registers: [registry],
        }),
    ),
    duration: get(
      'judgekit_webhook_attempt_duration_seconds',
      () =>
        new Histogram({
          name: 'judgekit_webhook_attempt_duration_seconds',
          help: 'Duration of one webhook delivery attempt, resolution included.',
          buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
          registers: [registry],
        }),
    ),
  };
}
