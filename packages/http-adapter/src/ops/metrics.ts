import type { Judge, JudgeEvent } from '@judgekit/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Prometheus metrics of one judge and the HTTP layer, in a registry of their own (so that
 * two plugin instances, or the host app's own prom-client, never clash).
 */
export class AdapterMetrics {
  readonly registry = new Registry();
  readonly #httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly #judge: Judge;
  readonly #onEvent: (event: JudgeEvent) => void;

  constructor(judge: Judge) {
    this.#judge = judge;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'judgekit_process_' });
    new Gauge({
      name: 'judgekit_queue_depth',
      help: 'Submissions waiting to start.',
      registers,
      collect() {
        this.set(judge.stats().queued);
      },
    });
    new Gauge({
      name: 'judgekit_running',
      help: 'Submissions being judged now.',
      registers,
      collect() {
        this.set(judge.stats().running);
      },
    });
    // Counters mirror the judge's own lifetime totals, so they stay right however often they are scraped.
    new Counter({
      name: 'judgekit_submissions_finished_total',
      help: 'Finished submissions, by verdict.',
      labelNames: ['verdict'],
      registers,
      collect() {
        this.reset();
        for (const [verdict, n] of Object.entries(judge.stats().finished)) this.inc({ verdict }, n);
      },
    });
    new Counter({
      name: 'judgekit_submissions_cancelled_total',
      help: 'Submissions cancelled before finishing.',
      registers,
      collect() {
        this.reset();
        this.inc(judge.stats().cancelled);
      },
    });
    new Counter({
      name: 'judgekit_sandbox_failures_total',
      help: 'Submissions that ended as internal_error because the sandbox or its machinery failed.',
      registers,
      collect() {
        this.reset();
        this.inc(judge.stats().sandboxFailures);
      },
    });
    const judging = new Histogram({
      name: 'judgekit_submission_duration_seconds',
      help: 'Time from start to finish of a submission (compile and every test), by verdict.',
      labelNames: ['verdict'],
      buckets: durationBuckets,
      registers,
    });
    const waiting = new Histogram({
      name: 'judgekit_queue_wait_seconds',
      help: 'Time a submission waited in the queue before it started.',
      buckets: durationBuckets,
      registers,
    });
    this.#httpDuration = new Histogram({
      name: 'judgekit_http_request_duration_seconds',
      help: 'HTTP request durations, by method, route and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers,
    });
    this.#onEvent = (event) => {
      if (event.type === 'running' && event.result.startedAt) {
        waiting.observe(seconds(event.result.createdAt, event.result.startedAt));
      } else if (event.type === 'done' && event.result.startedAt && event.result.finishedAt) {
        judging.observe({ verdict: event.result.verdict ?? 'internal_error' }, seconds(event.result.startedAt, event.result.finishedAt));
      }
    };
    judge.on('event', this.#onEvent);
  }

  /** Records one HTTP request. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.#httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** Stops listening to the judge. */
  close(): void {
    this.#judge.off('event', this.#onEvent);
  }
}

function seconds(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from)) / 1000;
}
