import { AsyncLocalStorage } from 'node:async_hooks';
import type { Judge, LanguageDefinition, SubmissionInput, SubmissionResult } from '@judgekit/core';
import { type Caller, submitOptionsOf } from './auth/quotas.js';
import { HttpError } from './errors/http-errors.js';
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
  /** Aborted when the server starts to drain: event streams end, `/readyz` answers 503, new submissions 503. */
  readonly shutdown = new AbortController();
  readonly #requests = new AsyncLocalStorage<string>();

  constructor(options: ResolvedPluginOptions, metrics: AdapterMetrics | null) {
    this.judge = options.judge;
    this.options = options;
    this.metrics = metrics;
  }

  /**
   * Submits on behalf of a request, as its tenant and within its quotas (`maxQueued`,
   * `maxLimits`; a `callbackUrl` through the webhook policy). The request id rides along in async
   * context, so the `queued` event (emitted before `submit` returns) already knows which request
   * created it.
   */
  async submit(input: SubmissionInput, request: Caller, options: { signal?: AbortSignal } = {}): Promise<string> {
    this.#refuseWhileDraining();
    const submitOptions = await submitOptionsOf(this.options, input, request, options);
    return this.#requests.run(request.id, () => this.judge.submit(input, submitOptions));
  }

  /** Submits on behalf of a request and waits for the result; aborting `signal` cancels the submission. */
  async run(input: SubmissionInput, request: Caller, options: { signal?: AbortSignal } = {}): Promise<SubmissionResult> {
    this.#refuseWhileDraining();
    const submitOptions = await submitOptionsOf(this.options, input, request, options);
    return this.#requests.run(request.id, () => this.judge.run(input, submitOptions));
  }

  /** While the server drains for shutdown, no API takes a new submission (every one submits through here). */
  #refuseWhileDraining(): void {
    if (this.shutdown.signal.aborted) {
      throw new HttpError(
        'JDG_ERR_HTTP_SHUTTING_DOWN',
        'The server is shutting down and takes no new submissions; retry on another instance.',
      );
    }
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
