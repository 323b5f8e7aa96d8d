import type { BusListener, JudgeEvent, SubmissionBus } from './contract.js';

/**
 * The default {@link SubmissionBus}: connects the judges of one process, synchronously (an event
 * reaches every subscriber before `publish` returns). One bus shared by several judges makes an
 * API-only judge and a worker judge in one process behave as they would across machines.
 *
 * One listener object subscribed twice is one subscriber. A subscriber that throws does not stop delivery to the others; the first error is rethrown to
 * the publisher after every subscriber has been called.
 */
export class InProcessBus implements SubmissionBus {
  readonly #listeners = new Set<BusListener>();
  #closed = false;

  publish(event: JudgeEvent): void {
    this.#each((l) => l.event(event));
  }

  requestCancel(id: string): void {
    this.#each((l) => l.cancel(id));
  }

  /**
   * Tells every subscriber that events may have been lost, so it reads again what it waits for
   * (`BusListener.resync`). A bus that carries events between processes calls it after an outage.
   */
  resync(): void {
    this.#each((l) => l.resync?.());
  }

  subscribe(listener: BusListener): () => void {
    if (this.#closed) return () => {};
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }

  /** Subscribers now. */
  get subscribers(): number {
    return this.#listeners.size;
  }

  #each(fn: (listener: BusListener) => void): void {
    if (this.#listeners.size === 1) {
      for (const l of this.#listeners) fn(l);
      return;
    }
    let failure: { error: unknown } | undefined;
    for (const l of [...this.#listeners]) {
      try {
        fn(l);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
