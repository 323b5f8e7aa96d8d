/**
 * Counters of one judge process (in a cluster, each process counts its own; the queue's
 * `waiting()`/`running()` give the cluster's).
 */
export interface JudgeStats {
  /** Submitted through this judge and not started yet. */
  queued: number;
  /** Being judged by this judge now. */
  running: number;
  /** Finished by this judge, by verdict. */
  finished: Record<string, number>;
  /** Cancelled through this judge or while it ran them. */
  cancelled: number;
  /** Submissions this judge ended as internal_error because the sandbox or its machinery failed. */
  sandboxFailures: number;
  /** Writes of a finished result that the store refused (the result still reached its watchers). */
  storeFailures: number;
  /** Submissions waiting in this judge for its runner to become available again. */
  waitingForRunner: number;
  /** Finished submissions whose sandboxes are being disposed now (each still holds its slot). */
  disposing: number;
  /** Disposals that took longer than `disposeTimeoutMs`: the slot was freed, the disposal goes on. */
  disposeTimeouts: number;
  /** Milliseconds spent disposing sandboxes after verdicts, in all. */
  disposeMsTotal: number;
  /** Output bytes reserved now by running commands (bounded by `maxOutputBytesInFlight`). */
  outputBytesInFlight: number;
  /** Commands that waited for room in `maxOutputBytesInFlight`, in all. */
  outputWaits: number;
}

/** @internal Every counter at zero. */
export function emptyStats(): JudgeStats {
  return {
    queued: 0,
    running: 0,
    finished: {},
    cancelled: 0,
    sandboxFailures: 0,
    storeFailures: 0,
    waitingForRunner: 0,
    disposing: 0,
    disposeTimeouts: 0,
    disposeMsTotal: 0,
    outputBytesInFlight: 0,
    outputWaits: 0,
  };
}
