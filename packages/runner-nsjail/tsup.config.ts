import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // import.meta.url (the terminal helper's C source beside dist/) in the CommonJS build too.
  shims: true,
  external: ['@judgekit/core'],
  // `import text from './file.c?raw'`: the file's text, embedded in the bundle (as vite does).
  esbuildPlugins: [
    {
      name: 'raw',
      setup(build) {
        build.onResolve({ filter: /\?raw$/ }, (args) => ({
          path: new URL(args.path.slice(0, -'?raw'.length), `file://${args.resolveDir}/`).pathname,
          namespace: 'raw',
        }));
        build.onLoad({ filter: /.*/, namespace: 'raw' }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'text' }));
      },
    },
  ],
});
