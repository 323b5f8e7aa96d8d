// The C sources of `jk-jail` and `jk-forker` (native/jk-jail.c and the header it shares, native/jk-common.h).
// The built package embeds them at build time (tsup's `define`, see tsup.config.ts), so the
// runner compiles the supervisor once per host, keyed by the hash of exactly this text. Run from
// source (vitest, tsx), they are read from native/ beside src/.
import { readFileSync } from 'node:fs';

declare const __JK_COMMON_H__: string | undefined;
declare const __JK_JAIL_C__: string | undefined;
declare const __JK_FORKER_C__: string | undefined;

const fromSource = (name: string): string => readFileSync(new URL(`../native/${name}`, import.meta.url), 'utf8');

/** @internal The supervisor's sources, by file name, as the compiler must find them. */
export const supervisorSources: Readonly<Record<string, string>> = Object.freeze({
  'jk-common.h': typeof __JK_COMMON_H__ === 'string' ? __JK_COMMON_H__ : fromSource('jk-common.h'),
  'jk-jail.c': typeof __JK_JAIL_C__ === 'string' ? __JK_JAIL_C__ : fromSource('jk-jail.c'),
});

/** @internal The forker's sources (native/jk-forker.c and the shared header), as for the supervisor. */
export const forkerSources: Readonly<Record<string, string>> = Object.freeze({
  'jk-common.h': supervisorSources['jk-common.h']!,
  'jk-forker.c': typeof __JK_FORKER_C__ === 'string' ? __JK_FORKER_C__ : fromSource('jk-forker.c'),
});
