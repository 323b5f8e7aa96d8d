import { defineConfig } from 'tsup';

// Browser and Node alike: no Node built-ins at run time; the judgekit packages give types only.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['@judgekit/core', '@judgekit/http-adapter'],
});
