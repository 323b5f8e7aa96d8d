import { z } from 'zod';
import { JudgeError } from '../errors/judge-error.js';
import { defaultMaxLimits, type Limits, limitNames } from '../runner/limits.js';
import { describe, fileSchema, limitsSchema } from '../submission/schema.js';
import { toIssues } from '../submission/validate.js';

const MiB = 1024 * 1024;

/**
 * How a judge runs live sessions ({@link Judge.session}): caps and limits of their own, apart
 * from submissions (a session holds a sandbox as long as its client talks; it never queues).
 */
export interface SessionOptions {
  /** Most sessions running at once on this judge; beyond it `JDG_ERR_SESSION_LIMIT`. @defaultValue 64 */
  maxSessions?: number;
  /** Most sessions running at once for one API key (`key` of the call). @defaultValue 8 */
  maxPerKey?: number;
  /** Limits of a session that sets none. @defaultValue {@link defaultSessionLimits} */
  defaultLimits?: Partial<Limits>;
  /** Highest limits a session may ask for; above them it is refused. @defaultValue {@link maxSessionLimits} */
  maxLimits?: Partial<Limits>;
  /** Idle timeout of a session that sets none, in milliseconds (no input and no output for this long ends it). @defaultValue 60000 */
  idleTimeoutMs?: number;
  /** Highest idle timeout a session may ask for, in milliseconds. @defaultValue 600000 */
  maxIdleTimeoutMs?: number;
  /**
   * Output rate of one session, in bytes per second (with a burst of two seconds' worth): a
   * program printing faster is slowed down (its output is read no faster), as a slow terminal
   * would; its volume stays capped by `outputBytes`.
   * @defaultValue 1048576 (1 MiB/s)
   */
  outputRateBytesPerSecond?: number;
}

/** Limits of a session that sets none: a terminal stays open for minutes, not seconds. */
export const defaultSessionLimits: Readonly<Limits> = Object.freeze({
  cpuTimeMs: 10_000,
  wallTimeMs: 300_000,
  memoryBytes: 256 * MiB,
  processes: 64,
  outputBytes: 16 * MiB,
  fileSizeBytes: 16 * MiB,
  openFiles: 64,
  diskBytes: 256 * MiB,
  diskInodes: 16_384,
});

/** Highest limits a session may ask for unless the judge says otherwise. */
export const maxSessionLimits: Readonly<Limits> = Object.freeze({
  ...defaultMaxLimits,
  cpuTimeMs: 60_000,
  wallTimeMs: 3_600_000,
  outputBytes: 64 * MiB,
});

/** @internal Session options with every default applied. */
export interface ResolvedSessionOptions {
  maxSessions: number;
  maxPerKey: number;
  defaultLimits: Limits;
  maxLimits: Limits;
  idleTimeoutMs: number;
  maxIdleTimeoutMs: number;
  outputRateBytesPerSecond: number;
}

const count = z.number().int().min(0).max(100_000);
const ms = z
  .number()
  .int()
  .min(1)
  .max(24 * 3_600_000);

/** @internal The `sessions` field of the judge's options schema. */
export const sessionOptionsSchema = z.strictObject({
  maxSessions: count.optional(),
  maxPerKey: count.optional(),
  defaultLimits: limitsSchema.optional(),
  maxLimits: limitsSchema.optional(),
  idleTimeoutMs: ms.optional(),
  maxIdleTimeoutMs: ms.optional(),
  outputRateBytesPerSecond: z
    .number()
    .int()
    .min(1)
    .max(2 ** 40)
    .optional(),
});

/** @internal Applies the defaults; `JDG_ERR_CONFIG_INVALID` for a default above its maximum. */
export function resolveSessionOptions(options: SessionOptions | undefined): ResolvedSessionOptions {
  const maxLimits = { ...maxSessionLimits, ...options?.maxLimits };
  const defaultLimits = { ...defaultSessionLimits, ...options?.defaultLimits };
  for (const name of limitNames) {
    defaultLimits[name] = Math.min(defaultLimits[name], maxLimits[name]);
  }
  const maxIdleTimeoutMs = options?.maxIdleTimeoutMs ?? Math.max(600_000, options?.idleTimeoutMs ?? 0);
  if (options?.idleTimeoutMs !== undefined && options.idleTimeoutMs > maxIdleTimeoutMs) {
    throw new JudgeError('JDG_ERR_CONFIG_INVALID', 'Judge options: sessions.idleTimeoutMs is above sessions.maxIdleTimeoutMs.');
  }
  // A default is not a request: one above a lowered maximum is lowered with it, as for limits.
  const idleTimeoutMs = Math.min(options?.idleTimeoutMs ?? 60_000, maxIdleTimeoutMs);
  return {
    maxSessions: options?.maxSessions ?? 64,
    maxPerKey: options?.maxPerKey ?? 8,
    defaultLimits,
    maxLimits,
    idleTimeoutMs,
    maxIdleTimeoutMs,
    outputRateBytesPerSecond: options?.outputRateBytesPerSecond ?? MiB,
  };
}

const size = z.number().int().min(1).max(1000);

/**
 * A session as given to {@link Judge.session}: a program like a submission's (one of `source`
 * and `files`), the terminal, limits and the idle timeout.
 *
 * @example
 * ```ts
 * { language: 'python3', source: 'print(input("name? "))', tty: true, cols: 80, rows: 24 }
 * ```
 */
export const sessionInputSchema = z
  .strictObject({
    language: z.string().min(1).max(64).describe('Language id or alias.'),
    version: z.string().min(1).max(64).optional().describe('Wanted toolchain version (as for submissions).'),
    source: z
      .string()
      .max(64 * MiB)
      .optional()
      .describe('Source of the main file.'),
    files: z.array(fileSchema).min(1).max(64).optional().describe('Several files; the first is the main one.'),
    args: z
      .array(
        z
          .string()
          .max(4096)
          .refine((a) => !a.includes('\0'), { error: 'an argument must not contain a NUL byte' }),
      )
      .max(64)
      .optional()
      .describe('Arguments of the program.'),
    tty: z.boolean().optional().describe('Attach a terminal (default false in the library, true over /v1/sessions).'),
    cols: size.optional().describe('Terminal columns. Default 80.'),
    rows: size.optional().describe('Terminal rows. Default 24.'),
    limits: limitsSchema.optional().describe('Limits of the run (wallTimeMs: the session’s wall cap; outputBytes: its output volume).'),
    compileLimits: limitsSchema.optional().describe('Limits of the compile step.'),
    idleTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(24 * 3_600_000)
      .optional()
      .describe('No input and no output for this long ends the session.'),
  })
  .superRefine((value, ctx) => {
    if ((value.source === undefined) === (value.files === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: 'give exactly one of source or files' });
    }
  });

/** Input type of a session (the `signal` beside it is not part of the schema). */
export type SessionInput = z.input<typeof sessionInputSchema> & {
  /** Aborting it ends the session (the program is killed, the sandbox disposed). */
  signal?: AbortSignal;
};

/** @internal Validates a session's input: `JDG_ERR_INPUT_INVALID` naming the first field. */
export function parseSessionInput(input: unknown): z.output<typeof sessionInputSchema> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new JudgeError('JDG_ERR_INPUT_INVALID', `A session must be an object, received ${describe(input)}.`, {
      details: { issues: [{ path: '', message: 'expected an object' }] },
    });
  }
  const { signal: _signal, ...rest } = input as Record<string, unknown>;
  const parsed = sessionInputSchema.safeParse(rest);
  if (!parsed.success) {
    const issues = toIssues(parsed.error);
    throw new JudgeError('JDG_ERR_INPUT_INVALID', `Invalid session: ${issues[0]!.path || '(root)'}: ${issues[0]!.message}`, {
      details: { issues },
    });
  }
  return parsed.data;
}
