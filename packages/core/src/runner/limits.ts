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
  /**
   * Most bytes the sandbox's files may hold while the command runs: its work directory and
   * `/tmp` together, with what earlier commands of the same sandbox (the compile, earlier
   * tests) left there. Beyond it writes fail with `ENOSPC` and the run ends with
   * `limitExceeded: 'disk'`. Runners keep these files in memory (a tmpfs): within a command
   * they also count toward `memoryBytes`. @defaultValue 268435456 (256 MiB)
   */
  diskBytes: number;
  /** Most files, folders and links in the work directory and `/tmp` together (see `diskBytes`). @defaultValue 16384 */
  diskInodes: number;
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
  'diskBytes',
  'diskInodes',
] as const satisfies readonly (keyof Limits)[];

/**
 * The lowest value of each limit: below these a sandbox cannot start (it is not a verdict about
 * the program), so a request below one is refused at the boundary with `JDG_ERR_INPUT_INVALID`
 * naming the field, by the submission schema and by every runner.
 * - `memoryBytes` 4 MiB: nsjail's own process is charged to the command's cgroup (1.5–1.9 MiB
 *   measured), and a cgroup limit below what it already holds cannot even be written (`EBUSY`);
 * - `openFiles` 16: nsjail needs a dozen descriptors of its own before the program starts
 *   (11 failed, 12 worked when measured);
 * - `diskBytes` 64 KiB and `diskInodes` 16: the work directory and `/tmp` themselves, and the
 *   source file, must fit (a size-limited file system rounds to whole pages);
 * - every other limit 1 (a limit of 1 ms or 1 byte is a verdict, not a failure).
 */
export const minLimits: Readonly<Limits> = Object.freeze({
  cpuTimeMs: 1,
  wallTimeMs: 1,
  memoryBytes: 4 * 1024 * 1024,
  processes: 1,
  outputBytes: 1,
  fileSizeBytes: 1,
  openFiles: 16,
  diskBytes: 64 * 1024,
  diskInodes: 16,
});

/** Defaults applied when neither the submission nor the language sets a limit. */
export const defaultLimits: Readonly<Limits> = Object.freeze({
  cpuTimeMs: 2_000,
  wallTimeMs: 5_000,
  memoryBytes: 256 * 1024 * 1024,
  processes: 64,
  outputBytes: 1024 * 1024,
  fileSizeBytes: 16 * 1024 * 1024,
  openFiles: 64,
  diskBytes: 256 * 1024 * 1024,
  diskInodes: 16_384,
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
  diskBytes: 2 * 1024 * 1024 * 1024,
  diskInodes: 1_000_000,
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
  diskBytes: 256 * 1024 * 1024,
  diskInodes: 16_384,
});
