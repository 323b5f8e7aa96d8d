import type { Judge, JudgeEvent } from '@judgekit/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';

const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Prometheus metrics of one judge and the HTTP layer, in a registry of their own (so that
 * two plugin instances, or the host app's own prom-client, never clash).
 */
export class AdapterMetrics {
  readonly registry = new Registry();
  readonly #httpDuration: RequestDurations;
  readonly #judge: Judge;
  readonly #onEvent: (event: JudgeEvent) => void;

  constructor(judge: Judge) {
    this.#judge = judge;
    const registers = [this.registry];
    // prom-client's standard process_* and nodejs_* names, unprefixed, so stock Node.js dashboards work.
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'judgekit_submissions_queued',
      help: 'Submissions waiting to start.',
      registers,
      collect() {
        this.set(judge.stats().queued);
      },
    });
    new Gauge({
      name: 'judgekit_submissions_running',
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
    this.#httpDuration = new RequestDurations();
    this.registry.registerMetric(this.#httpDuration as unknown as Metric);
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
    this.#httpDuration.observe(method, route, statusCode, seconds);
  }

  /** Stops listening to the judge. */
  close(): void {
    this.#judge.off('event', this.#onEvent);
  }
}

function seconds(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from)) / 1000;
}

const requestBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30];

/**
 * `judgekit_http_request_duration_seconds` by method, route and status code. Recorded on every
 * request, so it keeps one series per key in a map (prom-client's Histogram hashes its labels on
 * each observation) and renders the usual cumulative buckets only when scraped.
 */
class RequestDurations {
  readonly name = 'judgekit_http_request_duration_seconds';
  readonly help = 'HTTP request durations, by method, route and status code.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #series = new Map<string, { labels: Record<string, string>; counts: number[]; sum: number; count: number }>();

  observe(method: string, route: string, statusCode: number, seconds: number): void {
    const key = `${method} ${statusCode} ${route}`;
    let series = this.#series.get(key);
    if (!series) {
      series = { labels: { method, route, status_code: String(statusCode) }, counts: requestBuckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    const i = requestBuckets.findIndex((bound) => seconds <= bound);
    if (i >= 0) series.counts[i]!++;
    series.sum += seconds;
    series.count++;
  }

  async get() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      let cumulative = 0;
      requestBuckets.forEach((bound, i) => {
        cumulative += counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.#series.clear();
  }
}
