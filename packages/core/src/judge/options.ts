import { z } from 'zod';
import { JudgeError } from '../errors/judge-error.js';
import type { SubmissionBus } from '../events/contract.js';
import type { LanguageDefinition } from '../languages/definition.js';
import type { JobQueue } from '../queue/contract.js';
import type { Runner } from '../runner/contract.js';
import { defaultLimits, defaultMaxLimits, type Limits, limitNames } from '../runner/limits.js';
import { type SessionOptions, sessionOptionsSchema } from '../session/options.js';
import type { ResultStore } from '../store/contract.js';
import { limitsSchema } from '../submission/schema.js';
import { toIssues } from '../submission/validate.js';
import type { VersionOptions } from '../versions/versions.js';
import type { RunnerFaultOptions } from '../worker/runner-gate.js';

/** Options for {@link Judge}. */
export interface JudgeOptions {
  /**
   * The sandbox backend, e.g. `new NsjailRunner()`. Optional only for an API-only judge
   * (`concurrency: 0`), which judges nothing itself.
   */
  runner?: Runner;
  /**
   * Submissions this judge runs at once. `0` makes an API-only judge: it validates, queues,
   * answers `get`/`wait`/`watch`/`cancel` and never consumes the queue (workers elsewhere do).
   * @defaultValue the number of CPUs (`os.availableParallelism()`)
   */
  concurrency?: number;
  /** Most submissions that may wait; beyond it `submit` throws `JDG_ERR_QUEUE_FULL`. @defaultValue 1000 */
  maxQueued?: number;
  /** Where submissions and results live. @defaultValue a {@link LruResultStore} with its defaults */
  store?: ResultStore;
  /** The queue. @defaultValue an in-process {@link FastqJobQueue} with `concurrency` */
  queue?: JobQueue;
  /**
   * Carries events and cancels between judges. A judge closes the bus only when it made it.
   * @defaultValue a new {@link InProcessBus}
   */
  bus?: SubmissionBus;
  /** Limits used when a submission sets none. @defaultValue {@link defaultLimits} */
  defaultLimits?: Partial<Limits>;
  /** Highest limits a submission may ask for; above them it is refused. @defaultValue {@link defaultMaxLimits} */
  maxLimits?: Partial<Limits>;
  /** Languages added to (or, with the same id, replacing) the built-ins. */
  languages?: LanguageDefinition[];
  /** Close (or destroy) the runner when the judge closes. @defaultValue true */
  closeRunner?: boolean;
  /** Where toolchain versions come from and when they are probed. @defaultValue probed on demand in the runner's sandboxes */
  versions?: VersionOptions;
  /** How queued submissions wait for a runner that is unavailable for a while. @defaultValue `{ maxWaitMs: 60000, checkIntervalMs: 1000 }` */
  runnerFaults?: RunnerFaultOptions;
  /**
   * Longest a finished submission's sandbox disposal holds its concurrency slot, in milliseconds.
   * The verdict is reported before disposal starts; past this bound the slot is freed while the
   * disposal goes on, and `stats().disposeTimeouts` counts it.
   * @defaultValue 60000
   */
  disposeTimeoutMs?: number;
  /**
   * Most bytes of output the commands running at once may hold, across every submission this
   * judge runs: before a command runs, its `outputBytes` limit (what its runner may buffer for
   * it) is reserved from this budget; a command that does not fit waits for others to finish.
   * Bounds the judge's memory when several submissions print at their output limits.
   * @defaultValue 268435456 (256 MiB)
   */
  maxOutputBytesInFlight?: number;
  /**
   * Most bytes of stdout plus stderr kept in one submission's result, across its compile step and
   * every test (stdout first). The checker always sees a test's whole output; beyond this bound
   * the kept copy is cut and marked truncated, so a thousand tests at a 64 MiB output limit do
   * not make a 64 GB result.
   * @defaultValue 67108864 (64 MiB)
   */
  maxResultOutputBytes?: number;
  /**
   * How long `cancel()` of a submission running elsewhere waits for its end, in milliseconds;
   * then it returns the state as stored.
   * @defaultValue 10000
   */
  cancelWaitMs?: number;
  /** Caps and limits of live sessions ({@link Judge.session}). @defaultValue see {@link SessionOptions} */
  sessions?: SessionOptions;
}

const object = <T>(method: string, what: string) =>
  z.custom<T>(
    (v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[method] === 'function',
    `must be ${what}`,
  );

const ms = z
  .number()
  .int()
  .min(0)
  .max(24 * 3_600_000);

const optionsSchema = z.strictObject({
  runner: object<Runner>('open', 'a Runner').optional(),
  concurrency: z.number().int().min(0).max(1024).optional(),
  maxQueued: z.number().int().min(0).max(10_000_000).optional(),
  store: object<ResultStore>('get', 'a ResultStore').optional(),
  queue: object<JobQueue>('push', 'a JobQueue').optional(),
  bus: object<SubmissionBus>('publish', 'a SubmissionBus').optional(),
  defaultLimits: limitsSchema.optional(),
  maxLimits: limitsSchema.optional(),
  languages: z.array(z.any()).optional(),
  closeRunner: z.boolean().optional(),
  versions: z
    .strictObject({
      source: object<VersionOptions['source']>('detect', 'a VersionSource').optional(),
      probe: z.enum(['on-demand', 'eager']).optional(),
      retryMs: ms.optional(),
    })
    .optional(),
  runnerFaults: z.strictObject({ maxWaitMs: ms.optional(), checkIntervalMs: ms.min(10).optional() }).optional(),
  disposeTimeoutMs: ms.optional(),
  cancelWaitMs: ms.optional(),
  sessions: sessionOptionsSchema.optional(),
  maxOutputBytesInFlight: z
    .number()
    .int()
    .min(1)
    .max(2 ** 48)
    .optional(),
  maxResultOutputBytes: z
    .number()
    .int()
    .min(0)
    .max(2 ** 48)
    .optional(),
});

/** @internal Validates the options: `JDG_ERR_CONFIG_INVALID` naming the first bad field. */
export function checkJudgeOptions(options: JudgeOptions): void {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = toIssues(parsed.error)[0]!;
    throw new JudgeError('JDG_ERR_CONFIG_INVALID', `Judge options: ${issue.path || '(root)'}: ${issue.message}`, {
      details: { issues: toIssues(parsed.error) },
    });
  }
  if (options.runner === undefined && options.concurrency !== 0) {
    throw new JudgeError(
      'JDG_ERR_CONFIG_INVALID',
      'Judge options: runner: a judge that runs submissions needs a runner (or concurrency: 0).',
      {
        details: { issues: [{ path: 'runner', message: 'required unless concurrency is 0' }] },
      },
    );
  }
}

/** @internal The judge's default and maximum limits; `JDG_ERR_CONFIG_INVALID` when a default is above its maximum. */
export function judgeLimits(options: JudgeOptions): { defaultLimits: Limits; maxLimits: Limits } {
  const maxLimits = { ...defaultMaxLimits, ...options.maxLimits };
  const defaults = { ...defaultLimits, ...options.defaultLimits };
  for (const name of limitNames) {
    if (defaults[name] > maxLimits[name]) {
      throw new JudgeError(
        'JDG_ERR_CONFIG_INVALID',
        `Judge options: defaultLimits.${name} (${defaults[name]}) is above maxLimits.${name} (${maxLimits[name]}).`,
      );
    }
  }
  return { defaultLimits: defaults, maxLimits };
}
