import type { Judge, LanguageDefinition } from '@judgekit/core';
import type { FastifyBaseLogger } from 'fastify';
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
  readonly #versions = new Map<string, { value: Promise<string | null>; at: number }>();

  constructor(options: ResolvedPluginOptions) {
    this.judge = options.judge;
    this.options = options;
  }

  /** Records which request created a submission and logs that it was queued. */
  created(id: string, reqId: string, language: string, log: FastifyBaseLogger): void {
    this.origins.set(id, reqId);
    log.info({ submissionId: id, reqId, language, event: 'queued' }, 'submission queued');
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
