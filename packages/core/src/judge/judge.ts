import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { abortError, isJudgeError, JudgeError } from '../errors/judge-error.js';
import { runPipeline } from '../judging/pipeline.js';
import type { LanguageDefinition } from '../languages/definition.js';
import { LanguageRegistry } from '../languages/registry.js';
import type { JobQueue } from '../queue/contract.js';
import { FastqJobQueue as DefaultQueue } from '../queue/fastq-queue.js';
import type { Runner } from '../runner/contract.js';
import { defaultLimits, defaultMaxLimits, type Limits, limitNames } from '../runner/limits.js';
import type { ResultStore, StoredSubmission } from '../store/contract.js';
import { LruResultStore } from '../store/lru-store.js';
import type { SubmissionResult } from '../submission/result.js';
import { describe, limitsSchema, type SubmissionInput } from '../submission/schema.js';
import { parseSubmission, toIssues } from '../submission/validate.js';
import type { JudgeEvent, JudgeStats } from './events.js';
import { type PreparedSubmission, prepareSubmission, toSandboxFiles } from './prepare.js';
import { detectVersion, versionMatches } from './versions.js';

/** Options for {@link Judge}. */
export interface JudgeOptions {
  /** The sandbox backend, e.g. `new NsjailRunner()`. */
  runner: Runner;
  /** Submissions judged at once. @defaultValue the number of CPUs (`os.availableParallelism()`) */
  concurrency?: number;
  /** Most submissions that may wait; beyond it `submit` throws `JDG_ERR_QUEUE_FULL`. @defaultValue 1000 */
  maxQueued?: number;
  /** Where submissions and results live. @defaultValue a {@link LruResultStore} with its defaults */
  store?: ResultStore;
  /** The queue. @defaultValue an in-process {@link FastqJobQueue} with `concurrency` */
  queue?: JobQueue;
  /** Limits used when a submission sets none. @defaultValue {@link defaultLimits} */
  defaultLimits?: Partial<Limits>;
  /** Highest limits a submission may ask for; above them it is refused. @defaultValue {@link defaultMaxLimits} */
  maxLimits?: Partial<Limits>;
  /** Languages added to (or, with the same id, replacing) the built-ins. */
  languages?: LanguageDefinition[];
  /** Close (or destroy) the runner when the judge closes. @defaultValue true */
  closeRunner?: boolean;
}

/** Options for {@link Judge.wait}. */
export interface WaitOptions {
  signal?: AbortSignal;
  /** Give up after this many milliseconds with `JDG_ERR_WAIT_TIMEOUT`. @defaultValue no bound */
  timeoutMs?: number;
}

const optionsSchema = z.strictObject({
  runner: z.custom<Runner>((v) => typeof v === 'object' && v !== null && typeof (v as Runner).open === 'function', 'must be a Runner'),
  concurrency: z.number().int().min(1).max(1024).optional(),
  maxQueued: z.number().int().min(0).max(10_000_000).optional(),
  store: z.custom<ResultStore>((v) => typeof v === 'object' && v !== null && typeof (v as ResultStore).get === 'function').optional(),
  queue: z.custom<JobQueue>((v) => typeof v === 'object' && v !== null && typeof (v as JobQueue).push === 'function').optional(),
  defaultLimits: limitsSchema.optional(),
  maxLimits: limitsSchema.optional(),
  languages: z.array(z.any()).optional(),
  closeRunner: z.boolean().optional(),
});

const idSchema = z.string().min(1).max(128);

const emptySummary = { passed: 0, total: 0, maxCpuTimeMs: 0, maxWallTimeMs: 0, maxMemoryBytes: 0 };

/** Slack added to a submission's own limits before a watchdog calls it stuck. */
const watchdogSlackMs = 30_000;

/**
 * Judges submissions: validates them, queues them, runs each in a fresh sandbox (compile once,
 * then every test), checks the output and stores the result. Verdicts are data on the result;
 * only bad input and broken machinery throw ({@link JudgeError}).
 *
 * Events: `judge.on('event', (e: JudgeEvent) => …)` sees every submission's events.
 *
 * @example
 * ```ts
 * import { Judge } from '@judgekit/core'
 * import { NsjailRunner } from '@judgekit/runner-nsjail'
 *
 * await using judge = new Judge({ runner: new NsjailRunner() })
 * const result = await judge.run({ language: 'python3', source: 'print(input())', stdin: 'hi\n' })
 * result.verdict // 'accepted'
 * result.tests[0].stdout // 'hi\n'
 * ```
 */
export class Judge extends EventEmitter<{ event: [JudgeEvent] }> implements AsyncDisposable {
  /** Callers of {@link wait}, by submission id. */
  readonly #waiters = new Map<string, Set<(result: SubmissionResult) => void>>();
  /** The languages this judge knows; `judge.languages.register(def)` adds one. */
  readonly languages: LanguageRegistry;
  /** The sandbox backend. */
  readonly runner: Runner;
  readonly #store: ResultStore;
  readonly #queue: JobQueue;
  readonly #maxQueued: number;
  readonly #defaults: Limits;
  readonly #max: Limits;
  readonly #closeRunner: boolean;
  readonly #controllers = new Map<string, AbortController>();
  readonly #watchdog = new Watchdog();
  readonly #stats: JudgeStats = { queued: 0, running: 0, finished: {}, cancelled: 0, sandboxFailures: 0, storeFailures: 0 };
  readonly #versions = new Map<string, Promise<string | null>>();
  readonly #settledVersions = new Map<string, string>();
  #accepting = true;
  #closing: Promise<void> | undefined;
  #destroying: Promise<void> | undefined;

  constructor(options: JudgeOptions) {
    super();
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = toIssues(parsed.error)[0]!;
      throw new JudgeError('JDG_ERR_CONFIG_INVALID', `Judge options: ${issue.path || '(root)'}: ${issue.message}`, {
        details: { issues: toIssues(parsed.error) },
      });
    }
    this.setMaxListeners(0);
    this.runner = options.runner;
    this.languages = new LanguageRegistry();
    for (const language of options.languages ?? []) this.languages.register(language, { replace: true });
    this.#store = options.store ?? new LruResultStore();
    this.#queue = options.queue ?? new DefaultQueue({ concurrency: options.concurrency ?? availableParallelism() });
    this.#maxQueued = options.maxQueued ?? 1000;
    this.#max = { ...defaultMaxLimits, ...options.maxLimits };
    this.#defaults = { ...defaultLimits, ...options.defaultLimits };
    for (const name of limitNames) {
      if (this.#defaults[name] > this.#max[name]) {
        throw new JudgeError(
          'JDG_ERR_CONFIG_INVALID',
          `Judge options: defaultLimits.${name} (${this.#defaults[name]}) is above maxLimits.${name} (${this.#max[name]}).`,
        );
      }
    }
    this.#closeRunner = options.closeRunner ?? true;
    this.#queue.start((job) => this.#work(job.id));
  }

  /** The limits applied when a submission sets none. */
  get defaultLimits(): Readonly<Limits> {
    return this.#defaults;
  }

  /** The highest limits a submission may ask for. */
  get maxLimits(): Readonly<Limits> {
    return this.#max;
  }

  /**
   * Validates and queues a submission; returns its id at once (status `queued`).
   * Throws `JDG_ERR_INPUT_INVALID`, `JDG_ERR_LANGUAGE_UNKNOWN`, `JDG_ERR_LIMIT_EXCEEDS_MAX`,
   * `JDG_ERR_QUEUE_FULL` or `JDG_ERR_JUDGE_CLOSED`; nothing is queued then.
   */
  async submit(input: SubmissionInput, options: { signal?: AbortSignal } = {}): Promise<string> {
    if (options.signal?.aborted) throw abortError(options.signal);
    if (!this.#accepting) throw new JudgeError('JDG_ERR_JUDGE_CLOSED', 'The judge is closing and takes no new submissions.');
    const parsed = parseSubmission(input);
    const prepared = prepareSubmission(parsed, this.languages, this.#defaults, this.#max);
    let version: string | null = null;
    if (parsed.version !== undefined && parsed.version !== '*' && parsed.version !== 'latest') {
      version = await this.version(prepared.languageId, options);
      if (version !== null && !versionMatches(parsed.version, version)) {
        throw new JudgeError(
          'JDG_ERR_LANGUAGE_UNKNOWN',
          `${prepared.languageId} ${parsed.version} is not available; this host has ${version}.`,
          {
            details: { issues: [{ path: 'version', message: `available: ${version}` }], available: version },
          },
        );
      }
    }
    const waiting = this.#queue.waiting();
    if ((typeof waiting === 'number' ? waiting : await waiting) >= this.#maxQueued) {
      throw new JudgeError('JDG_ERR_QUEUE_FULL', `The queue holds ${this.#maxQueued} waiting submissions; retry later.`, {
        details: { maxQueued: this.#maxQueued },
      });
    }
    if (!this.#accepting) throw new JudgeError('JDG_ERR_JUDGE_CLOSED', 'The judge is closing and takes no new submissions.');
    const id = randomUUID();
    const result: SubmissionResult = {
      id,
      status: 'queued',
      verdict: null,
      message: null,
      language: { id: prepared.languageId, version: version ?? this.#knownVersion(prepared.languageId) },
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      compile: null,
      tests: [],
      summary: { ...emptySummary, total: prepared.tests.length },
      metadata: parsed.metadata ?? null,
    };
    const written = this.#write(id, { input: prepared, result });
    if (written) await written;
    this.#stats.queued++;
    // Announced before the push: an in-process queue may start the job synchronously inside it.
    this.#emit({ type: 'queued', id, result });
    try {
      const pushed = this.#queue.push({ id });
      if (pushed) await pushed;
    } catch (cause) {
      this.#stats.queued--;
      await this.#store.delete(id);
      this.#emit({ type: 'cancelled', id, result: { ...result, status: 'cancelled', message: 'the queue refused the submission' } });
      throw new JudgeError('JDG_ERR_QUEUE_FULL', 'The queue refused the submission.', { cause });
    }
    return id;
  }

  /** The submission's current state. Throws `JDG_ERR_SUBMISSION_NOT_FOUND`. */
  async get(id: string): Promise<SubmissionResult> {
    return (await this.#read(id)).result;
  }

  /** Resolves with the result once the submission is done or cancelled. */
  async wait(id: string, options: WaitOptions = {}): Promise<SubmissionResult> {
    this.#checkId(id);
    if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs >= 0)) {
      throw new JudgeError(
        'JDG_ERR_INPUT_INVALID',
        `timeoutMs must be a number of milliseconds ≥ 0, received ${describe(options.timeoutMs)}.`,
        {
          details: { issues: [{ path: 'timeoutMs', message: 'expected a non-negative number' }] },
        },
      );
    }
    const { signal, timeoutMs } = options;
    if (signal?.aborted) throw abortError(signal);
    return new Promise<SubmissionResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const waiters = this.#waiters.get(id);
        waiters?.delete(onFinished);
        if (waiters?.size === 0) this.#waiters.delete(id);
        fn();
      };
      // One entry per waiting id, called by #emit when that submission ends: a thousand held
      // requests cost nothing per event of the other submissions.
      const onFinished = (result: SubmissionResult): void => settle(() => resolve(result));
      const onAbort = (): void => settle(() => reject(abortError(signal!)));
      // Registered before reading, so an end between the read and the registration is not lost.
      const waiters = this.#waiters.get(id) ?? new Set();
      this.#waiters.set(id, waiters);
      waiters.add(onFinished);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => settle(() => reject(new JudgeError('JDG_ERR_WAIT_TIMEOUT', `Submission ${id} did not finish within ${timeoutMs} ms.`))),
          timeoutMs,
        );
      }
      this.get(id).then(
        (current) => {
          if (current.status === 'done' || current.status === 'cancelled') settle(() => resolve(current));
        },
        (error: unknown) => settle(() => reject(error)),
      );
    });
  }

  /** Submits and waits. Aborting `signal` cancels the submission. */
  async run(input: SubmissionInput, options: { signal?: AbortSignal } = {}): Promise<SubmissionResult> {
    const id = await this.submit(input, options);
    try {
      return await this.wait(id, options);
    } catch (error) {
      if (options.signal?.aborted) await this.cancel(id).catch(() => {});
      throw error;
    }
  }

  /**
   * Cancels a submission: a queued one never runs, a running one has its sandbox killed.
   * Its status becomes `cancelled`; a finished one is returned unchanged.
   */
  async cancel(id: string): Promise<SubmissionResult> {
    const stored = await this.#read(id);
    const { result } = stored;
    if (result.status === 'done' || result.status === 'cancelled') return result;
    if (result.status === 'queued' && (await this.#queue.remove(id))) {
      this.#stats.queued--;
      return this.#finishCancelled(id, stored);
    }
    const controller = this.#controllers.get(id);
    if (controller) {
      controller.abort(new JudgeError('JDG_ERR_OPERATION_ABORTED', 'cancelled'));
      return this.wait(id);
    }
    return (await this.#read(id)).result;
  }

  /** Deletes a submission (cancelling it first if it has not finished). `false` when unknown. */
  async delete(id: string): Promise<boolean> {
    this.#checkId(id);
    const stored = await this.#store.get(id);
    if (!stored) return false;
    if (stored.result.status === 'queued' || stored.result.status === 'running') await this.cancel(id);
    return this.#store.delete(id);
  }

  /**
   * The submission's events as an async iterable: first its current state (`queued`, `running`,
   * `done` or `cancelled`), then each event until it finishes. Ends after `done`/`cancelled`.
   */
  async *watch(id: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<JudgeEvent, void, undefined> {
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
    const events = on(this, 'event', { signal });
    try {
      const current = await this.get(id);
      yield { type: current.status, id, result: current } as JudgeEvent;
      if (current.status === 'done' || current.status === 'cancelled') return;
      let skipSnapshotTwin = true;
      for await (const [event] of events as AsyncIterable<[JudgeEvent]>) {
        if (event.id !== id) continue;
        // The snapshot may already reflect the first live event (it was emitted before we read).
        if (skipSnapshotTwin && event.type === current.status) {
          skipSnapshotTwin = false;
          continue;
        }
        skipSnapshotTwin = false;
        yield event;
        if (event.type === 'done' || event.type === 'cancelled') return;
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      throw error;
    } finally {
      controller.abort();
    }
  }

  /** Counters: waiting, running, finished by verdict, cancelled, sandbox failures. */
  stats(): JudgeStats {
    return { ...this.#stats, finished: { ...this.#stats.finished } };
  }

  /** True while the judge takes new submissions. */
  get accepting(): boolean {
    return this.#accepting;
  }

  /**
   * The detected version of a language's toolchain (its version probe run in a sandbox), or
   * `null` when it cannot be told. Cached per language after the first success.
   */
  version(languageId: string, options: { signal?: AbortSignal } = {}): Promise<string | null> {
    const language = this.languages.get(languageId);
    let pending = this.#versions.get(language.id);
    if (!pending) {
      pending = detectVersion(this.runner, language, this.#defaults, options.signal).then((v) => {
        if (v === null) this.#versions.delete(language.id);
        else this.#settledVersions.set(language.id, v);
        return v;
      });
      this.#versions.set(language.id, pending);
    }
    return pending;
  }

  #knownVersion(languageId: string): string | null {
    return this.#settledVersions.get(languageId) ?? null;
  }

  /**
   * Graceful shutdown: refuses new submissions, lets queued and running ones finish, then closes
   * the runner. Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#accepting = false;
      const errors: unknown[] = [];
      const step = async (fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (error) {
          errors.push(error);
        }
      };
      await step(() => this.#queue.drain());
      await step(() => this.#queue.close());
      if (this.#closeRunner) await step(() => (this.#destroying ? this.runner.destroy() : this.runner.close()));
      this.#watchdog.stop();
      this.removeAllListeners();
      if (errors.length > 0) throw new AggregateError(errors, 'Judge.close: some cleanup steps failed');
    })();
    return this.#closing;
  }

  /** Forceful shutdown: cancels everything queued or running, destroys the runner. Idempotent. */
  destroy(): Promise<void> {
    this.#destroying ??= (async () => {
      this.#accepting = false;
      const cancellations: Promise<unknown>[] = [];
      for (const [id, controller] of this.#controllers) {
        controller.abort(new JudgeError('JDG_ERR_OPERATION_ABORTED', 'the judge is shutting down'));
        cancellations.push(this.wait(id).catch(() => {}));
      }
      await this.#queue.close();
      await Promise.allSettled(cancellations);
      if (this.#closeRunner) await this.runner.destroy();
      await this.close();
    })();
    return this.#destroying;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #work(id: string): Promise<void> {
    this.#stats.queued--;
    let stored: StoredSubmission | undefined;
    try {
      const pending = this.#store.get(id);
      stored = pending instanceof Promise ? await pending : pending;
    } catch {
      stored = undefined;
    }
    if (stored?.result.status !== 'queued') return;
    const input = stored.input as PreparedSubmission;
    const controller = new AbortController();
    this.#controllers.set(id, controller);
    this.#stats.running++;
    const result: SubmissionResult = { ...stored.result, tests: [], status: 'running', startedAt: new Date().toISOString() };
    const live: StoredSubmission = { input, result };
    let budget = watchdogSlackMs + input.compileLimits.wallTimeMs + (input.checkerCompileLimits?.wallTimeMs ?? 0);
    for (const t of input.tests) budget += t.limits.wallTimeMs + (input.checkerLimits?.wallTimeMs ?? 0);
    const watchdog = this.#watchdog.watch(controller, budget);
    try {
      if (this.#store.holdsReferences) {
        // Same object, new fields: the store already holds `live` once it is swapped in.
        stored.input = input;
        stored.result = result;
      } else {
        const written = this.#write(id, live);
        if (written) await written;
      }
      this.#emit({ type: 'running', id, result });
      const language = this.languages.get(input.languageId);
      const outcome = await runPipeline(
        this.runner,
        {
          language,
          files: toSandboxFiles(input.files),
          args: input.args,
          compileLimits: input.compileLimits,
          tests: input.tests,
          checker: input.checker,
          checkerLanguage: input.checkerLanguageId ? this.languages.get(input.checkerLanguageId) : null,
          checkerCompileLimits: input.checkerCompileLimits,
          checkerLimits: input.checkerLimits,
          stopOnFirstFailure: input.stopOnFirstFailure,
        },
        controller.signal,
        {
          onCompiled: (compile) => {
            result.compile = compile;
            this.#emit({ type: 'compiled', id, compile });
          },
          onTest: (index, test) => {
            result.tests.push(test);
            result.summary = summarize(result.tests, input.tests.length);
            // Progress is best effort: a failed progress write must not fail the submission.
            if (!this.#store.holdsReferences) {
              try {
                this.#write(id, live)?.catch(() => {});
              } catch {}
            }
            this.#emit({ type: 'test', id, index, total: input.tests.length, test });
          },
        },
      );
      result.verdict = outcome.verdict;
      result.message = outcome.message;
      result.compile = outcome.compile;
      result.tests = outcome.tests;
    } catch (error) {
      const reason: unknown = controller.signal.reason;
      if (controller.signal.aborted && isJudgeError(reason, 'JDG_ERR_OPERATION_ABORTED')) {
        this.#stats.running--;
        this.#controllers.delete(id);
        this.#watchdog.unwatch(watchdog);
        await this.#finishCancelled(id, live);
        return;
      }
      result.verdict = 'internal_error';
      result.message = internalMessage(controller.signal.aborted ? reason : error);
      this.#stats.sandboxFailures++;
    }
    this.#watchdog.unwatch(watchdog);
    this.#controllers.delete(id);
    this.#stats.running--;
    result.status = 'done';
    result.finishedAt = new Date().toISOString();
    result.summary = summarize(result.tests, input.tests.length);
    if (result.language.version === null) result.language = { ...result.language, version: this.#knownVersion(result.language.id) };
    const verdict = result.verdict ?? 'internal_error';
    this.#stats.finished[verdict] = (this.#stats.finished[verdict] ?? 0) + 1;
    await this.#writeFinal(id, { input: null, result });
    this.#emit({ type: 'done', id, result });
  }

  async #finishCancelled(id: string, stored: StoredSubmission): Promise<SubmissionResult> {
    const result: SubmissionResult = { ...stored.result, status: 'cancelled', finishedAt: new Date().toISOString() };
    this.#stats.cancelled++;
    await this.#writeFinal(id, { input: null, result });
    this.#emit({ type: 'cancelled', id, result });
    return result;
  }

  #emit(event: JudgeEvent): void {
    this.emit('event', event);
    if (event.type === 'done' || event.type === 'cancelled') {
      const waiters = this.#waiters.get(event.id);
      if (waiters) for (const onFinished of [...waiters]) onFinished(event.result);
    }
  }

  #checkId(id: unknown): asserts id is string {
    if (!idSchema.safeParse(id).success) {
      throw new JudgeError('JDG_ERR_INPUT_INVALID', `id must be a non-empty string, received ${describe(id)}.`, {
        details: { issues: [{ path: 'id', message: 'expected a non-empty string of at most 128 characters' }] },
      });
    }
  }

  async #read(id: string): Promise<StoredSubmission> {
    this.#checkId(id);
    let stored: StoredSubmission | undefined;
    try {
      stored = await this.#store.get(id);
    } catch (cause) {
      throw new JudgeError('JDG_ERR_STORE_FAILED', `The store failed to read submission ${id}.`, { cause });
    }
    if (!stored) throw new JudgeError('JDG_ERR_SUBMISSION_NOT_FOUND', `No submission ${id}.`, { details: { id } });
    return stored;
  }

  /**
   * The final write of a finished submission. Its watchers get the result through the event even
   * when the store fails, so the failure is counted rather than thrown into the worker.
   */
  async #writeFinal(id: string, value: StoredSubmission): Promise<void> {
    try {
      const written = this.#write(id, value);
      if (written) await written;
    } catch {
      this.#stats.storeFailures++;
    }
  }

  /** Writes to the store; returns a promise only when the store is asynchronous (the hot path stays sync). */
  #write(id: string, value: StoredSubmission): void | Promise<void> {
    const failed = (cause: unknown) => new JudgeError('JDG_ERR_STORE_FAILED', `The store failed to write submission ${id}.`, { cause });
    let pending: void | Promise<void>;
    try {
      pending = this.#store.set(id, value);
    } catch (cause) {
      throw failed(cause);
    }
    if (pending instanceof Promise) {
      return pending.catch((cause: unknown) => {
        throw failed(cause);
      });
    }
  }
}

function summarize(tests: SubmissionResult['tests'], total: number): SubmissionResult['summary'] {
  const summary = { ...emptySummary, total };
  for (const t of tests) {
    if (t.verdict === 'accepted') summary.passed++;
    summary.maxCpuTimeMs = Math.max(summary.maxCpuTimeMs, t.cpuTimeMs);
    summary.maxWallTimeMs = Math.max(summary.maxWallTimeMs, t.wallTimeMs);
    summary.maxMemoryBytes = Math.max(summary.maxMemoryBytes, t.memoryBytes);
  }
  return summary;
}

/** A message for internal_error: what failed, with the cause's message, never a stack. */
function internalMessage(error: unknown): string {
  if (error instanceof JudgeError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.code}: ${error.message}${cause}`;
  }
  if (error instanceof Error) return `unexpected failure: ${error.message}`;
  return `unexpected failure: ${String(error)}`;
}

/**
 * One coarse timer for every running submission (a timer per job costs more than the job on a
 * fast path): a submission that overruns its own limits plus slack is aborted as a sandbox failure.
 */
class Watchdog {
  readonly #deadlines = new Map<AbortController, number>();
  #timer: NodeJS.Timeout | undefined;

  watch(controller: AbortController, budgetMs: number): AbortController {
    this.#deadlines.set(controller, Date.now() + budgetMs);
    this.#timer ??= setInterval(() => this.#sweep(), 1000).unref();
    return controller;
  }

  unwatch(controller: AbortController): void {
    // The timer stays (unref'd, so it holds no process open) until stop(): busy judges would
    // otherwise create and clear it for every burst.
    this.#deadlines.delete(controller);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [controller, deadline] of this.#deadlines) {
      if (now < deadline) continue;
      this.unwatch(controller);
      controller.abort(
        new JudgeError('JDG_ERR_SANDBOX_FAILED', 'judging took longer than its limits allow; the sandbox stopped answering'),
      );
    }
  }
}
