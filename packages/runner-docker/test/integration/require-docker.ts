import * as http from 'node:http';
import { resolveEngineAddress } from '../../src/engine.js';

const install = 'sudo scripts/setup/docker.sh   (installs docker.io, runsc from bookworm-backports, starts dockerd, builds the images)';

function get(path: string): Promise<{ status: number; body: string }> {
  const address = resolveEngineAddress(undefined);
  return new Promise((resolve, reject) => {
    const req = http.request({ ...address, path, method: 'GET', headers: { Host: 'docker' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/**
 * Why Docker tests cannot run here, or null when they can: the engine answers, has runsc, and
 * the images exist. Under CI a missing piece throws (with the install command) instead of skipping.
 */
export async function dockerUnavailable(images: string[] = ['judgekit/python3:latest', 'judgekit/c:latest']): Promise<string | null> {
  let reason: string | null = null;
  try {
    const info = JSON.parse((await get('/info')).body) as { Runtimes?: Record<string, unknown> };
    if (!info.Runtimes?.runsc) reason = 'the Docker engine has no runsc runtime';
    else {
      for (const image of images) {
        if ((await get(`/images/${encodeURIComponent(image)}/json`)).status !== 200) reason = `image ${image} is missing`;
      }
    }
  } catch (error) {
    reason = `no Docker engine answers (${(error as Error).message})`;
  }
  if (reason && process.env.CI) throw new Error(`Docker runner tests need a Docker engine with gVisor: ${reason}. Install: ${install}`);
  return reason;
}
