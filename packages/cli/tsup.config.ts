import { defineConfig } from 'tsup';

const external = [
  '@judgekit/core',
  '@judgekit/http-adapter',
  '@judgekit/runner-nsjail',
  '@judgekit/runner-docker',
  '@judgekit/postgres',
  '@judgekit/webhooks',
  '@judgekit/redis',
  'pino',
];

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    shims: true,
    external,
  },
  {
    // The executable: ESM with a shebang (tsup makes a file with a shebang executable).
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external,
  },
]);
