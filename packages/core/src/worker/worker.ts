import { isJudgeError, JudgeError } from '../errors/judge-error.js';
import type { JudgeEvent } from '../events/contract.js';
import type { JudgeStats } from '../judge/stats.js';
import type { OutputBudget } from '../judging/output-budget.js';
import { internalMessage, type PipelineEnv, type PipelineHooks, runPipeline } from '../judging/pipeline.js';
import type { LanguageRegistry } from '../languages/registry.js';
import type { Job, JobDelivery } from '../queue/contract.js';
import type { Runner, Sandbox } from '../runner/contract.js';
import type { StoredSubmission } from '../store/contract.js';
import type { SubmissionRecords } from '../store/records.js';
import type { SubmissionResult } from '../submission/result.js';
import type { VersionCache } from '../versions/versions.js';
import type { RunnerGate } from './runner-gate.js';
import { Watchdog, watchdogBudgetMs } from './watchdog.js';

/** @internal What a worker judges with. */
export interface WorkerDeps {
  runner: Runner;
  languages: LanguageRegistry;
  records: SubmissionRecords;
  publish(event: JudgeEvent): void;
  stats: JudgeStats;
  versions: VersionCache;
  gate: RunnerGate;
  /** Longest a finished submission's disposal holds its slot, in ms. */
  disposeTimeoutMs: number;
  /**
   * Most disposals that may still be removing a stopped sandbox's files after its slot was freed
   * (see {@link Sandbox.stop}); past it a slot is held until its disposal ends.
   */
  trailingDisposals: number;
  /** The judge-wide bound on the output of commands running at once. */
  budget: OutputBudget;
  /** Most bytes of output kept in one result. */
  maxResultOutputBytes: number;
}

const noop = (): void => {};

/** How long a cancel asked before its job reached this worker is remembered, in ms. */
const earlyCancelMs = 60_000;

/**
 * @internal Judges the jobs its queue hands it: one at a time per call, idempotently. The life
 * of a job: skip it when its stored result is already final; wait for the runner (bounded) when
 * it is unavailable; mark it running; judge it (the pipeline fills the result); store and
 * announce the verdict; then dispose its sandboxes while still holding the queue's slot.
 */
export class Worker {
  readonly #deps: WorkerDeps;
  readonly #controllers = new Map<string, AbortController>();
  /** Cancels that arrived before their job: id → when. */
  readonly #earlyCancels = new Map<string, number>();
  readonly #watchdog = new Watchdog();
  readonly #disposals = new Set<Promise<void>>();
  /** Running submissions, for progress writes to a store that does not hold references. */
  readonly #lives = new Map<string, StoredSubmission>();
  /** One hooks object for every submission: they only announce. */
  readonly #hooks: PipelineHooks;
  readonly #env: PipelineEnv;
  /** Disposals still holding their slot, with when the slot is freed regardless. */
  readonly #disposeDeadlines = new Map<() => void, number>();
  #disposeTimer: NodeJS.Timeout | undefined;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    this.#env = { languages: deps.languages, runner: deps.runner, budget: deps.budget, maxResultOutputBytes: deps.maxResultOutputBytes };
    const { publish, records } = deps;
    this.#hooks = {
      onCompiled: (id, compile) => publish({ type: 'compiled', id, compile }),
      onTest: (id, index, total, test) => {
        const live = this.#lives.get(id);
        if (live) records.progress(id, live);
        publish({ type: 'test', id, index, total, test });
      },
    };
  }

  /** Aborts the submission if this worker is running it; remembers the request briefly otherwise. */
  cancel(id: string, reason = 'cancelled'): boolean {
    const controller = this.#controllers.get(id);
    if (controller) {
      controller.abort(new JudgeError('JDG_ERR_OPERATION_ABORTED', reason));
      return true;
    }
    const now = Date.now();
    if (this.#earlyCancels.size > 10_000) {
      for (const [key, at] of this.#earlyCancels) if (now - at > earlyCancelMs) this.#earlyCancels.delete(key);
    }
    this.#earlyCancels.set(id, now);
    return false;
  }

  /** Aborts every submission this worker runs; resolves with their ids. */
  abortAll(reason: string): string[] {
    const ids = [...this.#controllers.keys()];
    for (const controller of this.#controllers.values()) controller.abort(new JudgeError('JDG_ERR_OPERATION_ABORTED', reason));
    return ids;
  }

  /** True while this worker runs the submission. */
  isRunning(id: string): boolean {
    return this.#controllers.has(id);
  }

  /** Resolves when every background disposal has ended. */
  async settled(): Promise<void> {
    while (this.#disposals.size > 0) await Promise.allSettled([...this.#disposals]);
  }

  stop(): void {
    this.#watchdog.stop();
    clearInterval(this.#disposeTimer);
    this.#disposeTimer = undefined;
  }

  /** The queue's handler. */
  async handle(job: Job, delivery?: JobDelivery): Promise<void> {
    const { id, submission, tenant } = job;
    const { records, stats, publish, gate, versions } = this.#deps;
    const controller = new AbortController();
    const { signal } = controller;
    // Registered before the first await, so a cancel that arrives meanwhile is not lost.
    this.#controllers.set(id, controller);
    if (this.#earlyCancels.size > 0) this.#takeEarlyCancel(id, controller);
    const boxes: Sandbox[] = [];
    let current: StoredSubmission | undefined;
    try {
      const found = records.readNow(id);
      current = found instanceof Promise ? await found.catch(() => undefined) : found;
      // Idempotent: a job whose submission is gone, finished or cancelled makes no second result.
      if (!current || current.result.status === 'done' || current.result.status === 'cancelled') return;
      if (delivery?.abandoned !== undefined) {
        await this.#finishFailed(
          id,
          current,
          tenant,
          submission.tests.length,
          new JudgeError('JDG_ERR_SANDBOX_FAILED', delivery.abandoned),
        );
        return;
      }
      // The sandbox is opened while the submission is still queued: a runner that is unavailable
      // keeps it queued (bounded, or back in a shared queue for another worker), and `running`
      // means its sandbox exists.
      const box = await this.#openMain(submission.languageId, current, signal, delivery?.release);
      if (box === null) return;
      boxes.push(box);
      const result: SubmissionResult = { ...current.result, tests: [], status: 'running', startedAt: new Date().toISOString() };
      if (records.store.holdsReferences) {
        // Same object, new fields: the store already holds it, so progress is visible without writes.
        current.input = submission;
        current.result = result;
      } else {
        current = { input: submission, result, tenant };
        this.#lives.set(id, current);
        const written = records.write(id, current);
        // Refused: another worker finished it meanwhile (a re-delivered job), or it was deleted.
        if (!(written instanceof Promise ? await written : written)) {
          await this.#dispose(boxes, false);
          return;
        }
      }
      publish({ type: 'running', id, result });
      stats.running++;
      this.#watchdog.watch(controller, watchdogBudgetMs(submission));
      let outcome: { failure: unknown };
      try {
        outcome = await runPipeline(this.#env, boxes[0]!, submission, result, signal, this.#hooks, boxes);
      } finally {
        this.#watchdog.unwatch(controller);
        stats.running--;
      }
      if (outcome.failure !== null) {
        stats.sandboxFailures++;
        gate.fault(outcome.failure);
      }
      // From here a cancel changes nothing: the verdict is in.
      this.#controllers.delete(id);
      result.status = 'done';
      result.finishedAt = new Date().toISOString();
      if (result.language.version === null) result.language = { ...result.language, version: versions.known(result.language.id) };
      const verdict = result.verdict ?? 'internal_error';
      stats.finished[verdict] = (stats.finished[verdict] ?? 0) + 1;
      const written = records.writeFinal(id, { input: null, result, tenant });
      // Refused: another worker's result is final already (a re-delivered job); it was announced by that worker.
      if (written instanceof Promise ? await written : written) publish({ type: 'done', id, result });
      // The verdict is out; the slot stays held until the sandboxes are gone (bounded).
      await this.#dispose(boxes, true);
    } catch (error) {
      await this.#dispose(boxes, false);
      if (!current) return;
      if (signal.aborted && isJudgeError(signal.reason, 'JDG_ERR_OPERATION_ABORTED')) {
        await records.finishCancelled(id, { ...current, input: null, tenant });
      } else {
        await this.#finishFailed(id, current, tenant, submission.tests.length, error);
      }
    } finally {
      this.#controllers.delete(id);
      if (this.#lives.size > 0) this.#lives.delete(id);
    }
  }

  #takeEarlyCancel(id: string, controller: AbortController): void {
    const early = this.#earlyCancels.get(id);
    if (early === undefined) return;
    this.#earlyCancels.delete(id);
    if (Date.now() - early <= earlyCancelMs) controller.abort(new JudgeError('JDG_ERR_OPERATION_ABORTED', 'cancelled'));
  }

  /** Opens a sandbox; a success tells the gate the runner works. */
  async #open(languageId: string, signal: AbortSignal): Promise<Sandbox> {
    const box = await this.#deps.runner.open({ language: this.#deps.languages.get(languageId) }, { signal });
    this.#deps.gate.ok();
    return box;
  }

  /**
   * Opens the submission's sandbox, waiting while the runner is unavailable: each wait is bounded
   * from when the runner failed or the submission was queued, whichever is later. With `release`
   * (a shared queue), the job is handed back for another worker instead: `null`.
   */
  async #openMain(languageId: string, stored: StoredSubmission, signal: AbortSignal, release?: () => void): Promise<Sandbox | null> {
    const { gate, stats } = this.#deps;
    if (gate.available) {
      try {
        return await this.#open(languageId, signal);
      } catch (error) {
        if (signal.aborted || !gate.fault(error)) throw error;
      }
    }
    if (release) {
      release();
      return null;
    }
    const queuedAt = Date.parse(stored.result.createdAt) || Date.now();
    for (;;) {
      if (!gate.available) {
        stats.waitingForRunner++;
        try {
          await gate.pass(queuedAt, signal);
        } finally {
          stats.waitingForRunner--;
        }
      }
      try {
        return await this.#open(languageId, signal);
      } catch (error) {
        if (signal.aborted || !gate.fault(error)) throw error;
      }
    }
  }

  /** Ends a submission whose judging could not start: the runner stayed unavailable, or the store failed. */
  async #finishFailed(id: string, stored: StoredSubmission, tenant: string | null, total: number, error: unknown) {
    const { records, stats, publish } = this.#deps;
    const result: SubmissionResult = {
      ...stored.result,
      status: 'done',
      verdict: 'internal_error',
      message: internalMessage(error),
      finishedAt: new Date().toISOString(),
      compile: null,
      tests: [],
      summary: { passed: 0, total, maxCpuTimeMs: 0, maxWallTimeMs: 0, maxMemoryBytes: 0 },
    };
    stats.sandboxFailures++;
    stats.finished.internal_error = (stats.finished.internal_error ?? 0) + 1;
    if (await records.writeFinal(id, { input: null, result, tenant })) publish({ type: 'done', id, result });
  }

  /**
   * Disposes the sandboxes. After a verdict the submission's slot stays held until they are gone,
   * or until `disposeTimeoutMs` (one coarse timer for all: a timer per job costs more than a fast
   * disposal).
   */
  async #dispose(boxes: Sandbox[], afterVerdict: boolean): Promise<void> {
    if (boxes.length === 0) return;
    const { stats, disposeTimeoutMs } = this.#deps;
    const started = performance.now();
    if (afterVerdict) stats.disposing++;
    // Stopped: every sandbox of the submission stopped (one that cannot stop counts when disposed).
    const stops = boxes.map((b) => (b.stop ? b.stop().then(noop, noop) : null));
    const disposal = (boxes.length === 1 ? boxes[0]!.dispose() : Promise.allSettled(boxes.map((b) => b.dispose()))).then(noop, noop);
    const stopped = stops.every((s) => s !== null) ? Promise.all(stops).then(noop) : null;
    boxes.length = 0;
    const finished = disposal.then(() => {
      if (afterVerdict) stats.disposing--;
      stats.disposeMsTotal += performance.now() - started;
      this.#disposals.delete(finished);
    });
    this.#disposals.add(finished);
    let release!: () => void;
    const freed = new Promise<'timeout'>((resolve) => {
      release = () => resolve('timeout');
    });
    this.#disposeDeadlines.set(release, Date.now() + disposeTimeoutMs);
    this.#disposeTimer ??= setInterval(() => this.#sweepDisposals(), Math.max(5, Math.min(1000, disposeTimeoutMs / 4))).unref();
    const trailing = stopped !== null && this.#disposals.size <= this.#deps.trailingDisposals;
    const first = await Promise.race(trailing ? [finished, freed, stopped] : [finished, freed]);
    this.#disposeDeadlines.delete(release);
    if (first === 'timeout') stats.disposeTimeouts++;
  }

  #sweepDisposals(): void {
    const now = Date.now();
    for (const [release, deadline] of this.#disposeDeadlines) if (now >= deadline) release();
  }
}
