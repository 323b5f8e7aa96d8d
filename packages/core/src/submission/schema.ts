import { z } from 'zod';
import { minLimits } from '../runner/limits.js';

const MiB = 1024 * 1024;

/** Largest text accepted for one field that holds source, input or expected output. */
export const maxTextBytes = 64 * MiB;

const int = (name: keyof typeof minLimits, max: number, why = '') =>
  z
    .number({ error: (i) => `${name} must be a number, received ${describe(i.input)}` })
    .int({ error: (i) => `${name} must be a whole number, received ${describe(i.input)}` })
    .min(minLimits[name], {
      error: (i) =>
        minLimits[name] === 1
          ? `${name} must be greater than 0, received ${describe(i.input)}`
          : `${name} must be at least ${minLimits[name]}${why}, received ${describe(i.input)}`,
    })
    .max(max, { error: (i) => `${name} must be at most ${max}, received ${describe(i.input)}` });

/** @internal Short description of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Limits a submission may ask for; every field optional. Values above the judge's maxima are refused. */
export const limitsSchema = z
  .strictObject({
    cpuTimeMs: int('cpuTimeMs', 3_600_000).describe('CPU time limit in milliseconds.'),
    wallTimeMs: int('wallTimeMs', 3_600_000).describe('Wall-clock limit in milliseconds.'),
    memoryBytes: int('memoryBytes', 64 * 1024 * MiB, ' (4 MiB: a sandbox cannot start below it)').describe(
      'Memory limit in bytes; at least 4194304 (4 MiB), below which a sandbox cannot start.',
    ),
    processes: int('processes', 65_536).describe('Most processes and threads at once.'),
    outputBytes: int('outputBytes', 1024 * MiB).describe('Most bytes of stdout plus stderr.'),
    fileSizeBytes: int('fileSizeBytes', 64 * 1024 * MiB).describe('Largest file the program may write, in bytes.'),
    openFiles: int('openFiles', 65_536, ' (a sandbox needs a dozen descriptors of its own)').describe(
      'Most open file descriptors; at least 16, below which a sandbox cannot start.',
    ),
    diskBytes: int('diskBytes', 64 * 1024 * MiB, ' (the work directory and /tmp must fit)').describe(
      'Most bytes the work directory and /tmp hold together, across the compile and every test; at least 65536.',
    ),
    diskInodes: int('diskInodes', 100_000_000, ' (the work directory and /tmp must fit)').describe(
      'Most files, folders and links in the work directory and /tmp together; at least 16.',
    ),
  })
  .partial();

const fileNamePattern = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._+-]+(?:\/[A-Za-z0-9._+-]+)*$/;

/** A source file of a multi-file submission. */
export const fileSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(255)
      .regex(fileNamePattern, {
        error: (i) => `file name must be a relative path of letters, digits and . _ + -, received ${describe(i.input)}`,
      })
      .optional()
      .describe('Relative path; the first file is the main one and defaults to the language’s source file name.'),
    content: z.string().max(maxTextBytes).describe('File contents, in `encoding`.'),
    encoding: z.enum(['utf8', 'base64']).default('utf8').describe('How `content` is encoded.'),
  })
  .refine((f) => f.encoding !== 'base64' || /^[A-Za-z0-9+/]*={0,2}$/.test(f.content.replace(/\s+/g, '')), {
    path: ['content'],
    message: 'content is not valid base64',
  });

/** One test: input, optional expected output, optional per-test limits. */
export const testSchema = z.strictObject({
  name: z.string().min(1).max(200).optional().describe('Test name; defaults to its 1-based position.'),
  input: z.string().max(maxTextBytes).default('').describe('Bytes given on stdin.'),
  expectedOutput: z
    .string()
    .max(maxTextBytes)
    .optional()
    .describe('Expected stdout; without it a run that exits 0 within limits is accepted.'),
  limits: limitsSchema.optional().describe('Limits for this test, over the submission’s.'),
});

const customCheckerSchema = z.strictObject({
  type: z.literal('custom'),
  language: z.string().min(1).max(64).describe('Language of the checker program.'),
  source: z
    .string()
    .min(1)
    .max(maxTextBytes)
    .describe('Checker source. It runs as `checker input.txt output.txt expected.txt` in its own sandbox and accepts with exit 0.'),
  limits: limitsSchema.optional(),
});

/** The interactor of an interactive problem (see docs/interactive.md). */
export const interactorSchema = z
  .strictObject({
    language: z.string().min(1).max(64).describe('Language of the interactor.'),
    source: z.string().min(1).max(maxTextBytes).optional().describe('Interactor source.'),
    files: z.array(fileSchema).min(1).max(64).optional().describe('Several files; the first is the main one.'),
    limits: limitsSchema.optional().describe('Limits of each of its runs (its own, apart from the solution’s).'),
  })
  .refine((v) => (v.source === undefined) !== (v.files === undefined), { path: ['source'], message: 'give exactly one of source or files' })
  .describe(
    'An interactive problem: the interactor runs beside the solution on each test, in a sandbox of its own, its stdout the ' +
      'solution’s stdin and the other way round; it reads the test’s input from argv[1] and the expected output (if any) from ' +
      'argv[2]. Exit 0 accepts, 1 (and 2, presentation error) is a wrong answer; anything else is internal_error. Its stderr is the message.',
  );

/** How output is compared with the expected output. */
export const checkerSchema = z.union([
  z.enum(['exact', 'lines', 'tokens']).transform((type) => ({ type })),
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('exact') }).describe('Byte-for-byte equal.'),
    z.strictObject({ type: z.literal('lines') }).describe('Equal line by line, ignoring trailing whitespace and trailing blank lines.'),
    z.strictObject({ type: z.literal('tokens') }).describe('Equal as whitespace-separated tokens.'),
    z
      .strictObject({
        type: z.literal('float'),
        absTolerance: z.number().nonnegative().max(1e9).default(1e-6),
        relTolerance: z.number().nonnegative().max(1e9).default(1e-6),
      })
      .describe('Tokens equal, numbers within an absolute or relative tolerance.'),
    customCheckerSchema,
  ]),
]);

/**
 * A submission as given to `Judge.submit`. One of `source`/`files`; at most one of `stdin`/`tests`.
 *
 * @example
 * ```ts
 * { language: 'python3', source: 'print(int(input()) * 2)', tests: [{ input: '5\n', expectedOutput: '10\n' }] }
 * ```
 */
export const submissionSchema = z
  .strictObject({
    language: z.string().min(1).max(64).describe('Language id or alias, e.g. `python3`, `cpp`.'),
    version: z.string().min(1).max(64).optional().describe('Wanted toolchain version; refused when it does not match the detected one.'),
    source: z.string().max(maxTextBytes).optional().describe('Source of the main file.'),
    files: z.array(fileSchema).min(1).max(64).optional().describe('Several files; the first is the main one.'),
    stdin: z.string().max(maxTextBytes).optional().describe('Input of a single run (no expected output).'),
    tests: z.array(testSchema).min(1).max(1000).optional().describe('Tests to run, in order.'),
    limits: limitsSchema.optional().describe('Limits for every test.'),
    compileLimits: limitsSchema
      .optional()
      .describe('Limits for the compile step, over the language’s compile defaults (each at most the configured maximum).'),
    checker: checkerSchema.optional().describe('Output comparison; defaults to `lines`.'),
    interactor: interactorSchema.optional(),
    args: z
      .array(
        z
          .string()
          .max(4096)
          .refine((a) => !a.includes('\0'), { error: 'an argument must not contain a NUL byte' }),
      )
      .max(64)
      .optional()
      .describe('Arguments passed to the program (no NUL bytes).'),
    compileArgs: z
      .array(z.string().max(4096))
      .max(64)
      .optional()
      .describe(
        'Extra arguments for the compiler (compiled languages), e.g. `["-O3", "-DLOCAL"]`; where they go is the language’s choice.',
      ),
    stderrToStdout: z
      .boolean()
      .optional()
      .describe('Write the program’s stderr into its stdout, in the order written (stderr is then empty). Default false.'),
    stackBytes: z
      .number()
      .int()
      .min(1024)
      .max(2 ** 40)
      .optional()
      .describe(
        'The stack limit (RLIMIT_STACK) of the program on every test, in bytes, rounded up to KiB and at most the memory limit: a shell in the sandbox lowers it, then execs the program. Default: the runner’s (the memory limit).',
      ),
    stopOnFirstFailure: z.boolean().optional().describe('Skip the remaining tests after the first that fails. Default false.'),
    metadata: z
      .record(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'metadata keys are 1-64 letters, digits, _ . : -'), z.string().max(1024))
      .optional()
      .describe('Opaque labels echoed on the result.'),
    callbackUrl: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe(
        'Where the result is POSTed, signed, once the submission is done or cancelled. The server refuses destinations that are not public unless it allow-lists them.',
      ),
  })
  .superRefine((value, ctx) => {
    if ((value.source === undefined) === (value.files === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: 'give exactly one of source or files' });
    }
    if (value.stdin !== undefined && value.tests !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['stdin'], message: 'give stdin or tests, not both' });
    }
    if (value.metadata && Object.keys(value.metadata).length > 32) {
      ctx.addIssue({ code: 'custom', path: ['metadata'], message: 'at most 32 metadata keys' });
    }
  });

/** Input type of a submission (before defaults). */
export type SubmissionInput = z.input<typeof submissionSchema>;
/** A submission after validation and defaults. */
export type ParsedSubmission = z.output<typeof submissionSchema>;
/** Limits a submission may request. */
export type LimitsInput = z.output<typeof limitsSchema>;
/** A checker after validation. */
export type Checker = z.output<typeof checkerSchema>;
