import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One built file of the playground, held in memory. */
export interface PlaygroundAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * @internal
 * Where the built playground is: `dist/playground/` beside the bundle (a built or installed
 * package), or the same folder seen from `src/playground/` (tests run from source).
 */
export function playgroundDir(): string | null {
  for (const candidate of ['./playground/', '../../dist/playground/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return null;
}

/** @internal Reads every built file once (the playground is a few hundred kilobytes). */
export function loadPlayground(dir: string): Map<string, PlaygroundAsset> {
  const assets = new Map<string, PlaygroundAsset>();
  for (const name of readdirSync(dir)) {
    const ext = name.slice(name.lastIndexOf('.'));
    const contentType = types[ext];
    if (!contentType) continue;
    const body = readFileSync(`${dir}${name}`);
    assets.set(name, { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}
