import type { RunnerHealth } from '@judgekit/core';

/**
 * Renders a {@link RunnerHealth} as the lines `judgekit doctor` prints: facts, then each
 * problem with its fix.
 *
 * @example
 * ```ts
 * console.log(formatHealth(await new DockerRunner().health()))
 * ```
 */
export function formatHealth(health: RunnerHealth, name = 'docker'): string {
  const lines = [`${name}: ${health.ready ? 'ready' : 'NOT READY'}`];
  for (const [key, value] of Object.entries(health.details)) lines.push(`  ${key}: ${value}`);
  for (const problem of health.problems) {
    lines.push(`  problem: ${problem.message}`);
    if (problem.fix) lines.push(`    fix: ${problem.fix}`);
  }
  return lines.join('\n');
}
