import { JudgeError } from '../errors/judge-error.js';
import type { PreparedSubmission } from '../submission/prepare.js';

/** Slack added to a submission's own limits before the watchdog calls it stuck. */
export const watchdogSlackMs = 30_000;

/** @internal The longest a submission may take: every wall limit it can use, plus slack. */
export function watchdogBudgetMs(submission: PreparedSubmission): number {
  let budget = watchdogSlackMs + submission.compileLimits.wallTimeMs + (submission.checkerCompileLimits?.wallTimeMs ?? 0);
  for (const t of submission.tests) budget += t.limits.wallTimeMs + (submission.checkerLimits?.wallTimeMs ?? 0);
  return budget;
}

/**
 * @internal One coarse timer for every running submission (a timer per job costs more than the
 * job on a fast path): a submission that overruns its own limits plus slack is aborted as a
 * sandbox failure.
 */
export class Watchdog {
  readonly #deadlines = new Map<AbortController, number>();
  #timer: NodeJS.Timeout | undefined;

  watch(controller: AbortController, budgetMs: number): void {
    this.#deadlines.set(controller, Date.now() + budgetMs);
    this.#timer ??= setInterval(() => this.#sweep(), 1000).unref();
  }

  unwatch(controller: AbortController): void {
    // The timer stays (unref'd, so it holds no process open) until stop(): busy judges would
    // otherwise create and clear it for every burst.
    this.#deadlines.delete(controller);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [controller, deadline] of this.#deadlines) {
      if (now < deadline) continue;
      this.unwatch(controller);
      controller.abort(
        new JudgeError('JDG_ERR_SANDBOX_FAILED', 'judging took longer than its limits allow; the sandbox stopped answering'),
      );
    }
  }
}
