import type { RunnerHealth } from '../runner/contract.js';
import type { Limits } from '../runner/limits.js';
import type { RunnerState } from '../worker/runner-gate.js';

/** Options for {@link Judge.wait}. */
export interface WaitOptions extends TenantOptions {
  signal?: AbortSignal;
  /** Give up after this many milliseconds with `JDG_ERR_WAIT_TIMEOUT`. @defaultValue no bound */
  timeoutMs?: number;
}

/**
 * Whose submission a call may see. Absent: any submission (the embedding application, an admin).
 * A string: only that tenant's; `null`: only submissions made without a tenant. Another
 * tenant's id answers `JDG_ERR_SUBMISSION_NOT_FOUND`, exactly like an unknown one.
 */
export interface TenantOptions {
  tenant?: string | null;
}

/** Options for {@link Judge.submit} and {@link Judge.run}. */
export interface SubmitOptions {
  /** Aborting it before the submission is queued refuses it; for `run`, aborting later cancels it. */
  signal?: AbortSignal;
  /** The tenant submitting, stored with the submission. @defaultValue null (no tenant) */
  tenant?: string | null;
  /**
   * Per-call maxima (a tenant's quota) under the judge's own: each effective maximum is the
   * lower of the two. A requested limit above it is refused; a default above it is lowered to it.
   */
  maxLimits?: Partial<Limits>;
}

/** Whether a judge can take and judge work now (for `/readyz`). */
export interface JudgeReadiness {
  /** Accepting, and (for a judge that runs submissions) its runner is available. */
  ready: boolean;
  /** False once `close()` or `destroy()` was called. */
  accepting: boolean;
  /** The runner as this judge sees it; `null` for an API-only judge without one. */
  runner: RunnerState | null;
  /** Submissions held in this judge until its runner is available again. */
  waitingForRunner: number;
}

/** {@link JudgeReadiness} plus the runner's own health report. */
export interface JudgeHealth extends RunnerHealth, JudgeReadiness {}
