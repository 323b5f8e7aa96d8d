import type { Runner, RunnerHealth } from '../runner/contract.js';
import type { RunnerGate } from '../worker/runner-gate.js';
import type { JudgeHealth, JudgeReadiness } from './call-options.js';

/** @internal {@link Judge.ready}: from what the judge knows, without asking the runner anything. */
export function judgeReadiness(
  gate: RunnerGate | undefined,
  runner: Runner | undefined,
  runsSubmissions: boolean,
  accepting: boolean,
  waitingForRunner: number,
): JudgeReadiness {
  const state = gate?.state ?? (runner ? { name: runner.name, available: true, unavailableSince: null, reason: null } : null);
  const available = !runsSubmissions || (state?.available ?? false);
  return { ready: accepting && available, accepting, runner: state, waitingForRunner };
}

/** @internal {@link Judge.health}: the readiness plus the runner's own report; a failing check is a problem, not a throw. */
export async function judgeHealth(
  readiness: JudgeReadiness,
  runner: Runner | undefined,
  options: { signal?: AbortSignal },
): Promise<JudgeHealth> {
  if (!runner) return { ...readiness, details: { runner: 'none (API-only judge)' }, problems: [] };
  let health: RunnerHealth;
  try {
    health = await runner.health(options);
  } catch (error) {
    health = { ready: false, details: {}, problems: [{ message: `health check failed: ${(error as Error).message}` }] };
  }
  const problems = [...health.problems];
  if (readiness.runner && !readiness.runner.available) {
    problems.unshift({
      message: `The ${readiness.runner.name} runner has been unavailable since ${readiness.runner.unavailableSince}: ${readiness.runner.reason}; queued submissions wait for it.`,
    });
  }
  return { ...readiness, ready: readiness.ready && health.ready, details: health.details, problems };
}
