import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const native = (name: string) => JSON.stringify(readFileSync(new URL(`./native/${name}`, import.meta.url), 'utf8'));

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
  // The supervisor's and the forker's C sources, embedded in the bundle (src/supervisor-source.ts reads them from
  // native/ when run from source).
  define: { __JK_COMMON_H__: native('jk-common.h'), __JK_JAIL_C__: native('jk-jail.c'), __JK_FORKER_C__: native('jk-forker.c') },
});
