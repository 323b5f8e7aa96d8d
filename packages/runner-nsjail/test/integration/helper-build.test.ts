import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NsjailRunner } from '../../src/runner.js';
import { ensureSupervisor, supervisorPath } from '../../src/warm.js';

// Helpers the runner builds or probes on the host, outside any sandbox and off the hot path (execa).
describe('host-side helpers', () => {
  const base = mkdtempSync(join(tmpdir(), 'jk-helper-build-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('builds the jail supervisor once into a folder named by its source hash, then reuses it', async () => {
    const built = await ensureSupervisor(base);
    expect(built).toEqual({ path: supervisorPath(base) });
    const path = (built as { path: string }).path;
    accessSync(path, constants.X_OK);
    const first = statSync(path).mtimeMs;
    expect(await ensureSupervisor(base)).toEqual({ path });
    expect(statSync(path).mtimeMs).toBe(first);
  });

  it('says why when the supervisor cannot be built, leaving nothing behind', async () => {
    const missing = join(base, 'no-such-folder');
    const result = await ensureSupervisor(missing);
    expect(result).toMatchObject({ error: expect.stringMatching(/^cannot compile the jail supervisor with gcc -static: /) });
  });

  it('detects toolchain versions from the host binaries, esbuild included', async () => {
    const runner = new NsjailRunner();
    try {
      const health = await runner.health();
      expect(health.details['toolchain typescript']).toMatch(/^\d+\.\d+\.\d+ \(\/usr\/local\/lib\/judgekit\/esbuild\/bin\/esbuild\)$/);
      expect(health.details['toolchain typescript-tsc']).toMatch(/^\d+\.\d+\.\d+ \(/);
      expect(health.details['toolchain java']).toMatch(/^\d+/);
    } finally {
      await runner.destroy();
    }
  });
});
