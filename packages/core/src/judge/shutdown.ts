import type { SubmissionBus } from '../events/contract.js';
import type { JobQueue } from '../queue/contract.js';
import type { Runner } from '../runner/contract.js';
import type { VersionCache } from '../versions/versions.js';
import type { RunnerGate } from '../worker/runner-gate.js';
import type { Worker } from '../worker/worker.js';

/** @internal The parts {@link closeInOrder} shuts down; absent ones are skipped. */
export interface ClosingParts {
  stopAccepting(): void;
  /** Ends the live sessions (their programs are killed) and resolves when they have exited. */
  endSessions(): Promise<unknown>;
  queue: JobQueue;
  worker: Worker | undefined;
  gate: RunnerGate | undefined;
  versions: VersionCache;
  /** The runner, when the judge closes it (`closeRunner`). */
  runner: Runner | undefined;
  /** Whether `destroy()` started the shutdown (then the runner is destroyed, not closed). */
  destroying(): boolean;
  unsubscribe(): void;
  /** The bus, when the judge made it (a bus passed in belongs to its owner). */
  bus: SubmissionBus | undefined;
  removeListeners(): void;
}

/**
 * @internal {@link Judge.close}: refuse new work, end live sessions (a session lasts as long as
 * its client talks, so closing ends it rather than waiting), drain the queue, wait for running submissions and
 * their sandboxes, then close the runner and the bus. Each step runs in its own try/catch, so one
 * failing step never skips the rest; their errors are thrown together at the end.
 */
export async function closeInOrder(parts: ClosingParts): Promise<void> {
  parts.stopAccepting();
  const errors: unknown[] = [];
  const step = async (fn: () => unknown) => {
    try {
      await fn();
    } catch (error) {
      errors.push(error);
    }
  };
  await step(() => parts.endSessions());
  if (parts.worker) await step(() => parts.queue.drain());
  await step(() => parts.queue.close());
  await step(() => parts.worker?.settled());
  parts.gate?.close();
  parts.worker?.stop();
  parts.versions.close();
  const { runner } = parts;
  if (runner) await step(() => (parts.destroying() ? runner.destroy() : runner.close()));
  parts.unsubscribe();
  if (parts.bus) await step(() => parts.bus!.close());
  parts.removeListeners();
  if (errors.length > 0) throw new AggregateError(errors, 'Judge.close: some cleanup steps failed');
}
