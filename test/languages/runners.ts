import type { Runner } from '@judgekit/core';
import { DockerRunner } from '@judgekit/runner-docker';
import { NsjailRunner } from '@judgekit/runner-nsjail';

/** A sandbox backend the language tests run against, with how to install it. */
export interface RunnerCase {
  name: 'nsjail' | 'docker';
  create(): Runner;
  install: string;
}

export const runnerCases: RunnerCase[] = [
  {
    name: 'nsjail',
    create: () => new NsjailRunner(),
    install: 'sudo bash scripts/setup/nsjail.sh && sudo bash scripts/setup/toolchains.sh',
  },
  {
    name: 'docker',
    // No warm pool: a test opens one sandbox at a time, and idle pooled containers would only cost memory.
    // The tests' own variant of C (tight compile limits) runs in the C image.
    create: () => new DockerRunner({ pool: { size: 0 }, images: { 'c-tight-compile': 'judgekit/c:latest' } }),
    install: 'sudo bash scripts/setup/docker.sh',
  },
];

/**
 * Whether the runner works on this host. Under CI a missing runner throws, naming the setup
 * step, so a machine without a sandbox fails the run instead of passing it with nothing tested.
 */
export async function runnerReady(runnerCase: RunnerCase): Promise<boolean> {
  const runner = runnerCase.create();
  try {
    const health = await runner.health();
    if (health.ready) return true;
    const why = health.problems.map((p) => `${p.message}${p.fix ? ` (fix: ${p.fix})` : ''}`).join('; ');
    if (process.env.CI) {
      throw new Error(`The ${runnerCase.name} runner is not ready on this CI machine: ${why}. Install it with: ${runnerCase.install}`);
    }
    console.warn(`[languages] skipping the ${runnerCase.name} runner: ${why}. Install it with: ${runnerCase.install}`);
    return false;
  } finally {
    await runner.destroy();
  }
}
