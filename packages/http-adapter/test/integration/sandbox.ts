import { DockerRunner } from '@judgekit/runner-docker';
import { NsjailRunner } from '@judgekit/runner-nsjail';

/**
 * A real nsjail runner when this host has one. Without it the tests are skipped, except with
 * `CI` set, where a missing sandbox fails loudly with the command that installs it.
 */
export async function nsjailRunner(): Promise<NsjailRunner | null> {
  const runner = new NsjailRunner();
  const health = await runner.health();
  if (health.ready) return runner;
  await runner.destroy();
  const problems = health.problems.map((p) => `${p.message}${p.fix ? ` (fix: ${p.fix})` : ''}`).join('; ');
  if (process.env.CI) {
    throw new Error(`nsjail is not ready: ${problems}. Install it with \`sudo bash scripts/setup/nsjail.sh\` (run as root).`);
  }
  return null;
}

/**
 * A real Docker runner (gVisor by default) when the engine answers. Skipped without it, except
 * with `CI` set, where it fails with the command that sets Docker up.
 */
export async function dockerRunner(): Promise<DockerRunner | null> {
  const runner = new DockerRunner();
  const health = await runner.health();
  if (health.ready) return runner;
  await runner.destroy();
  const problems = health.problems.map((p) => `${p.message}${p.fix ? ` (fix: ${p.fix})` : ''}`).join('; ');
  if (process.env.CI) {
    throw new Error(`Docker is not ready: ${problems}. Set it up with \`sudo bash scripts/setup/docker.sh\` (run as root).`);
  }
  return null;
}
