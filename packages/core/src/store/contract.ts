import type { SubmissionResult } from '../submission/result.js';

/**
 * Where submissions live between `submit` and their expiry. Methods may be sync or async, so an
 * in-memory map and a Redis client both fit.
 */
export interface ResultStore<V = StoredSubmission> {
  get(id: string): V | undefined | Promise<V | undefined>;
  set(id: string, value: V): void | Promise<void>;
  /** `true` when something was deleted. */
  delete(id: string): boolean | Promise<boolean>;
  /**
   * True when the store keeps the very object it was given (an in-process map), so changes the
   * judge makes to a running submission's result are visible without writing it again; the judge
   * then skips its progress writes. Leave unset for stores that serialise (Redis, a database).
   */
  readonly holdsReferences?: boolean;
}

/** What the judge stores per submission: the prepared input until it has run, and the result. */
export interface StoredSubmission {
  /** Plain data the worker needs; removed once the submission has finished. */
  input: unknown;
  result: SubmissionResult;
}
