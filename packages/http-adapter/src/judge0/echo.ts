import type { PreparedSubmission } from '@judgekit/core';
import { decode64, encode64 } from './base64.js';
import { multiFileLanguageId } from './languages.js';
import type { SubmissionEcho } from './response.js';
import { writeZip } from './zip-write.js';

/**
 * Where a finished submission's input is read back from, for the request attributes of
 * `fields=*` (`source_code`, `stdin`, `expected_output`): the durable store's `getInput`
 * (`@judgekit/postgres`' `PostgresStore`). Called only for a submission the caller may see.
 */
export interface SubmissionInputs {
  getInput(id: string): PreparedSubmission | null | undefined | Promise<PreparedSubmission | null | undefined>;
}

/** Bounds of the in-memory echo of what was sent. */
export interface EchoCacheOptions {
  /** @defaultValue 10000 */
  maxEntries?: number;
  /** Most bytes held (sources, inputs, archives). @defaultValue 67108864 (64 MiB) */
  maxBytes?: number;
  /** How long a submission's echo is kept, in milliseconds (the default result store's TTL). @defaultValue 3600000 */
  ttlMs?: number;
}

const sizeOf = (echo: SubmissionEcho): number =>
  (echo.sourceCode?.length ?? 0) + (echo.stdin?.length ?? 0) + (echo.expectedOutput?.length ?? 0) + (echo.additionalFiles?.length ?? 0);

/**
 * @internal What each Judge0 submission was sent with, held in this process so that `fields=*`
 * answers it back as Judge0 does (judgekit's result store keeps results, not inputs, once a
 * submission is done). Every entry lives the same time, so the Map's insertion order is also the
 * order of expiry; the oldest go first when a bound is reached.
 */
export class EchoCache {
  readonly #entries = new Map<string, { echo: SubmissionEcho; at: number; bytes: number }>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  #bytes = 0;

  constructor(options: EchoCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#ttlMs = options.ttlMs ?? 3_600_000;
  }

  set(token: string, echo: SubmissionEcho, now = Date.now()): void {
    const bytes = sizeOf(echo);
    if (bytes > this.#maxBytes) return;
    this.delete(token);
    this.#entries.set(token, { echo, at: now, bytes });
    this.#bytes += bytes;
    this.#expire(now);
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.delete(key);
    }
  }

  get(token: string, now = Date.now()): SubmissionEcho | null {
    this.#expire(now);
    return this.#entries.get(token)?.echo ?? null;
  }

  delete(token: string): void {
    const entry = this.#entries.get(token);
    if (!entry) return;
    this.#bytes -= entry.bytes;
    this.#entries.delete(token);
  }

  get size(): number {
    return this.#entries.size;
  }

  #expire(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (now - entry.at < this.#ttlMs) break;
      this.delete(key);
    }
  }
}

/**
 * @internal The echo of a submission from its prepared input (the durable store keeps it): the
 * source file, the first test's stdin and expected output, and `additional_files` as a zip of the
 * files it was unpacked into (the same files and contents; not the bytes of the archive as sent).
 */
export function echoFromInput(input: PreparedSubmission, judge0LanguageId: number): SubmissionEcho {
  const project = judge0LanguageId === multiFileLanguageId;
  const source = project ? undefined : input.files[0];
  const test = input.tests[0];
  const bytes = (f: PreparedSubmission['files'][number]) =>
    f.encoding === 'base64' ? decode64(f.content) : Buffer.from(f.content, 'utf8');
  const archived = (project ? input.files : input.files.slice(1)).map((f) => ({ path: f.path, data: bytes(f) }));
  return {
    sourceCode: source ? bytes(source) : null,
    stdin: test && test.input.length > 0 ? test.input : null,
    expectedOutput: test?.expectedOutput ?? null,
    additionalFiles: archived.length > 0 ? encode64(writeZip(archived)) : null,
  };
}
