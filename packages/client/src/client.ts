import type { JudgeEvent, ListQuery, SubmissionInput, SubmissionResult } from '@judgekit/core';
import type { BatchCreateResponse, LanguageInfo, ListOrGetResponse, WorkersResponse } from '@judgekit/http-adapter';
import { abortedError, JudgekitClientError } from './errors.js';
import { type ResolvedRetry, type RetryOptions, resolveRetry, retryableStatuses, retryDelayMs, sleep } from './retry.js';
import { openSession, type Session, type SessionOptions } from './session.js';
import { messageText, openSocket, type WebSocketConstructor } from './socket.js';
import { parseSse } from './sse.js';

/**
 * Options of {@link JudgekitClient}.
 *
 * @example
 * ```ts
 * const client = new JudgekitClient({ baseUrl: 'http://127.0.0.1:8000', apiKey: process.env.JUDGEKIT_KEY })
 * ```
 */
export interface JudgekitClientOptions {
  /** The server's address with its prefix, e.g. `http://127.0.0.1:8000` or `https://judge.example/judge`. In a browser, `''` or `location.origin` for the page's own server. */
  baseUrl: string;
  /** API key sent as `Authorization: Bearer KEY` (and as `access_token` where a socket cannot send headers). @defaultValue none */
  apiKey?: string | null;
  /** The fetch to use. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** The WebSocket constructor for `watch({ transport: 'websocket' })` and sessions: the browser's, or `ws`'s in Node 20. @defaultValue globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /** Retries of 429 and 503 answers, honouring `Retry-After`. @defaultValue `{ retries: 3, baseDelayMs: 500, maxDelayMs: 30000 }` */
  retry?: RetryOptions;
  /** Headers sent with every request (e.g. `x-request-id`). @defaultValue {} */
  headers?: Record<string, string>;
}

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call (and its retries, waits and streams): it then rejects with `JDG_ERR_CLIENT_ABORTED`. */
  signal?: AbortSignal;
}

/** Options of {@link JudgekitClient.submit}. */
export interface SubmitCallOptions extends CallOptions {
  /** Hold the request until the submission is done, as `?wait=true` (bounded by the server's maximum wait). @defaultValue false */
  wait?: boolean;
  /** With `wait`: longest hold in milliseconds. */
  timeoutMs?: number;
}

/** Options of {@link JudgekitClient.watch}. */
export interface WatchOptions extends CallOptions {
  /** `sse` (a streamed GET, works wherever fetch streams) or `websocket`. @defaultValue 'sse' */
  transport?: 'sse' | 'websocket';
}

/** Options of {@link JudgekitClient.wait} and {@link JudgekitClient.run}. */
export interface WaitCallOptions extends WatchOptions {
  /** Called with each live event (progress bars, per-test rows). */
  onEvent?: (event: JudgeEvent) => void;
  /** Give up after this many milliseconds with `JDG_ERR_CLIENT_ABORTED` (the submission keeps running). */
  timeoutMs?: number;
}

/** The filters of {@link JudgekitClient.list}: the judge's listing query, plus `tenant` for admin keys. */
export type ListOptions = Omit<ListQuery, 'tenant'> & CallOptions & { tenant?: string };

/** A batch answer: for each input, in order, `{ id, status: 'queued' }` or `{ error }`. */
export type BatchItem = BatchCreateResponse['submissions'][number];

/** A listing page. */
export interface SubmissionPage {
  submissions: SubmissionResult[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A result of {@link JudgekitClient.getMany}: the submission, or `{ id, error }` for an unknown id. */
export type ManyItem = ListOrGetResponse['submissions'][number];

const finalTypes = new Set(['done', 'cancelled']);

/**
 * A typed client of judgekit's `/v1` API and its sessions, for browsers and Node. Every method
 * takes an `AbortSignal`; answers 429 and 503 are retried after their `Retry-After`; a failure
 * is a {@link JudgekitClientError} carrying the server's code.
 *
 * @example
 * ```ts
 * const client = new JudgekitClient({ baseUrl: 'http://127.0.0.1:8000' })
 * const result = await client.run({ language: 'python3', source: 'print(input())', tests: [{ input: 'hi', expectedOutput: 'hi' }] })
 * console.log(result.verdict) // 'accepted'
 * ```
 */
export class JudgekitClient {
  readonly #base: string;
  readonly #apiKey: string | null;
  readonly #fetch: typeof fetch;
  readonly #WebSocket: WebSocketConstructor | undefined;
  readonly #retry: ResolvedRetry;
  readonly #headers: Record<string, string>;

  constructor(options: JudgekitClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey || null;
    const f = options.fetch ?? globalThis.fetch;
    this.#fetch = (input, init) => f(input, init);
    this.#WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    this.#retry = resolveRetry(options.retry);
    this.#headers = { ...options.headers };
  }

  /** Queues a submission; answers its current state (`queued`), or with `wait` its final result when it finishes in time. */
  submit(input: SubmissionInput, options: SubmitCallOptions = {}): Promise<SubmissionResult> {
    const query = options.wait ? `?wait=true${options.timeoutMs === undefined ? '' : `&timeoutMs=${options.timeoutMs}`}` : '';
    return this.#json('POST', `/v1/submissions${query}`, input, options.signal);
  }

  /** Queues up to 100 submissions; each is queued or refused on its own. */
  async batch(inputs: SubmissionInput[], options: CallOptions = {}): Promise<BatchItem[]> {
    const body = await this.#json<BatchCreateResponse>('POST', '/v1/submissions/batch', { submissions: inputs }, options.signal);
    return body.submissions;
  }

  /** One submission's current state. */
  get(id: string, options: CallOptions = {}): Promise<SubmissionResult> {
    return this.#json('GET', `/v1/submissions/${encodeURIComponent(id)}`, undefined, options.signal);
  }

  /** Up to 100 submissions by id, in order; an unknown one is `{ id, error }`. */
  async getMany(ids: string[], options: CallOptions = {}): Promise<ManyItem[]> {
    const body = await this.#json<ListOrGetResponse>(
      'GET',
      `/v1/submissions?ids=${ids.map(encodeURIComponent).join(',')}`,
      undefined,
      options.signal,
    );
    return body.submissions;
  }

  /** A page of the caller's submissions, newest first (follow `nextCursor` with `cursor`). */
  async list(options: ListOptions = {}): Promise<SubmissionPage> {
    const { signal, metadata, ...filters } = options;
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(filters)) if (value !== undefined) params.set(key, String(value));
    for (const [key, value] of Object.entries(metadata ?? {})) params.set(`metadata.${key}`, value);
    const query = params.toString();
    const body = await this.#json<ListOrGetResponse>('GET', `/v1/submissions${query ? `?${query}` : ''}`, undefined, signal);
    return { submissions: body.submissions as SubmissionResult[], nextCursor: body.nextCursor ?? null };
  }

  /** Every submission the listing gives, page after page. */
  async *listAll(options: Omit<ListOptions, 'cursor'> = {}): AsyncGenerator<SubmissionResult> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...options, ...(cursor ? { cursor } : {}) });
      yield* page.submissions;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** Cancels a submission: a queued one never runs, a running one is killed; answers its state. */
  cancel(id: string, options: CallOptions = {}): Promise<SubmissionResult> {
    return this.#json('POST', `/v1/submissions/${encodeURIComponent(id)}/cancel`, undefined, options.signal);
  }

  /** Deletes a submission (cancelling it first when it runs). */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.#request('DELETE', `/v1/submissions/${encodeURIComponent(id)}`, undefined, options.signal);
  }

  /** The languages of the server, each with the toolchain version detected on its host. */
  async languages(options: CallOptions = {}): Promise<LanguageInfo[]> {
    return (await this.#json<{ languages: LanguageInfo[] }>('GET', '/v1/languages', undefined, options.signal)).languages;
  }

  /** The workers alive and the queue's counts, cluster-wide (`GET /v1/workers`; an admin key when the server has keys). */
  workers(options: CallOptions = {}): Promise<WorkersResponse> {
    return this.#json('GET', '/v1/workers', undefined, options.signal);
  }

  /**
   * A submission's live events: first its current state, then `running`, `compiled`, one
   * `test` per test and `done` or `cancelled`, after which the iteration ends.
   */
  async *watch(id: string, options: WatchOptions = {}): AsyncGenerator<JudgeEvent> {
    const path = `/v1/submissions/${encodeURIComponent(id)}/events`;
    if (options.transport === 'websocket') {
      const { opened, items } = openSocket(this.#socketCtor(), this.#socketUrl(path), options.signal);
      await opened;
      for await (const item of items) {
        if (item.kind === 'close') {
          if (item.code !== 1000)
            throw new JudgekitClientError(item.reason || 'JDG_ERR_CLIENT_STREAM', `The event socket closed with ${item.code}.`, {
              status: item.code > 4000 ? item.code - 4000 : 0,
            });
          return;
        }
        const event = JSON.parse(messageText(item.data)) as JudgeEvent | { type: 'error'; error: { code: string; message: string } };
        if (event.type === 'error') throw new JudgekitClientError(event.error.code, event.error.message);
        yield event;
        if (finalTypes.has(event.type)) return;
      }
      throw new JudgekitClientError('JDG_ERR_CLIENT_STREAM', 'The event socket ended before the submission finished.');
    }
    const response = await this.#request('GET', path, undefined, options.signal, { accept: 'text/event-stream' });
    if (!response.body) throw new JudgekitClientError('JDG_ERR_CLIENT_RESPONSE', 'The event stream has no body.');
    try {
      for await (const message of parseSse(response.body)) {
        if (message.event === 'error') {
          const body = JSON.parse(message.data) as { error: { code: string; message: string } };
          throw new JudgekitClientError(body.error.code, body.error.message);
        }
        const event = JSON.parse(message.data) as JudgeEvent;
        yield event;
        if (finalTypes.has(event.type)) return;
      }
    } catch (error) {
      if (options.signal?.aborted) throw abortedError(options.signal);
      if (error instanceof JudgekitClientError) throw error;
      throw new JudgekitClientError('JDG_ERR_CLIENT_STREAM', 'The event stream broke.', { cause: error });
    }
    if (options.signal?.aborted) throw abortedError(options.signal);
    throw new JudgekitClientError('JDG_ERR_CLIENT_STREAM', 'The event stream ended before the submission finished.');
  }

  /** Waits for a submission to finish (over its live events) and answers the final result. */
  async wait(id: string, options: WaitCallOptions = {}): Promise<SubmissionResult> {
    const signal = withTimeout(options.signal, options.timeoutMs);
    try {
      for await (const event of this.watch(id, { ...options, signal: signal.signal })) {
        options.onEvent?.(event);
        if (event.type === 'done' || event.type === 'cancelled') return event.result;
      }
    } finally {
      signal.dispose();
    }
    throw new JudgekitClientError('JDG_ERR_CLIENT_STREAM', 'The event stream ended before the submission finished.');
  }

  /** Submits and waits: the final result of one submission, with its live events on `onEvent`. */
  async run(input: SubmissionInput, options: WaitCallOptions = {}): Promise<SubmissionResult> {
    const queued = await this.submit(input, options);
    options.onEvent?.({ type: 'queued', id: queued.id, result: queued });
    return this.wait(queued.id, options);
  }

  /**
   * Starts an interactive session (`/v1/sessions` over WebSocket): a program in a sandbox
   * that you write to, resize and signal, and whose output you read as it comes.
   */
  session(options: SessionOptions): Promise<Session> {
    return openSession(this.#socketCtor(), this.#socketUrl('/v1/sessions'), options);
  }

  #socketCtor(): WebSocketConstructor {
    if (!this.#WebSocket) {
      throw new JudgekitClientError(
        'JDG_ERR_CLIENT_NO_WEBSOCKET',
        'No WebSocket implementation: pass `WebSocket` (e.g. from the `ws` package) in the client options.',
      );
    }
    return this.#WebSocket;
  }

  #socketUrl(path: string): string {
    const origin = this.#base === '' ? ((globalThis as { location?: { origin: string } }).location?.origin ?? '') : this.#base;
    const url = new URL(`${origin}${path}`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.#apiKey) url.searchParams.set('access_token', this.#apiKey);
    return url.toString();
  }

  async #json<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    const response = await this.#request(method, path, body, signal);
    try {
      return (await response.json()) as T;
    } catch (error) {
      if (signal?.aborted) throw abortedError(signal);
      throw new JudgekitClientError('JDG_ERR_CLIENT_RESPONSE', `${method} ${path} answered ${response.status} without JSON.`, {
        status: response.status,
        cause: error,
      });
    }
  }

  async #request(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    extra: Record<string, string> = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.#headers, ...extra };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw abortedError(signal);
      let response: Response;
      try {
        response = await this.#fetch(`${this.#base}${path}`, { method, headers, body: payload, signal });
      } catch (error) {
        if (signal?.aborted) throw abortedError(signal);
        throw new JudgekitClientError('JDG_ERR_CLIENT_NETWORK', `${method} ${path}: the server could not be reached.`, { cause: error });
      }
      if (response.ok) return response;
      const retryAfter = response.headers.get('retry-after');
      if (retryableStatuses.has(response.status) && attempt < this.#retry.retries) {
        const delay = retryDelayMs(retryAfter, attempt, this.#retry);
        if (delay !== null) {
          await response.body?.cancel().catch(() => {});
          await sleep(delay, signal);
          continue;
        }
      }
      throw await errorOf(method, path, response, retryAfter);
    }
  }
}

async function errorOf(method: string, path: string, response: Response, retryAfter: string | null): Promise<JudgekitClientError> {
  const seconds = retryAfter !== null && Number.isFinite(Number(retryAfter)) ? Number(retryAfter) : null;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    return new JudgekitClientError(error.code, String(error.message ?? error.code), {
      status: response.status,
      details: (error.details as Record<string, unknown>) ?? {},
      retryAfterSeconds: seconds,
    });
  }
  return new JudgekitClientError(
    'JDG_ERR_CLIENT_RESPONSE',
    `${method} ${path} answered ${response.status} without judgekit's error body.`,
    {
      status: response.status,
      retryAfterSeconds: seconds,
    },
  );
}

/** A signal that also aborts after `timeoutMs`; `dispose` clears the timer. */
function withTimeout(signal: AbortSignal | undefined, timeoutMs: number | undefined): { signal: AbortSignal | undefined; dispose(): void } {
  if (timeoutMs === undefined) return { signal, dispose() {} };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
