import type { EchoCacheOptions, SubmissionInputs } from './echo.js';
import { defaultZipLimits, type ZipLimits } from './zip.js';

/**
 * Defaults of a Judge0 submission, in Judge0's units. They are Judge0 CE 1.13.1's own defaults
 * (`app/helpers/config.rb`) unless set; the judge's configured maxima still bound every one.
 */
export interface Judge0Defaults {
  /** CPU time limit in seconds. @defaultValue 5 */
  cpuTimeLimit: number;
  /** Extra CPU time in seconds (accepted and echoed; judgekit stops a program at the limit itself). @defaultValue 1 */
  cpuExtraTime: number;
  /** Wall-clock limit in seconds. @defaultValue 10 */
  wallTimeLimit: number;
  /** Memory limit in kilobytes. @defaultValue 128000 */
  memoryLimit: number;
  /** Stack limit (RLIMIT_STACK) in kilobytes; 0 leaves the stack bounded by the memory limit only. @defaultValue 64000 */
  stackLimit: number;
  /** Most processes and threads at once. @defaultValue 60 */
  maxProcessesAndOrThreads: number;
  /** Largest file (and output) in kilobytes. @defaultValue 1024 */
  maxFileSize: number;
  /** Runs of the program (time and memory are averaged over them). @defaultValue 1 */
  numberOfRuns: number;
}

/**
 * Options of the Judge0 CE 1.13.1-compatible API (`judge0` in the plugin's options).
 *
 * @example
 * ```ts
 * await app.register(judgekitPlugin, { judge, judge0: { prefix: '/judge0', maxBatchSize: 10 } })
 * ```
 */
export interface Judge0ApiOptions {
  /** Path prefix of the Judge0 routes, inside the plugin's own prefix. @defaultValue '' (the root, as Judge0 serves them) */
  prefix?: string;
  /** Most submissions in one batch (create or get). @defaultValue 20 */
  maxBatchSize?: number;
  /** Highest `number_of_runs` a submission may ask for. @defaultValue 20 */
  maxNumberOfRuns?: number;
  /** Highest `cpu_extra_time` in seconds. @defaultValue 5 */
  maxCpuExtraTime?: number;
  /** Highest `stack_limit` in kilobytes (Judge0's `MAX_STACK_LIMIT`). @defaultValue 128000 */
  maxStackLimit?: number;
  /** Whether `?wait=true` is honoured on create (held at most the plugin's `maxWaitMs`). @defaultValue true */
  enableWait?: boolean;
  /** Whether `DELETE /submissions/{token}` is served (Judge0's default is false; judgekit's other APIs delete). @defaultValue true */
  enableSubmissionDelete?: boolean;
  /** Whether `additional_files` (and so language 89) is accepted. @defaultValue true */
  enableAdditionalFiles?: boolean;
  /**
   * Attempts per callback that `/config_info` reports (`callbacks_max_tries`): set it to what the
   * server's webhook sender makes. @defaultValue 5 (`@judgekit/webhooks`' default)
   */
  callbacksMaxTries?: number;
  /** Seconds one callback attempt may take, as `/config_info` reports it (`callbacks_timeout`). @defaultValue 10 */
  callbacksTimeout?: number;
  /** Submission defaults in Judge0's units. */
  defaults?: Partial<Judge0Defaults>;
  /** Bounds on an `additional_files` archive. */
  zipLimits?: Partial<ZipLimits>;
  /**
   * Bounds of the in-memory copy of what each submission was sent with (`source_code`, `stdin`,
   * `expected_output`, `additional_files`), answered back for `fields=*` as Judge0 does.
   */
  echo?: EchoCacheOptions;
  /**
   * Where finished submissions' inputs are read back once the in-memory copy is gone (another
   * node, a restart): the durable store (`@judgekit/postgres`' `PostgresStore`). `judgekit serve
   * --database-url` sets it.
   */
  inputs?: SubmissionInputs;
}

/** @internal Options with defaults filled in. */
export interface ResolvedJudge0Options {
  prefix: string;
  maxBatchSize: number;
  maxNumberOfRuns: number;
  maxCpuExtraTime: number;
  maxStackLimit: number;
  enableWait: boolean;
  enableSubmissionDelete: boolean;
  enableAdditionalFiles: boolean;
  callbacksMaxTries: number;
  callbacksTimeout: number;
  defaults: Judge0Defaults;
  zipLimits: ZipLimits;
  echo: EchoCacheOptions;
  inputs: SubmissionInputs | null;
}

/** Judge0 CE 1.13.1's defaults. */
export const judge0Defaults: Readonly<Judge0Defaults> = Object.freeze({
  cpuTimeLimit: 5,
  cpuExtraTime: 1,
  wallTimeLimit: 10,
  memoryLimit: 128_000,
  stackLimit: 64_000,
  maxProcessesAndOrThreads: 60,
  maxFileSize: 1024,
  numberOfRuns: 1,
});

/** @internal */
export function resolveJudge0Options(options: Judge0ApiOptions = {}): ResolvedJudge0Options {
  return {
    prefix: options.prefix ?? '',
    maxBatchSize: options.maxBatchSize ?? 20,
    maxNumberOfRuns: options.maxNumberOfRuns ?? 20,
    maxCpuExtraTime: options.maxCpuExtraTime ?? 5,
    maxStackLimit: options.maxStackLimit ?? 128_000,
    enableWait: options.enableWait ?? true,
    enableSubmissionDelete: options.enableSubmissionDelete ?? true,
    enableAdditionalFiles: options.enableAdditionalFiles ?? true,
    callbacksMaxTries: options.callbacksMaxTries ?? 5,
    callbacksTimeout: options.callbacksTimeout ?? 10,
    defaults: { ...judge0Defaults, ...options.defaults },
    zipLimits: { ...defaultZipLimits, ...options.zipLimits },
    echo: options.echo ?? {},
    inputs: options.inputs ?? null,
  };
}
