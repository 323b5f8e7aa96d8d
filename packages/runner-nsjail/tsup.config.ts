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
});
