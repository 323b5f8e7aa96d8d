import { AsyncLocalStorage } from 'node:async_hooks';
import type { Judge, LanguageDefinition, SubmissionInput } from '@judgekit/core';
import type { ResolvedPluginOptions } from './options.js';

/** @internal One language as the HTTP routes describe it. */
export interface LanguageInfo {
  id: string;
  name: string;
  aliases: string[];
  extensions: string[];
  compiled: boolean;
  version: string | null;
}

/** @internal State shared by the route modules of one plugin instance. */
export class AdapterContext {
  readonly judge: Judge;
  readonly options: ResolvedPluginOptions;
  /** Request id that created each unfinished submission, for lifecycle log lines. */
  readonly origins = new Map<string, string>();
  /** Aborted on shutdown so that event streams and held requests end. */
  readonly shutdown = new AbortController();
  readonly #requests = new AsyncLocalStorage<string>();
  readonly #versions = new Map<string, { value: Promise<string | null>; at: number }>();

  constructor(options: ResolvedPluginOptions) {
    this.judge = options.judge;
    this.options = options;
  }

  /**
   * Submits on behalf of a request. The request id rides along in async context, so the
   * `queued` event (emitted before `submit` returns) already knows which request created it.
   */
  submit(input: SubmissionInput, reqId: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    return this.#requests.run(reqId, () => this.judge.submit(input, options));
  }

  /** The request id of the submission being created now, if a request is creating one. */
  currentRequestId(): string | undefined {
    return this.#requests.getStore();
  }

  /** The detected version of a language, cached (including its absence) for `versionCacheMs`. */
  version(language: LanguageDefinition): Promise<string | null> {
    const cached = this.#versions.get(language.id);
    if (cached && Date.now() - cached.at < this.options.versionCacheMs) return cached.value;
    const value = this.judge.version(language.id).catch(() => null);
    this.#versions.set(language.id, { value, at: Date.now() });
    return value;
  }

  /** Every language with its detected version; probes run in parallel. */
  async languages(): Promise<LanguageInfo[]> {
    const list = this.judge.languages.list();
    const versions = await Promise.all(list.map((l) => this.version(l)));
    return list.map((l, i) => ({
      id: l.id,
      name: l.name,
      aliases: [...(l.aliases ?? [])],
      extensions: [...(l.extensions ?? [])],
      compiled: l.compile !== undefined,
      version: versions[i] ?? null,
    }));
  }
}
