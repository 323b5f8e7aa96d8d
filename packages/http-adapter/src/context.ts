import { AsyncLocalStorage } from 'node:async_hooks';
import type { Judge, LanguageDefinition, SubmissionInput, SubmissionResult } from '@judgekit/core';
import type { AdapterMetrics } from './ops/metrics.js';
import type { ResolvedPluginOptions } from './options.js';

/** @internal State shared by the APIs of one plugin instance. */
export class AdapterContext {
  readonly judge: Judge;
  readonly options: ResolvedPluginOptions;
  /** Prometheus metrics, when turned on. */
  readonly metrics: AdapterMetrics | null;
  /** Request id that created each unfinished submission, for lifecycle log lines. */
  readonly origins = new Map<string, string>();
  /** Aborted on shutdown so that event streams end. */
  readonly shutdown = new AbortController();
  readonly #requests = new AsyncLocalStorage<string>();

  constructor(options: ResolvedPluginOptions, metrics: AdapterMetrics | null) {
    this.judge = options.judge;
    this.options = options;
    this.metrics = metrics;
  }

  /**
   * Submits on behalf of a request. The request id rides along in async context, so the
   * `queued` event (emitted before `submit` returns) already knows which request created it.
   */
  submit(input: SubmissionInput, reqId: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    return this.#requests.run(reqId, () => this.judge.submit(input, options));
  }

  /** Submits on behalf of a request and waits for the result; aborting `signal` cancels the submission. */
  run(input: SubmissionInput, reqId: string, options: { signal?: AbortSignal } = {}): Promise<SubmissionResult> {
    return this.#requests.run(reqId, () => this.judge.run(input, options));
  }

  /** The request id of the submission being created now, if a request is creating one. */
  currentRequestId(): string | undefined {
    return this.#requests.getStore();
  }

  /** Every registered language with the version the judge detected for it (probes run in parallel, cached by the judge). */
  async languages(): Promise<{ language: LanguageDefinition; version: string | null }[]> {
    const list = this.judge.languages.list();
    const versions = await Promise.all(list.map((l) => this.judge.version(l.id).catch(() => null)));
    return list.map((language, i) => ({ language, version: versions[i] ?? null }));
  }
}
