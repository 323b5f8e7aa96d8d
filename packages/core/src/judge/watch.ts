import { type EventEmitter, on } from 'node:events';
import type { JudgeEvent } from '../events/contract.js';
import type { SubmissionResult } from '../submission/result.js';

/**
 * @internal One submission's events from a judge's emitter: first its current state, then each
 * event until it ends. Listening starts before the state is read, so nothing falls between.
 */
export async function* watchSubmission(
  emitter: EventEmitter<{ event: [JudgeEvent] }>,
  current: () => Promise<SubmissionResult>,
  id: string,
  outer: AbortSignal | undefined,
): AsyncGenerator<JudgeEvent, void, undefined> {
  const controller = new AbortController();
  const signal = outer ? AbortSignal.any([controller.signal, outer]) : controller.signal;
  const events = on(emitter, 'event', { signal });
  try {
    const snapshot = await current();
    yield { type: snapshot.status, id, result: snapshot } as JudgeEvent;
    if (snapshot.status === 'done' || snapshot.status === 'cancelled') return;
    let skipSnapshotTwin = true;
    for await (const [event] of events as AsyncIterable<[JudgeEvent]>) {
      if (event.id !== id) continue;
      // The snapshot may already reflect the first live event (it was emitted before we read).
      if (skipSnapshotTwin && event.type === snapshot.status) {
        skipSnapshotTwin = false;
        continue;
      }
      skipSnapshotTwin = false;
      yield event;
      if (event.type === 'done' || event.type === 'cancelled') return;
    }
  } catch (error) {
    if (outer?.aborted) return;
    throw error;
  } finally {
    controller.abort();
  }
}
