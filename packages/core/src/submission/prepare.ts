import { JudgeError } from '../errors/judge-error.js';
import { sourceFileFor } from '../languages/definition.js';
import type { LanguageRegistry } from '../languages/registry.js';
import type { SandboxFile } from '../runner/contract.js';
import { defaultCompileLimits, type Limits } from '../runner/limits.js';
import type { SubmissionResult } from './result.js';
import type { Checker } from './schema.js';
import { parseSubmission, resolveLimits } from './validate.js';

/** One test of a {@link PreparedSubmission}: every default applied, every limit resolved. */
export interface PreparedTest {
  /** The test's name: the one given, else its 1-based position. */
  name: string;
  /** Bytes given on stdin (UTF-8 text). */
  input: string;
  /** Expected stdout, or `null`: then a clean run within limits is accepted. */
  expectedOutput: string | null;
  /** The run step's limits for this test, fully resolved and within the judge's maxima. */
  limits: Limits;
}

/** The interactor of a {@link PreparedSubmission}: its language, files and limits resolved. */
export interface PreparedInteractor {
  languageId: string;
  /** Files; the first is the interactor language's source file. */
  files: PreparedFile[];
  compileLimits: Limits;
  limits: Limits;
}

/** A file of a {@link PreparedSubmission}, still in its transport encoding. */
export interface PreparedFile {
  /** Path in the sandbox's work directory; the first file is always the language's source file. */
  path: string;
  /** Contents in `encoding`. */
  content: string;
  /** `utf8` text, or `base64` for binary contents. */
  encoding: 'utf8' | 'base64';
}

/**
 * A submission ready to run: validated, every default applied, the language resolved to its id,
 * files named, every limit resolved and checked against the maxima. It is the judging
 * pipeline's only input and plain JSON (no functions, no class instances), so a queue in another
 * process or on another machine can carry it ({@link Job}) and a durable store can keep it.
 * Built by {@link prepareSubmission}, the one function that makes one; nothing else should.
 */
export interface PreparedSubmission {
  /** The language's id (an alias given by the submitter is resolved). */
  languageId: string;
  /** The toolchain version the submitter asked for (`3.11`, `3.x`), or `null` for any. */
  version: string | null;
  /**
   * Files to write; the first is the language's main source file, named `sourceFile` or, for a
   * language with `sourceFileFrom` (Java), after its contents (`Solution.java`).
   */
  files: PreparedFile[];
  /** Arguments passed to the program on every test. */
  args: string[];
  /** Extra arguments of the compile step (given to the language's compile command as its `args`). */
  compileArgs: string[];
  /** Whether the program's stderr goes into its stdout. */
  stderrToStdout: boolean;
  /** The program's stack limit in bytes, or `null` for the runner's (absent in jobs queued by older versions). */
  stackBytes?: number | null;
  /** Limits of the compile step (used only by compiled languages). */
  compileLimits: Limits;
  /** The tests, in order; at least one. */
  tests: PreparedTest[];
  /** How output is compared with the expected output. */
  checker: Checker;
  /** For a custom checker: its language's id, else `null`. */
  checkerLanguageId: string | null;
  /** For a custom checker: the limits of its compile step, else `null`. */
  checkerCompileLimits: Limits | null;
  /** For a custom checker: the limits of each of its runs, else `null`. */
  checkerLimits: Limits | null;
  /** An interactive problem's interactor (its output decides each test), or `null`. */
  interactor?: PreparedInteractor | null;
  /** Skip the remaining tests after the first that fails. */
  stopOnFirstFailure: boolean;
  /** Opaque labels echoed on the result, or `null`. */
  metadata: Record<string, string> | null;
  /** Where the result is posted once the submission is done or cancelled (a webhook), or `null`. */
  callbackUrl: string | null;
  /** Characters of text held (files, inputs, expected outputs); read it through {@link storedTextBytes}. */
  textLength: number;
}

/** What {@link prepareSubmission} resolves a submission against. */
export interface PrepareContext {
  /** The languages a submission may name. */
  languages: LanguageRegistry;
  /** Limits used where neither the submission nor its language sets one. */
  defaultLimits: Limits;
  /** Highest limits a submission may ask for: above one it is refused (`JDG_ERR_LIMIT_EXCEEDS_MAX`), never clamped. */
  maxLimits: Limits;
}

/**
 * Validates a submission and resolves it into a {@link PreparedSubmission}: the language, the
 * files, every limit (refused above the maxima), the tests and the checker. Everything a worker
 * could fail on is refused here, with a coded error (`JDG_ERR_INPUT_INVALID`,
 * `JDG_ERR_LANGUAGE_UNKNOWN`, `JDG_ERR_LIMIT_EXCEEDS_MAX`), so a queued submission never fails
 * on its input.
 *
 * @example
 * ```ts
 * const prepared = prepareSubmission({ language: 'py', source: 'print(1)' }, {
 *   languages: new LanguageRegistry(), defaultLimits, maxLimits: defaultMaxLimits,
 * })
 * prepared.languageId // 'python3'
 * prepared.files[0].path // 'main.py'
 * ```
 */
export function prepareSubmission(input: unknown, context: PrepareContext): PreparedSubmission {
  const submission = parseSubmission(input);
  const { languages: registry, defaultLimits: defaults, maxLimits: max } = context;
  const language = registry.get(submission.language);
  const mainFile = (content: string, encoding: 'utf8' | 'base64') =>
    sourceFileFor(language, encoding === 'base64' ? Buffer.from(content, 'base64').toString('utf8') : content);
  const files: PreparedFile[] = submission.files
    ? submission.files.map((f, i) => ({
        path: i === 0 ? mainFile(f.content, f.encoding) : (f.name ?? `file${i}`),
        content: f.content,
        encoding: f.encoding,
      }))
    : [{ path: mainFile(submission.source ?? '', 'utf8'), content: submission.source ?? '', encoding: 'utf8' as const }];
  const paths = new Set<string>();
  for (const [i, f] of files.entries()) {
    if (paths.has(f.path)) {
      throw new JudgeError(
        'JDG_ERR_INPUT_INVALID',
        `files.${i}.name: ${JSON.stringify(f.path)} appears twice (the first file is always ${files[0]!.path}).`,
        {
          details: { issues: [{ path: `files.${i}.name`, message: 'duplicate file name' }] },
        },
      );
    }
    paths.add(f.path);
  }
  const compileLimits = resolveLimits(defaultCompileLimits, language.compileLimits, [submission.compileLimits], max, 'compileLimits');
  const runBase = resolveLimits(defaults, language.runLimits, [submission.limits], max, 'limits');
  const rawTests = submission.tests ?? [{ input: submission.stdin ?? '', expectedOutput: undefined, name: undefined, limits: undefined }];
  const tests: PreparedTest[] = rawTests.map((t, i) => ({
    name: t.name ?? String(i + 1),
    input: t.input ?? '',
    expectedOutput: t.expectedOutput ?? null,
    limits: t.limits ? resolveLimits(runBase, undefined, [t.limits], max, `tests.${i}.limits`) : runBase,
  }));
  const checker: Checker = submission.checker ?? { type: 'lines' };
  let checkerLanguageId: string | null = null;
  let checkerCompileLimits: Limits | null = null;
  let checkerLimits: Limits | null = null;
  if (checker.type === 'custom') {
    const checkerLanguage = registry.get(checker.language);
    checkerLanguageId = checkerLanguage.id;
    checkerCompileLimits = resolveLimits(defaultCompileLimits, checkerLanguage.compileLimits, [], max, 'checker.compileLimits');
    checkerLimits = resolveLimits(defaults, checkerLanguage.runLimits, [checker.limits], max, 'checker.limits');
  }
  let interactor: PreparedInteractor | null = null;
  if (submission.interactor) {
    const given = submission.interactor;
    const interactorLanguage = registry.get(given.language);
    const limits = resolveLimits(defaults, interactorLanguage.runLimits, [given.limits], max, 'interactor.limits');
    // It must outlive the solution, whose wall limit ends a deadlock as a time limit (not the interactor's).
    if (given.limits?.wallTimeMs === undefined) {
      const longest = Math.max(...tests.map((t) => t.limits.wallTimeMs));
      limits.wallTimeMs = Math.min(max.wallTimeMs, Math.max(limits.wallTimeMs, longest + 1000));
    }
    const source = (content: string, encoding: 'utf8' | 'base64') =>
      sourceFileFor(interactorLanguage, encoding === 'base64' ? Buffer.from(content, 'base64').toString('utf8') : content);
    interactor = {
      languageId: interactorLanguage.id,
      files: given.files
        ? given.files.map((f, i) => ({
            path: i === 0 ? source(f.content, f.encoding) : (f.name ?? `file${i}`),
            content: f.content,
            encoding: f.encoding,
          }))
        : [{ path: source(given.source ?? '', 'utf8'), content: given.source ?? '', encoding: 'utf8' as const }],
      compileLimits: resolveLimits(defaultCompileLimits, interactorLanguage.compileLimits, [], max, 'interactor.compileLimits'),
      limits,
    };
  }
  let textLength = 0;
  for (const f of files) textLength += f.content.length;
  for (const f of interactor?.files ?? []) textLength += f.content.length;
  for (const t of tests) textLength += t.input.length + (t.expectedOutput?.length ?? 0);
  if (checker.type === 'custom') textLength += checker.source.length;
  const version =
    submission.version === undefined || submission.version === '*' || submission.version === 'latest' ? null : submission.version;
  return {
    languageId: language.id,
    version,
    files,
    args: submission.args ?? [],
    compileArgs: submission.compileArgs ?? [],
    stderrToStdout: submission.stderrToStdout ?? false,
    stackBytes: submission.stackBytes ?? null,
    compileLimits,
    tests,
    checker,
    checkerLanguageId,
    checkerCompileLimits,
    checkerLimits,
    interactor,
    stopOnFirstFailure: submission.stopOnFirstFailure ?? false,
    metadata: submission.metadata ?? null,
    callbackUrl: submission.callbackUrl ?? null,
    textLength,
  };
}

/** @internal Decodes prepared files for the sandbox. */
export function toSandboxFiles(files: readonly PreparedFile[]): SandboxFile[] {
  return files.map((f) => ({ path: f.path, content: f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : f.content }));
}

/**
 * Approximate bytes of text a stored submission holds: its prepared input (until it has run) and
 * the outputs on its result, plus a fixed overhead per entry and per test. Stores that bound
 * their size use this rather than reaching into the fields, so the bound follows the shapes.
 *
 * @example
 * ```ts
 * new LRUCache({ maxSize: 512 << 20, sizeCalculation: storedTextBytes })
 * ```
 */
export function storedTextBytes(value: { input: PreparedSubmission | null; result: SubmissionResult }): number {
  let n = 256;
  const r = value.result;
  if (r.compile) n += r.compile.stdout.length + r.compile.stderr.length;
  for (const t of r.tests) n += 128 + t.stdout.length + t.stderr.length;
  if (value.input) n += value.input.textLength;
  return n;
}
