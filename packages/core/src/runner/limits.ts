/**
 * Resource limits for one command in a sandbox. Every field has a unit in its name.
 * A {@link Judge} resolves these from its defaults, the language's defaults and the submission,
 * and refuses any value above its configured maximum.
 */
export interface Limits {
  /** CPU time of all processes of the command, in milliseconds. @defaultValue 2000 */
  cpuTimeMs: number;
  /** Wall-clock time from start to exit, in milliseconds. @defaultValue 5000 */
  wallTimeMs: number;
  /** Peak memory (resident, all processes) in bytes. @defaultValue 268435456 (256 MiB) */
  memoryBytes: number;
  /** Most processes and threads alive at once. @defaultValue 64 */
  processes: number;
  /** Most bytes captured from stdout plus stderr; beyond it the program is killed. @defaultValue 1048576 (1 MiB) */
  outputBytes: number;
  /** Largest file the program may write, in bytes. @defaultValue 16777216 (16 MiB) */
  fileSizeBytes: number;
  /** Most open file descriptors per process. @defaultValue 64 */
  openFiles: number;
}

/** Names of the limits, in a stable order. */
export const limitNames = [
  'cpuTimeMs',
  'wallTimeMs',
  'memoryBytes',
  'processes',
  'outputBytes',
  'fileSizeBytes',
  'openFiles',
] as const satisfies readonly (keyof Limits)[];

/** Defaults applied when neither the submission nor the language sets a limit. */
export const defaultLimits: Readonly<Limits> = Object.freeze({
  cpuTimeMs: 2_000,
  wallTimeMs: 5_000,
  memoryBytes: 256 * 1024 * 1024,
  processes: 64,
  outputBytes: 1024 * 1024,
  fileSizeBytes: 16 * 1024 * 1024,
  openFiles: 64,
});

/** Default maxima: a request above one of these is refused with `JDG_ERR_LIMIT_EXCEEDS_MAX`. */
export const defaultMaxLimits: Readonly<Limits> = Object.freeze({
  cpuTimeMs: 30_000,
  wallTimeMs: 60_000,
  memoryBytes: 2 * 1024 * 1024 * 1024,
  processes: 256,
  outputBytes: 64 * 1024 * 1024,
  fileSizeBytes: 256 * 1024 * 1024,
  openFiles: 1024,
});

/** Defaults for a compile step (compilers need more than programs). */
export const defaultCompileLimits: Readonly<Limits> = Object.freeze({
  cpuTimeMs: 15_000,
  wallTimeMs: 30_000,
  memoryBytes: 1024 * 1024 * 1024,
  processes: 64,
  outputBytes: 256 * 1024,
  fileSizeBytes: 256 * 1024 * 1024,
  openFiles: 256,
});
