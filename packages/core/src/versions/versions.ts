import { setMaxListeners } from 'node:events';
import { abortError, JudgeError } from '../errors/judge-error.js';
import type { LanguageDefinition } from '../languages/definition.js';
import type { Runner } from '../runner/contract.js';
import type { Limits } from '../runner/limits.js';

/**
 * Where a judge learns the version of a language's toolchain. The default probes it in a sandbox
 * of the judge's runner ({@link runnerVersionSource}); an API-only node without a runner can
 * learn versions another way, e.g. from what its workers published.
 *
 * @example
 * ```ts
 * const fixed: VersionSource = { detect: async (language) => ({ python3: '3.11.2' })[language.id] ?? null }
 * new Judge({ concurrency: 0, queue, store, bus, versions: { source: fixed } })
 * ```
 */
export interface VersionSource {
  /** The toolchain's version (`3.11.2`), or `null` when it cannot be told. Should not throw. */
  detect(language: LanguageDefinition, options: { signal?: AbortSignal }): Promise<string | null>;
}

/** Options for the version cache of a {@link Judge} (`versions` option). */
export interface VersionOptions {
  /** Where versions come from. @defaultValue probes in a sandbox of the judge's runner; none without a runner */
  source?: VersionSource;
  /**
   * When to probe: `on-demand` probes a language the first time its version is needed (a
   * submission asking for a version, `judge.version()`, a listing of languages); `eager` probes
   * every registered language in the background when the judge starts.
   * @defaultValue 'on-demand'
   */
  probe?: 'on-demand' | 'eager';
  /** After a probe that could not tell the version, the next request probes again once this many ms have passed. @defaultValue 30000 */
  retryMs?: number;
}

/**
 * The default {@link VersionSource}: runs the language's `version` command in a fresh sandbox of
 * `runner` and reads group 1 of its pattern from stdout and stderr. `null` when the language has
 * no version command, or the probe fails.
 */
export function runnerVersionSource(runner: Runner, limits: Limits): VersionSource {
  return {
    async detect(language, { signal }) {
      if (!language.version) return null;
      try {
        const box = await runner.open({ language }, { signal });
        try {
          const out = await box.exec(
            {
              argv: language.version.argv,
              env: language.env,
              limits: {
                ...limits,
                ...language.compileLimits,
                wallTimeMs: 10_000,
                cpuTimeMs: 10_000,
                memoryBytes: Math.max(limits.memoryBytes, 512 * 1024 * 1024),
                processes: 128,
              },
            },
            { signal },
          );
          const match = language.version.pattern.exec(`${out.stdout}\n${out.stderr}`);
          return match?.[1] ?? null;
        } finally {
          await box.dispose();
        }
      } catch {
        return null;
      }
    },
  };
}

/**
 * `true` when a wanted version selects the detected one: equal; a prefix at a dot boundary (`3`
 * and `3.11` select `3.11.2`, `3.1` does not); a trailing `.x` or `.*` (`3.x`); or `*` for any.
 *
 * @example
 * ```ts
 * versionMatches('3.11', '3.11.2') // true
 * versionMatches('3.1', '3.11.2')  // false
 * ```
 */
export function versionMatches(wanted: string, actual: string): boolean {
  if (wanted === '*' || wanted === 'latest' || wanted === actual) return true;
  const prefix = wanted.replace(/\.(x|\*)$/, '');
  return prefix === actual || actual.startsWith(`${prefix}.`);
}

/**
 * @internal The one place a judge learns and keeps toolchain versions. Every caller (the submit
 * path, `judge.version()`, HTTP listings) goes through it, so one probe per language serves
 * them all; a known version is cached for the judge's life.
 */
export class VersionCache {
  readonly #source: VersionSource | null;
  readonly #retryMs: number;
  readonly #pending = new Map<string, Promise<string | null>>();
  readonly #known = new Map<string, string>();
  readonly #failedAt = new Map<string, number>();
  readonly #stop = new AbortController();

  constructor(source: VersionSource | null, options: { retryMs?: number } = {}) {
    this.#source = source;
    this.#retryMs = options.retryMs ?? 30_000;
    // One signal stops every probe: a probe of each language at once (a first /v1/languages) adds
    // a listener or two each, which is no leak.
    setMaxListeners(256, this.#stop.signal);
  }

  /** The version already known, without probing. */
  known(languageId: string): string | null {
    return this.#known.get(languageId) ?? null;
  }

  /** The version, probing when it is not known (one probe at a time per language). */
  get(language: LanguageDefinition, options: { signal?: AbortSignal } = {}): Promise<string | null> {
    const known = this.#known.get(language.id);
    if (known !== undefined) return Promise.resolve(known);
    if (!this.#source) return Promise.resolve(null);
    let pending = this.#pending.get(language.id);
    if (!pending) {
      const failedAt = this.#failedAt.get(language.id);
      if (failedAt !== undefined && Date.now() - failedAt < this.#retryMs) return Promise.resolve(null);
      // The probe belongs to the cache, not to the first caller: one caller's abort must not fail the others.
      pending = this.#source
        .detect(language, { signal: this.#stop.signal })
        .catch(() => null)
        .then((version) => {
          this.#pending.delete(language.id);
          if (version === null) this.#failedAt.set(language.id, Date.now());
          else {
            this.#known.set(language.id, version);
            this.#failedAt.delete(language.id);
          }
          return version;
        });
      this.#pending.set(language.id, pending);
    }
    return options.signal ? abortable(pending, options.signal) : pending;
  }

  /** Probes languages in the background. */
  prefetch(languages: readonly LanguageDefinition[]): void {
    for (const language of languages) void this.get(language);
  }

  /**
   * Refuses a submission whose wanted version does not select this host's:
   * `JDG_ERR_LANGUAGE_UNKNOWN`, with `details.available` (the detected version, or `null` when it
   * cannot be told).
   */
  async require(language: LanguageDefinition, wanted: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    const version = await this.get(language, options);
    if (version !== null && versionMatches(wanted, version)) return version;
    const message =
      version === null
        ? `${language.id} ${wanted} is not available: the version of ${language.id} on this host cannot be told.`
        : `${language.id} ${wanted} is not available; this host has ${version}.`;
    throw new JudgeError('JDG_ERR_LANGUAGE_UNKNOWN', message, {
      details: { issues: [{ path: 'version', message: `available: ${version ?? 'unknown'}` }], available: version },
    });
  }

  /** Ends probes in progress. */
  close(): void {
    this.#stop.abort();
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
