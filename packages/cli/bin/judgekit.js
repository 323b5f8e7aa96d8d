#!/usr/bin/env node
// The `judgekit` command. This file is committed, so npm links the command even on a fresh clone,
// before anything is built. It runs the build (dist/bin.js) when there is one; in the repository
// before a build it runs the source through tsx, with the workspace packages resolved to their
// source by the root tsconfig.json.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const source = new URL('../src/bin.ts', import.meta.url);
  const tsconfig = new URL('../../../tsconfig.json', import.meta.url);
  let tsx;
  try {
    if (!existsSync(source) || !existsSync(tsconfig)) throw new Error('not in the judgekit repository');
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write('judgekit: this copy is not built (no dist/bin.js). In the repository: npm ci && npm run build.\n');
    process.exit(2);
  }
  tsx.register({ tsconfig: tsconfig.pathname });
  await import(source.href);
}
