import { isJudgeError, JudgeError } from '../errors/judge-error.js';
import type { JudgeEvent } from '../events/contract.js';
import type { JobQueue } from '../queue/contract.js';
import type { ResultStore } from '../store/contract.js';
import type { SubmissionRecords } from '../store/records.js';
import { submissionId } from '../submission/ids.js';
import type { PreparedSubmission } from '../submission/prepare.js';
import { queuedResult } from '../submission/result.js';
import type { JudgeStats } from './stats.js';

/** @internal What {@link enqueue} writes to and announces on: the judge's own parts. */
export interface Intake {
  records: SubmissionRecords;
  store: ResultStore;
  queue: JobQueue;
  stats: JudgeStats;
  /** Submissions queued here and not started, when the bus is shared; `null` on the judge's own bus. */
  queuedHere: Set<string> | null;
  publish(event: JudgeEvent): void;
}

/** @internal Refuses a submission with `JDG_ERR_QUEUE_FULL` when `maxQueued` already wait. */
export async function checkQueueRoom(queue: JobQueue, maxQueued: number): Promise<void> {
  const waiting = queue.waiting();
  if ((typeof waiting === 'number' ? waiting : await waiting) >= maxQueued) {
    throw new JudgeError('JDG_ERR_QUEUE_FULL', `The queue holds ${maxQueued} waiting submissions; retry later.`, {
      details: { maxQueued },
    });
  }
}

/**
 * @internal Stores a prepared submission as `queued`, announces it and pushes it on the queue;
 * returns its new id. A queue that refuses the push leaves nothing behind: the record is deleted,
 * `cancelled` is announced and `JDG_ERR_QUEUE_FULL` thrown (`JDG_ERR_BACKEND_UNAVAILABLE` as it
 * came when the queue cannot be reached).
 */
export async function enqueue(
  intake: Intake,
  submission: PreparedSubmission,
  version: string | null,
  tenant: string | null,
): Promise<string> {
  const id = submissionId();
  const result = queuedResult(id, submission, version);
  const written = intake.records.write(id, { input: submission, result, tenant });
  if (written instanceof Promise) await written;
  intake.queuedHere?.add(id);
  intake.stats.queued++;
  // Announced before the push: an in-process queue may start the job synchronously inside it.
  intake.publish({ type: 'queued', id, result });
  try {
    const pushed = intake.queue.push({ id, submission, tenant });
    if (pushed) await pushed;
  } catch (cause) {
    if (intake.queuedHere?.delete(id) ?? true) intake.stats.queued--;
    await Promise.resolve()
      .then(() => intake.store.delete(id))
      .catch(() => {});
    intake.publish({ type: 'cancelled', id, result: { ...result, status: 'cancelled', message: 'the queue refused the submission' } });
    // A queue that cannot be reached says so (503, retry later); any other refusal is a full queue.
    if (isJudgeError(cause, 'JDG_ERR_BACKEND_UNAVAILABLE')) throw cause;
    throw new JudgeError('JDG_ERR_QUEUE_FULL', 'The queue refused the submission.', { cause });
  }
  return id;
}
