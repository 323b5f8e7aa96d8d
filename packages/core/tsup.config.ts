import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    // The testing entry declares vitest suites, and vitest is ESM-only: ship it as ESM.
    entry: { 'testing/index': 'src/testing/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    external: ['vitest', '@judgekit/core'],
    // The adversarial suite's hostile programs ship beside the bundle, where it looks for them.
    onSuccess: async () => cpSync('src/testing/adversarial/fixtures', 'dist/testing/fixtures', { recursive: true }),
  },
]);
