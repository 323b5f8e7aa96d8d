import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built CLI package, as installed: an executable bin with a shebang, and the library both ways.
const folder = fileURLToPath(new URL('../../', import.meta.url));
const bin = `${folder}bin/judgekit.js`;
const run = (args: string[]) => execFileSync(bin, args, { encoding: 'utf8', cwd: folder }).trim();
const node = (args: string[]) => execFileSync(process.execPath, args, { encoding: 'utf8', cwd: folder }).trim();

describe('the built judgekit command', () => {
  it('is an executable with a node shebang that prints its version and help', () => {
    expect(existsSync(bin), 'judgekit is not built: run npm run build').toBe(true);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    accessSync(bin, constants.X_OK);
    const manifest = JSON.parse(readFileSync(`${folder}package.json`, 'utf8'));
    expect(manifest.bin.judgekit).toBe('./bin/judgekit.js');
    expect(run(['--version'])).toBe(manifest.version);
    expect(run(['--help'])).toMatch(/Usage: judgekit/);
    expect(run(['languages'])).toMatch(/python3/);
  });

  it('imports as ESM and CommonJS with the same named exports', () => {
    const esm = JSON.parse(
      node(['--input-type=module', '-e', "import * as m from 'judgekit'; console.log(JSON.stringify(Object.keys(m).sort()))"]),
    );
    const cjs = JSON.parse(node(['-e', "console.log(JSON.stringify(Object.keys(require('judgekit')).sort()))"]));
    expect(cjs).toEqual(esm);
    expect(esm).toEqual(expect.arrayContaining(['main', 'resolveServeConfig', 'run', 'doctor']));
  });
});
