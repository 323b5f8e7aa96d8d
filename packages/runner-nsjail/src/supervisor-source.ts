// The C sources of `jk-jail` (native/jk-jail.c and the header it shares, native/jk-common.h),
// embedded in the bundle at build time (tsup's raw loader; vite's `?raw` under vitest), so the
// runner compiles the supervisor once per host, keyed by the hash of exactly this text.
import commonHeader from '../native/jk-common.h?raw';
import jailSource from '../native/jk-jail.c?raw';

/** @internal The supervisor's sources, by file name, as the compiler must find them. */
export const supervisorSources: Readonly<Record<string, string>> = Object.freeze({
  'jk-common.h': commonHeader,
  'jk-jail.c': jailSource,
});
