import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// The README's promise for a new user: after cloning and installing, `npx judgekit` works, before
// anything has been built. A clone of this repository's HEAD, `npm ci`, then the command.

const exec = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'jk-fresh-clone-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a fresh clone', () => {
  it('has the judgekit command after npm ci, with nothing built', async () => {
    const clone = join(work, 'repo');
    await exec('git', ['clone', '--quiet', '--depth', '1', `file://${root}`, clone], { timeout: 120_000 });
    await exec('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: clone, timeout: 600_000 });
    const run = async (args: string[]) =>
      (await exec('npx', ['--no-install', 'judgekit', ...args], { cwd: clone, timeout: 120_000 })).stdout;
    const version = JSON.parse((await exec('git', ['show', 'HEAD:packages/cli/package.json'], { cwd: root })).stdout).version;
    expect((await run(['--version'])).trim()).toBe(version);
    expect(await run(['languages'])).toMatch(/^python3 +Python 3/m);
    await expect(exec('ls', [join(clone, 'packages/cli/dist')])).rejects.toThrow();
  }, 900_000);
});
