import type { StepResult, SubmissionResult, TestResult } from '../submission/result.js';

/**
 * Lifecycle and progress events of one submission, in this order: `queued`, `running`,
 * `compiled` (compiled languages), one `test` per test, then `done`; or `cancelled` at any point.
 * Every event carries the submission id and is plain JSON, so a bus can carry it across processes.
 */
export type JudgeEvent =
  | { type: 'queued'; id: string; result: SubmissionResult }
  | { type: 'running'; id: string; result: SubmissionResult }
  | { type: 'compiled'; id: string; compile: StepResult }
  | { type: 'test'; id: string; index: number; total: number; test: TestResult }
  | { type: 'done'; id: string; result: SubmissionResult }
  | { type: 'cancelled'; id: string; result: SubmissionResult };

/** What a {@link SubmissionBus} delivers to each subscriber. */
export interface BusListener {
  /** An event of any submission, from whichever process published it. */
  event(event: JudgeEvent): void;
  /**
   * A request to cancel a submission. A judge aborts it only when it is running the submission
   * itself; every other judge ignores it.
   */
  cancel(id: string): void;
  /**
   * Told after the bus lost its connection and got it back: events published meanwhile may be
   * lost, so the judge re-reads the stored state of every submission it waits for or watches.
   */
  resync?(): void;
}

/**
 * Carries submission events and cancel requests between judges: the judge that runs a
 * submission publishes its events, and every judge on the bus — an API node serving `watch` or
 * `wait`, a worker — receives them. A cancel asked on any judge reaches the one running it.
 *
 * The default, {@link InProcessBus}, connects the judges of one process; a Redis bus connects
 * processes and machines. Contract:
 * - every published event reaches every subscriber once, in publish order per submission,
 *   including the subscribers in the publishing process (a judge's own `watch`, `wait` and
 *   `'event'` listeners are fed only from its subscription);
 * - `requestCancel` reaches every subscriber's `cancel`, including the caller's own;
 * - delivery is at most once: an event published while a subscriber is disconnected may be lost;
 *   a bus that reconnects calls each subscriber's `resync`, and the judge then re-reads the stored
 *   state of what it waits for, so a lost `done` never leaves a watcher waiting;
 * - methods may be sync or async; `close` is idempotent and ends delivery to every subscriber.
 *
 * @example
 * ```ts
 * const bus = new InProcessBus()
 * const api = new Judge({ concurrency: 0, bus, queue, store })   // takes submissions
 * const worker = new Judge({ runner, bus, queue, store })        // judges them
 * for await (const e of api.watch(await api.submit(input))) console.log(e.type)
 * ```
 */
export interface SubmissionBus {
  /** Sends an event to every subscriber. */
  publish(event: JudgeEvent): void | Promise<void>;
  /** Asks whichever judge runs the submission to cancel it. */
  requestCancel(id: string): void | Promise<void>;
  /** Adds a subscriber; returns the function that removes it. */
  subscribe(listener: BusListener): () => void;
  /** Stops delivering and releases connections. Idempotent. */
  close(): Promise<void>;
}
