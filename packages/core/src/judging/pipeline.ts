import { isJudgeError, JudgeError } from '../errors/judge-error.js';
import { buildCommand } from '../languages/definition.js';
import type { LanguageRegistry } from '../languages/registry.js';
import type { ExecOutcome } from '../runner/contract.js';
import { type PreparedSubmission, toSandboxFiles } from '../submission/prepare.js';
import type { StepResult, SubmissionResult, TestResult } from '../submission/result.js';
import type { Checker } from '../submission/schema.js';
import { type CheckResult, checkExact, checkFloats, checkLines, checkTokens } from './checkers.js';
import { CustomChecker, compileArgv, describeCompileFailure, type OpenSandbox } from './custom-checker.js';
import { summarize } from './summary.js';
import { classifyRun, overallVerdict, testVerdict } from './verdicts.js';

/** @internal What the pipeline judges with. */
export interface PipelineEnv {
  /** Resolves the submission's language ids. */
  languages: LanguageRegistry;
  /** Opens each sandbox the pipeline needs; the caller disposes them afterwards (the pipeline never does). */
  open: OpenSandbox;
}

/** @internal Progress, announced as it happens. Hooks only tell; the pipeline alone writes the result. */
export interface PipelineHooks {
  onCompiled?(compile: StepResult): void;
  onTest?(index: number, test: TestResult): void;
}

/** @internal How judging ended, beyond what the result says. */
export interface PipelineOutcome {
  /** The machinery failure behind an `internal_error` verdict, else `null`. */
  failure: unknown;
}

const toStep = (o: ExecOutcome): StepResult => ({ ...o });

function builtinCheck(checker: Checker, output: string, expected: string): CheckResult {
  switch (checker.type) {
    case 'exact':
      return checkExact(output, expected);
    case 'tokens':
      return checkTokens(output, expected);
    case 'float':
      return checkFloats(output, expected, checker.absTolerance, checker.relTolerance);
    default:
      return checkLines(output, expected);
  }
}

function skippedTest(name: string): TestResult {
  return {
    name,
    verdict: 'skipped',
    message: 'an earlier test failed',
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    cpuTimeMs: 0,
    wallTimeMs: 0,
    memoryBytes: 0,
    limitExceeded: null,
  };
}

/** A message for internal_error: what failed, with the cause's message, never a stack. */
export function internalMessage(error: unknown): string {
  if (error instanceof JudgeError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.code}: ${error.message}${cause}`;
  }
  if (error instanceof Error) return `unexpected failure: ${error.message}`;
  return `unexpected failure: ${String(error)}`;
}

/**
 * @internal Judges one submission: opens its sandbox, writes the files, compiles once, runs each
 * test and checks it. It is the only writer of the result's judging fields (`compile`, `tests`,
 * `summary`, `verdict`, `message`), filled in place as it goes, so a store holding `result` shows
 * progress. A failure of the machinery becomes `internal_error` with a message saying what
 * failed; only a cancel (`signal` aborted with `JDG_ERR_OPERATION_ABORTED`) is thrown.
 */
export async function runPipeline(
  env: PipelineEnv,
  submission: PreparedSubmission,
  result: SubmissionResult,
  signal: AbortSignal,
  hooks: PipelineHooks = {},
): Promise<PipelineOutcome> {
  const total = submission.tests.length;
  result.verdict = null;
  result.message = null;
  result.compile = null;
  result.tests = [];
  result.summary = summarize(result.tests, total);
  try {
    await judge(env, submission, result, signal, hooks);
    result.verdict = result.verdict ?? overallVerdict(result.tests);
    result.summary = summarize(result.tests, total);
    return { failure: null };
  } catch (error) {
    const reason: unknown = signal.reason;
    if (signal.aborted && isJudgeError(reason, 'JDG_ERR_OPERATION_ABORTED')) throw reason;
    const failure = signal.aborted ? reason : error;
    result.verdict = 'internal_error';
    result.message = internalMessage(failure);
    result.summary = summarize(result.tests, total);
    return { failure };
  }
}

async function judge(
  env: PipelineEnv,
  submission: PreparedSubmission,
  result: SubmissionResult,
  signal: AbortSignal,
  hooks: PipelineHooks,
): Promise<void> {
  const language = env.languages.get(submission.languageId);
  const box = await env.open(language, signal);
  await box.write(toSandboxFiles(submission.files), { signal });
  if (language.compile) {
    const limits = submission.compileLimits;
    const out = await box.exec({ argv: compileArgv(language, limits), limits, env: language.env }, { signal });
    result.compile = toStep(out);
    hooks.onCompiled?.(result.compile);
    if (out.exitCode !== 0 || out.limitExceeded) {
      result.verdict = 'compile_error';
      result.message = describeCompileFailure(out);
      return;
    }
  }
  let checker: CustomChecker | undefined;
  if (submission.checker.type === 'custom') {
    const checkerLanguage = env.languages.get(submission.checkerLanguageId!);
    checker = new CustomChecker(checkerLanguage, submission.checker.source, submission.checkerCompileLimits!, submission.checkerLimits!);
    await checker.open(env.open, signal);
  }
  const total = submission.tests.length;
  let failed = false;
  for (const [index, test] of submission.tests.entries()) {
    let outcome: TestResult;
    if (failed && submission.stopOnFirstFailure) {
      outcome = skippedTest(test.name);
    } else {
      const argv = buildCommand(language.run, { limits: test.limits, args: submission.args, sourceFile: language.sourceFile });
      const out = await box.exec({ argv, stdin: test.input, limits: test.limits, env: language.env }, { signal });
      const run = classifyRun(out, test.limits, language);
      let check: CheckResult | null = null;
      if (!run.verdict && test.expectedOutput !== null) {
        check = checker
          ? await checker.check(test.input, out.stdout, test.expectedOutput, signal)
          : builtinCheck(submission.checker, out.stdout, test.expectedOutput);
      }
      const { verdict, message } = testVerdict(run, check);
      outcome = { name: test.name, verdict, message, ...toStep(out) };
      if (verdict !== 'accepted') failed = true;
    }
    result.tests.push(outcome);
    result.summary = summarize(result.tests, total);
    hooks.onTest?.(index, outcome);
  }
}
