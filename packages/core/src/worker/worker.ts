import { isJudgeError, JudgeError } from '../errors/judge-error.js';
import type { JudgeEvent } from '../events/contract.js';
import type { JudgeStats } from '../judge/stats.js';
import type { OpenSandbox } from '../judging/custom-checker.js';
import { internalMessage, runPipeline } from '../judging/pipeline.js';
import type { LanguageRegistry } from '../languages/registry.js';
import type { Job } from '../queue/contract.js';
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
}

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

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
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
  }

  /** The queue's handler. */
  async handle(job: Job): Promise<void> {
    const { id, submission, tenant } = job;
    const controller = new AbortController();
    // Registered before the first await, so a cancel that arrives meanwhile is not lost.
    this.#controllers.set(id, controller);
    const early = this.#earlyCancels.get(id);
    if (early !== undefined) {
      this.#earlyCancels.delete(id);
      if (Date.now() - early <= earlyCancelMs) controller.abort(new JudgeError('JDG_ERR_OPERATION_ABORTED', 'cancelled'));
    }
    const { records } = this.#deps;
    const boxes: Sandbox[] = [];
    let current: StoredSubmission | undefined;
    try {
      current = await records.read(id).catch(() => undefined);
      // Idempotent: a job whose submission is gone, finished or cancelled makes no second result.
      if (!current || current.result.status === 'done' || current.result.status === 'cancelled') return;
      const queuedAt = Date.parse(current.result.createdAt) || Date.now();
      // The sandbox is opened while the submission is still queued: a runner that is unavailable
      // keeps it queued (bounded), and `running` means its sandbox exists.
      boxes.push(await this.#openWaiting(submission.languageId, queuedAt, controller.signal));
      current = await this.#start(id, current, job);
      await this.#judge(id, job, current, controller, boxes);
    } catch (error) {
      await this.#dispose(boxes, false);
      if (!current) return;
      if (controller.signal.aborted && isJudgeError(controller.signal.reason, 'JDG_ERR_OPERATION_ABORTED')) {
        await records.finishCancelled(id, { ...current, input: null, tenant });
      } else {
        await this.#finishFailed(id, current, tenant, submission.tests.length, error);
      }
    } finally {
      this.#controllers.delete(id);
    }
  }

  /** Opens the submission's sandbox, waiting (bounded) while the runner is unavailable. */
  async #openWaiting(languageId: string, queuedAt: number, signal: AbortSignal): Promise<Sandbox> {
    const { gate, runner, stats, languages } = this.#deps;
    const language = languages.get(languageId);
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
        const box = await runner.open({ language }, { signal });
        gate.ok();
        return box;
      } catch (error) {
        if (signal.aborted || !gate.fault(error)) throw error;
      }
    }
  }

  /** Marks the submission running: stored and announced. */
  async #start(id: string, stored: StoredSubmission, job: Job): Promise<StoredSubmission> {
    const { records, publish } = this.#deps;
    const result: SubmissionResult = { ...stored.result, tests: [], status: 'running', startedAt: new Date().toISOString() };
    let live: StoredSubmission;
    if (records.store.holdsReferences) {
      // Same object, new fields: the store already holds it, so progress is visible without writes.
      stored.input = job.submission;
      stored.result = result;
      live = stored;
    } else {
      live = { input: job.submission, result, tenant: job.tenant };
      const written = records.write(id, live);
      if (written) await written;
    }
    publish({ type: 'running', id, result });
    return live;
  }

  async #judge(id: string, job: Job, live: StoredSubmission, controller: AbortController, boxes: Sandbox[]) {
    const { records, stats, publish, gate, runner, versions } = this.#deps;
    const { submission, tenant } = job;
    const { result } = live;
    const signal = controller.signal;
    const [main] = boxes;
    let handedMain = false;
    // The first sandbox asked for is the one opened already; a custom checker gets its own.
    const open: OpenSandbox = async (language) => {
      if (!handedMain && main) {
        handedMain = true;
        return main;
      }
      const box = await runner.open({ language }, { signal });
      boxes.push(box);
      return box;
    };
    stats.running++;
    this.#watchdog.watch(controller, watchdogBudgetMs(submission));
    let outcome: { failure: unknown };
    try {
      outcome = await runPipeline({ languages: this.#deps.languages, open }, submission, result, signal, {
        onCompiled: (compile) => publish({ type: 'compiled', id, compile }),
        onTest: (index, test) => {
          records.progress(id, live);
          publish({ type: 'test', id, index, total: submission.tests.length, test });
        },
      });
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
    await records.writeFinal(id, { input: null, result, tenant });
    publish({ type: 'done', id, result });
    // The verdict is out; the slot stays held until the sandboxes are gone (bounded).
    await this.#dispose(boxes, true);
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
    await records.writeFinal(id, { input: null, result, tenant });
    publish({ type: 'done', id, result });
  }

  async #dispose(boxes: Sandbox[], afterVerdict: boolean): Promise<void> {
    if (boxes.length === 0) return;
    const { stats, disposeTimeoutMs } = this.#deps;
    const started = performance.now();
    if (afterVerdict) stats.disposing++;
    const disposal = Promise.allSettled(boxes.splice(0).map((b) => b.dispose())).then(() => {
      if (afterVerdict) stats.disposing--;
      stats.disposeMsTotal += performance.now() - started;
    });
    this.#disposals.add(disposal);
    void disposal.finally(() => this.#disposals.delete(disposal));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), disposeTimeoutMs);
    });
    const first = await Promise.race([disposal, timedOut]);
    clearTimeout(timer);
    if (first === 'timeout') stats.disposeTimeouts++;
  }
}
