import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

describe('README', () => {
  it('gives exactly two commands for a fresh machine', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## The `judgekit` command'));
    const commands = [...quickStart.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    expect(commands).toEqual(['npm start', 'npm test']);
    const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    expect(manifest.scripts.start).toBe('bash scripts/start.sh');
    expect(manifest.scripts.test).toBe('bash scripts/test.sh');
  });

  it('shows each command of the CLI section with an example, and only commands the CLI has', async () => {
    const section = readme.slice(readme.indexOf('## The `judgekit` command'), readme.indexOf('## Embedding'));
    const examples = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split('\n'));
    for (const command of ['run', 'serve', 'doctor', 'languages']) {
      expect(
        examples.some((e) => new RegExp(`npx judgekit ${command}\\b`).test(e)),
        command,
      ).toBe(true);
    }
    const help = (await promisify(execFile)(process.execPath, ['packages/cli/bin/judgekit.js', '--help'], { cwd: root.pathname })).stdout;
    for (const e of examples) {
      const sub = /npx judgekit (\w+)/.exec(e)?.[1];
      if (sub) expect(help, `judgekit ${sub} exists`).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
    }
  });

  it('runs its embedding example as written, against the real nsjail sandbox', async () => {
    const marker = readme.indexOf('<!-- readme-example');
    const code = /```js\n([\s\S]*?)```/.exec(readme.slice(marker))![1]!;
    mkdirSync(new URL('.cache/', root), { recursive: true });
    const file = new URL('.cache/readme-example.mjs', root);
    writeFileSync(file, code);
    // Runs against the built packages, resolved by name as a user's project would.
    const { stdout } = await promisify(execFile)(process.execPath, [file.pathname], { cwd: root, timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('accepted');
    expect(lines.slice(1)).toHaveLength(2);
    for (const line of lines.slice(1)) expect(line).toMatch(/^test \d: accepted, \d+(\.\d+)? ms, \d+ bytes$/);
  });
});
