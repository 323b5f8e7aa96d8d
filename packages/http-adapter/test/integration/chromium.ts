import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (scripts/setup/chromium.sh installs it); playwright-core never downloads one. */
export const chromiumPath = process.env.JUDGEKIT_CHROMIUM ?? '/usr/bin/chromium';

/** The flags of every browser test: headless, no sandbox of its own (root in CI), no traffic of its own. */
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether the browser is there. Without it the browser tests are skipped, except with `CI` set,
 * where a missing Chromium fails loudly with the command that installs it.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  if (process.env.CI) throw new Error(`Chromium is not installed at ${chromiumPath}: run \`sudo bash scripts/setup/chromium.sh\`.`);
  return false;
}

/** A Chromium with a fresh profile (its own --user-data-dir), removed on close. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'judgekit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    viewport: { width: 1280, height: 860 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
