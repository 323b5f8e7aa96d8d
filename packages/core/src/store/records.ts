import { isJudgeError, JudgeError } from '../errors/judge-error.js';
import type { JudgeEvent } from '../events/contract.js';
import type { JudgeStats } from '../judge/stats.js';
import type { ResultStore, StoredSubmission } from './contract.js';

/**
 * @internal The judge's access to its store: reads and writes with coded errors, staying
 * synchronous when the store is (the hot path of an in-memory judge), and the one way a
 * submission is ended as cancelled.
 */
export class SubmissionRecords {
  constructor(
    readonly store: ResultStore,
    private readonly publish: (event: JudgeEvent) => void,
    private readonly stats: JudgeStats,
  ) {}

  /** The stored submission; `JDG_ERR_STORE_FAILED` when the store fails. */
  async read(id: string): Promise<StoredSubmission | undefined> {
    const found = this.readNow(id);
    return found instanceof Promise ? await found : found;
  }

  /** Like {@link read}, without a promise when the store is synchronous (the worker's hot path). */
  readNow(id: string): StoredSubmission | undefined | Promise<StoredSubmission | undefined> {
    const failed = (cause: unknown) =>
      isJudgeError(cause) ? cause : new JudgeError('JDG_ERR_STORE_FAILED', `The store failed to read submission ${id}.`, { cause });
    let found: StoredSubmission | undefined | Promise<StoredSubmission | undefined>;
    try {
      found = this.store.get(id);
    } catch (cause) {
      throw failed(cause);
    }
    if (found instanceof Promise) {
      return found.catch((cause: unknown) => {
        throw failed(cause);
      });
    }
    return found;
  }

  /**
   * Writes; returns a promise only when the store is asynchronous. `false` when the store refused
   * the write (the submission's result is already final, or the submission is gone).
   */
  write(id: string, value: StoredSubmission): boolean | Promise<boolean> {
    const failed = (cause: unknown) =>
      isJudgeError(cause) ? cause : new JudgeError('JDG_ERR_STORE_FAILED', `The store failed to write submission ${id}.`, { cause });
    // biome-ignore lint/suspicious/noConfusingVoidType: what `ResultStore.set` returns.
    let pending: void | boolean | Promise<void | boolean>;
    try {
      pending = this.store.set(id, value);
    } catch (cause) {
      throw failed(cause);
    }
    if (pending instanceof Promise) {
      return pending.then(
        (written) => written !== false,
        (cause: unknown) => {
          throw failed(cause);
        },
      );
    }
    return pending !== false;
  }

  /** A progress write: best effort, never failing the submission. */
  progress(id: string, value: StoredSubmission): void {
    if (this.store.holdsReferences) return;
    try {
      const written = this.write(id, value);
      if (written instanceof Promise) written.catch(() => {});
    } catch {}
  }

  /**
   * The final write of a finished submission. Its watchers get the result through the event even
   * when the store fails, so the failure is counted rather than thrown into the worker. `false`
   * only when the store refused it: another result is already final, so nothing is to be announced.
   */
  writeFinal(id: string, value: StoredSubmission): boolean | Promise<boolean> {
    try {
      const written = this.write(id, value);
      if (written instanceof Promise) {
        return written.catch(() => {
          this.stats.storeFailures++;
          return true;
        });
      }
      return written;
    } catch {
      this.stats.storeFailures++;
      return true;
    }
  }

  /**
   * Ends a submission as cancelled: stores it and announces it. When the store refuses (another
   * process finished it first), the stored final result is returned and nothing is announced.
   */
  async finishCancelled(id: string, stored: StoredSubmission, message: string | null = null): Promise<StoredSubmission['result']> {
    const result: StoredSubmission['result'] = {
      ...stored.result,
      status: 'cancelled',
      finishedAt: new Date().toISOString(),
      ...(message === null ? {} : { message }),
    };
    if (!(await this.writeFinal(id, { input: null, result, tenant: stored.tenant }))) {
      return (await this.read(id).catch(() => undefined))?.result ?? result;
    }
    this.stats.cancelled++;
    this.publish({ type: 'cancelled', id, result });
    return result;
  }
}
