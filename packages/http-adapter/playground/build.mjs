// Builds the playground into dist/playground/ (after tsup, which empties dist/): one ES module,
// one stylesheet, the page and the logo. Everything is bundled; the page loads nothing from
// elsewhere. Prints the gzipped size, and fails above the 500 KB budget.
//   node playground/build.mjs [outDir]
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(here, '../dist/playground');
const budgetBytes = 500 * 1024;

mkdirSync(outDir, { recursive: true });
const result = await build({
  entryPoints: { app: join(here, 'src/main.ts') },
  outdir: outDir,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari17'],
  minify: true,
  sourcemap: false,
  metafile: true,
  legalComments: 'none',
  // The client's source, so the playground never waits for the client's own build.
  alias: { '@judgekit/client': join(here, '../../client/src/index.ts') },
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(outDir, 'index.html'));

let total = 0;
for (const name of readdirSync(outDir)) {
  if (name.endsWith('.map')) continue;
  total += gzipSync(readFileSync(join(outDir, name)), { level: 9 }).length;
}
console.log(`[playground] ${outDir}: ${(total / 1024).toFixed(1)} KB gzipped (budget ${budgetBytes / 1024} KB)`);
if (total > budgetBytes) {
  console.error('[playground] over the bundle budget');
  process.exit(1);
}
if (process.env.JUDGEKIT_PLAYGROUND_ANALYZE) {
  const sizes = {};
  for (const [file, info] of Object.entries(
    result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('app.js'))].inputs,
  )) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'playground';
    sizes[pkg] = (sizes[pkg] ?? 0) + info.bytesInOutput;
  }
  for (const [pkg, n] of Object.entries(sizes)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15))
    console.log(`${(n / 1024).toFixed(0).padStart(6)} KB  ${pkg}`);
}
