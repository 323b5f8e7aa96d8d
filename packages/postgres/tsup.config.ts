import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // import.meta.url locates the migrations folder from the CommonJS build too.
  shims: true,
  external: ['@judgekit/core', '@judgekit/webhooks', 'node-pg-migrate', 'pg'],
});
