import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { abortError, isJudgeError, JudgeError } from '../errors/judge-error.js';
import type { JudgeEvent, SubmissionBus } from '../events/contract.js';
import { InProcessBus } from '../events/in-process-bus.js';
import { OutputBudget } from '../judging/output-budget.js';
import { LanguageRegistry } from '../languages/registry.js';
import type { JobQueue } from '../queue/contract.js';
import { FastqJobQueue as DefaultQueue } from '../queue/fastq-queue.js';
import type { Runner } from '../runner/contract.js';
import type { Limits } from '../runner/limits.js';
import { resolveSessionOptions, type SessionInput } from '../session/options.js';
import type { Session } from '../session/session.js';
import { type SessionCallOptions, SessionCaps, type SessionEnv, startSession } from '../session/start.js';
import type { ListPage, ListQuery, ResultStore, StoredSubmission } from '../store/contract.js';
import { listSubmissions } from '../store/list.js';
import { LruResultStore } from '../store/lru-store.js';
import { SubmissionRecords } from '../store/records.js';
import { checkSubmissionId } from '../submission/ids.js';
import { prepareSubmission } from '../submission/prepare.js';
import type { SubmissionResult } from '../submission/result.js';
import type { SubmissionInput } from '../submission/schema.js';
import { capLimits } from '../submission/validate.js';
import { runnerVersionSource, VersionCache } from '../versions/versions.js';
import { RunnerGate } from '../worker/runner-gate.js';
import { Worker } from '../worker/worker.js';
import type { JudgeHealth, JudgeReadiness, SubmitOptions, TenantOptions, WaitOptions } from './call-options.js';
import { judgeHealth, judgeReadiness } from './health.js';
import { checkQueueRoom, enqueue, type Intake } from './intake.js';
import { checkJudgeOptions, type JudgeOptions, judgeLimits } from './options.js';
import { closeInOrder } from './shutdown.js';
import { emptyStats, type JudgeStats } from './stats.js';
import { Waiters } from './waiters.js';
import { watchSubmission } from './watch.js';

/**
 * Judges submissions: validates them, queues them, runs each in a fresh sandbox (compile once,
 * then every test), checks the output and stores the result. Verdicts are data on the result;
 * only bad input and broken machinery throw ({@link JudgeError}).
 *
 * Events: `judge.on('event', (e: JudgeEvent) => …)` sees every submission's events, from
 * whichever judge on the same {@link SubmissionBus} ran it.
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
  /** The languages this judge knows; `judge.languages.register(def)` adds one. */
  readonly languages: LanguageRegistry;
  /** The sandbox backend; `undefined` for an API-only judge made without one. */
  readonly runner: Runner | undefined;
  readonly #store: ResultStore;
  readonly #records: SubmissionRecords;
  readonly #queue: JobQueue;
  readonly #bus: SubmissionBus;
  readonly #ownBus: boolean;
  readonly #unsubscribe: () => void;
  readonly #maxQueued: number;
  readonly #concurrency: number;
  readonly #defaults: Limits;
  readonly #max: Limits;
  readonly #closeRunner: boolean;
  readonly #cancelWaitMs: number;
  readonly #versions: VersionCache;
  readonly #worker: Worker | undefined;
  readonly #gate: RunnerGate | undefined;
  readonly #waiters = new Waiters();
  readonly #intake: Intake;
  /** Submissions watched through `watch()` now, with how many watchers each. */
  readonly #watched = new Map<string, number>();
  readonly #budget: OutputBudget;
  /**
   * Submissions queued through this judge that have not started yet, when the bus is shared
   * (on its own bus every event is this judge's, and `startedAt` tells).
   */
  readonly #queuedHere: Set<string> | null;
  readonly #stats: JudgeStats = emptyStats();
  readonly #sessions: SessionEnv;
  #accepting = true;
  #closing: Promise<void> | undefined;
  #destroying: Promise<void> | undefined;

  constructor(options: JudgeOptions) {
    super();
    checkJudgeOptions(options);
    this.setMaxListeners(0);
    this.runner = options.runner;
    this.languages = new LanguageRegistry();
    for (const language of options.languages ?? []) this.languages.register(language, { replace: true });
    ({ defaultLimits: this.#defaults, maxLimits: this.#max } = judgeLimits(options));
    const concurrency = options.concurrency ?? availableParallelism();
    this.#store = options.store ?? new LruResultStore();
    this.#queue = options.queue ?? new DefaultQueue({ concurrency: Math.max(1, concurrency) });
    this.#ownBus = options.bus === undefined;
    this.#queuedHere = this.#ownBus ? null : new Set();
    this.#bus = options.bus ?? new InProcessBus();
    this.#maxQueued = options.maxQueued ?? 1000;
    this.#concurrency = concurrency;
    this.#closeRunner = options.closeRunner ?? true;
    this.#cancelWaitMs = options.cancelWaitMs ?? 10_000;
    this.#records = new SubmissionRecords(this.#store, (e) => this.#publish(e), this.#stats);
    this.#intake = {
      records: this.#records,
      store: this.#store,
      queue: this.#queue,
      stats: this.#stats,
      queuedHere: this.#queuedHere,
      publish: (e) => this.#publish(e),
    };
    const source = options.versions?.source ?? (this.runner ? runnerVersionSource(this.runner, this.#defaults) : null);
    this.#versions = new VersionCache(source, { retryMs: options.versions?.retryMs });
    this.#budget = new OutputBudget(options.maxOutputBytesInFlight ?? 256 * 1024 * 1024);
    const sessionOptions = resolveSessionOptions(options.sessions);
    this.#sessions = {
      runner: this.runner,
      languages: this.languages,
      versions: this.#versions,
      options: sessionOptions,
      caps: new SessionCaps(sessionOptions),
      live: new Set(),
    };
    if (concurrency > 0 && this.runner) {
      const queue = this.#queue;
      this.#gate = new RunnerGate(this.runner, options.runnerFaults ?? {}, {
        unavailable: () => void Promise.resolve(queue.pause?.()).catch(() => {}),
        available: () => void Promise.resolve(queue.resume?.()).catch(() => {}),
      });
      this.#worker = new Worker({
        runner: this.runner,
        languages: this.languages,
        records: this.#records,
        publish: (e) => this.#publish(e),
        stats: this.#stats,
        versions: this.#versions,
        gate: this.#gate,
        disposeTimeoutMs: options.disposeTimeoutMs ?? 60_000,
        trailingDisposals: Math.max(1, concurrency),
        budget: this.#budget,
        maxResultOutputBytes: options.maxResultOutputBytes ?? 64 * 1024 * 1024,
      });
    }
    this.#unsubscribe = this.#bus.subscribe({
      event: (e) => this.#deliver(e),
      cancel: (id) => void this.#worker?.cancel(id),
      resync: () => void this.#resync(),
    });
    if (this.#worker) {
      const worker = this.#worker;
      this.#queue.start((job, delivery) => worker.handle(job, delivery));
    }
    if (options.versions?.probe === 'eager') this.#versions.prefetch(this.languages.list());
  }

  /** The limits applied when a submission sets none. */
  get defaultLimits(): Readonly<Limits> {
    return this.#defaults;
  }

  /** Submissions this judge runs at once (0 for an API-only judge). */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** Most submissions that may wait; beyond it `submit` throws `JDG_ERR_QUEUE_FULL`. */
  get maxQueued(): number {
    return this.#maxQueued;
  }

  /** The highest limits a submission may ask for. */
  get maxLimits(): Readonly<Limits> {
    return this.#max;
  }

  /**
   * Validates and queues a submission; returns its id at once (status `queued`).
   * Throws `JDG_ERR_INPUT_INVALID`, `JDG_ERR_LANGUAGE_UNKNOWN` (also for a `version` this host
   * does not have), `JDG_ERR_LIMIT_EXCEEDS_MAX`, `JDG_ERR_QUEUE_FULL` or `JDG_ERR_JUDGE_CLOSED`;
   * nothing is queued then.
   */
  async submit(input: SubmissionInput, options: SubmitOptions = {}): Promise<string> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    this.#checkAccepting();
    const tenant = options.tenant ?? null;
    const limits =
      options.maxLimits === undefined
        ? { defaultLimits: this.#defaults, maxLimits: this.#max }
        : capLimits(this.#defaults, this.#max, options.maxLimits);
    const submission = prepareSubmission(input, { languages: this.languages, ...limits });
    let version = this.#versions.known(submission.languageId);
    if (submission.version !== null) {
      version = await this.#versions.require(this.languages.get(submission.languageId), submission.version, { signal });
    }
    await checkQueueRoom(this.#queue, this.#maxQueued);
    if (signal?.aborted) throw abortError(signal);
    this.#checkAccepting();
    return enqueue(this.#intake, submission, version, tenant);
  }

  /**
   * Starts a live session: the program runs in a fresh sandbox (a compiled language compiles
   * first, streaming too) while the caller writes its input and reads its output, with a
   * terminal (`tty: true`) or plain pipes. Resolves once the sandbox is open; the session ends
   * at the program's exit, a limit (`limits.wallTimeMs` is its wall cap, `outputBytes` its output
   * volume, `idleTimeoutMs` the longest silence), `session.kill()` or `input.signal`. Capped per
   * judge and per `options.key` (`JDG_ERR_SESSION_LIMIT`); never queued.
   *
   * @example
   * ```ts
   * const session = await judge.session({ language: 'python3', source: 'print("hi", input("name? "))', tty: true })
   * for await (const e of session) if (e.type === 'data') process.stdout.write(e.data)
   * console.log(await session.exit) // { stage: 'run', exitCode: 0, ... }
   * ```
   */
  async session(input: SessionInput, options: SessionCallOptions = {}): Promise<Session> {
    if (input?.signal?.aborted) throw abortError(input.signal);
    this.#checkAccepting();
    return startSession(this.#sessions, input, options);
  }

  /** Live sessions running on this judge now. */
  get runningSessions(): number {
    return this.#sessions.caps.running;
  }

  /** The submission's current state. Throws `JDG_ERR_SUBMISSION_NOT_FOUND` (also for another tenant's id). */
  async get(id: string, options: TenantOptions = {}): Promise<SubmissionResult> {
    return (await this.#read(id, options)).result;
  }

  /** Resolves with the result once the submission is done or cancelled. */
  async wait(id: string, options: WaitOptions = {}): Promise<SubmissionResult> {
    checkSubmissionId(id);
    const { signal, timeoutMs } = options;
    return this.#waiters.wait(id, () => this.get(id, options), { signal, timeoutMs });
  }

  /** Submits and waits. Aborting `signal` cancels the submission. */
  async run(input: SubmissionInput, options: SubmitOptions = {}): Promise<SubmissionResult> {
    const id = await this.submit(input, options);
    const scope = { tenant: options.tenant ?? null };
    try {
      return await this.wait(id, { signal: options.signal, ...scope });
    } catch (error) {
      if (options.signal?.aborted) await this.cancel(id, scope).catch(() => {});
      throw error;
    }
  }

  /**
   * Cancels a submission: a queued one never runs, a running one has its sandbox killed by
   * whichever judge on the bus runs it. Resolves with its state once it has ended (`cancelled`;
   * a finished one is returned unchanged), or, when the judge running it does not answer
   * within `cancelWaitMs`, with its state as stored.
   */
  async cancel(id: string, options: TenantOptions = {}): Promise<SubmissionResult> {
    const stored = await this.#read(id, options);
    const { result } = stored;
    if (result.status === 'done' || result.status === 'cancelled') return result;
    if (result.status === 'queued' && (await this.#queue.remove(id))) return this.#records.finishCancelled(id, stored);
    await this.#bus.requestCancel(id);
    try {
      return await this.wait(id, { ...options, timeoutMs: this.#cancelWaitMs });
    } catch (error) {
      if (!isJudgeError(error, 'JDG_ERR_WAIT_TIMEOUT')) throw error;
      return (await this.#read(id, options)).result;
    }
  }

  /** Deletes a submission (cancelling it first if it has not finished). `false` when unknown (or another tenant's). */
  async delete(id: string, options: TenantOptions = {}): Promise<boolean> {
    checkSubmissionId(id);
    const stored = await this.#records.read(id);
    if (!stored || !this.#visible(stored, options)) return false;
    if (stored.result.status === 'queued' || stored.result.status === 'running') await this.cancel(id, options);
    return this.#store.delete(id);
  }

  /**
   * The submission's events as an async iterable: first its current state (`queued`, `running`,
   * `done` or `cancelled`), then each event until it finishes. Ends after `done`/`cancelled`.
   */
  watch(id: string, options: { signal?: AbortSignal } & TenantOptions = {}): AsyncGenerator<JudgeEvent, void, undefined> {
    return this.#tracked(
      id,
      watchSubmission(this, () => this.get(id, options), id, options.signal),
    );
  }

  /** A watch, counted in `#watched` while it runs (a resync re-reads what is watched). */
  async *#tracked(id: string, events: AsyncGenerator<JudgeEvent, void, undefined>): AsyncGenerator<JudgeEvent, void, undefined> {
    this.#watched.set(id, (this.#watched.get(id) ?? 0) + 1);
    try {
      yield* events;
    } finally {
      const left = (this.#watched.get(id) ?? 1) - 1;
      if (left > 0) this.#watched.set(id, left);
      else this.#watched.delete(id);
    }
  }

  /**
   * After the bus reconnected: events may have been lost, so every submission waited for or
   * watched here is read again, and one that ended meanwhile is delivered as its final event.
   */
  async #resync(): Promise<void> {
    const ids = new Set([...this.#waiters.ids(), ...this.#watched.keys()]);
    await Promise.all(
      [...ids].map(async (id) => {
        const stored = await this.#records.read(id).catch(() => undefined);
        const result = stored?.result;
        if (result && (result.status === 'done' || result.status === 'cancelled')) this.#deliver({ type: result.status, id, result });
      }),
    );
  }

  /**
   * A page of submissions, newest first, filtered by `query` (status, verdict, language,
   * metadata, creation time) and by tenant. Needs a store that lists (the default does):
   * otherwise `JDG_ERR_LISTING_UNAVAILABLE`. A bad query is `JDG_ERR_INPUT_INVALID`.
   *
   * @example
   * ```ts
   * let page = await judge.list({ verdict: 'wrong_answer', limit: 50 }, { tenant: 'acme' })
   * while (page.nextCursor) page = await judge.list({ verdict: 'wrong_answer', cursor: page.nextCursor }, { tenant: 'acme' })
   * ```
   */
  async list(query: Omit<ListQuery, 'tenant'> = {}, options: TenantOptions = {}): Promise<ListPage> {
    return listSubmissions(this.#store, query, options.tenant);
  }

  /** Counters of this judge process: waiting, running, finished by verdict, cancelled, failures, disposals. */
  stats(): JudgeStats {
    return {
      ...this.#stats,
      finished: { ...this.#stats.finished },
      outputBytesInFlight: this.#budget.held,
      outputWaits: this.#budget.waits,
    };
  }

  /** True while the judge takes new submissions. */
  get accepting(): boolean {
    return this.#accepting;
  }

  /**
   * Whether the judge can take and judge work now, without asking the runner anything. A judge
   * whose runner failed with `JDG_ERR_SANDBOX_UNAVAILABLE` is not ready until the runner's health
   * says so again; meanwhile its queued submissions wait (`runnerFaults`).
   */
  ready(): JudgeReadiness {
    return judgeReadiness(this.#gate, this.runner, this.#worker !== undefined, this.#accepting, this.#stats.waitingForRunner);
  }

  /** {@link Judge.ready} plus the runner's own `health()` (when the judge has a runner). */
  async health(options: { signal?: AbortSignal } = {}): Promise<JudgeHealth> {
    return judgeHealth(this.ready(), this.runner, options);
  }

  /**
   * The detected version of a language's toolchain, or `null` when it cannot be told. Probed once
   * per language (in a sandbox of the runner, or from the `versions.source`), then cached.
   */
  version(languageId: string, options: { signal?: AbortSignal } = {}): Promise<string | null> {
    return this.#versions.get(this.languages.get(languageId), options);
  }

  /**
   * Graceful shutdown: refuses new submissions and sessions, ends live sessions (their programs are
   * killed), lets queued and running submissions finish (and their sandboxes be disposed), then
   * closes the runner. Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= closeInOrder({
      stopAccepting: () => {
        this.#accepting = false;
      },
      endSessions: () =>
        Promise.allSettled(
          [...this.#sessions.live].map((s) => {
            s.kill();
            return s.exit;
          }),
        ),
      queue: this.#queue,
      worker: this.#worker,
      gate: this.#gate,
      versions: this.#versions,
      runner: this.runner && this.#closeRunner ? this.runner : undefined,
      destroying: () => this.#destroying !== undefined,
      unsubscribe: this.#unsubscribe,
      bus: this.#ownBus ? this.#bus : undefined,
      removeListeners: () => this.removeAllListeners(),
    });
    return this.#closing;
  }

  /** Forceful shutdown: cancels everything this judge runs, destroys the runner. Idempotent. */
  destroy(): Promise<void> {
    this.#destroying ??= (async () => {
      this.#accepting = false;
      const ids = this.#worker?.abortAll('the judge is shutting down') ?? [];
      const cancellations = ids.map((id) => this.wait(id).catch(() => {}));
      await this.#queue.close();
      await Promise.allSettled(cancellations);
      if (this.runner && this.#closeRunner) await this.runner.destroy();
      await this.close();
    })();
    return this.#destroying;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Every event goes out through the bus; a failing bus must never fail the judging that publishes. */
  #publish(event: JudgeEvent): void {
    try {
      const sent = this.#bus.publish(event);
      if (sent instanceof Promise) sent.catch(() => {});
    } catch {}
  }

  /** Events from the bus (this judge's own included) feed the emitter, the waiters and the counters. */
  #deliver(event: JudgeEvent): void {
    if (event.type === 'running' || ((event.type === 'done' || event.type === 'cancelled') && event.result.startedAt === null)) {
      // The submission has left the queue: it started, or ended without starting.
      if (this.#queuedHere?.delete(event.id) ?? true) this.#stats.queued--;
    }
    try {
      this.emit('event', event);
    } catch (error) {
      // A listener's bug surfaces as an uncaught exception, as from any emitter, without stopping the waiters.
      process.nextTick(() => {
        throw error;
      });
    }
    if (event.type === 'done' || event.type === 'cancelled') this.#waiters.finished(event.id, event.result);
  }

  #checkAccepting(): void {
    if (!this.#accepting) throw new JudgeError('JDG_ERR_JUDGE_CLOSED', 'The judge is closing and takes no new submissions.');
  }

  #visible(stored: StoredSubmission, options: TenantOptions): boolean {
    return options.tenant === undefined || (stored.tenant ?? null) === options.tenant;
  }

  async #read(id: string, options: TenantOptions): Promise<StoredSubmission> {
    checkSubmissionId(id);
    const stored = await this.#records.read(id);
    if (!stored || !this.#visible(stored, options)) {
      throw new JudgeError('JDG_ERR_SUBMISSION_NOT_FOUND', `No submission ${id}.`, { details: { id } });
    }
    return stored;
  }
}
