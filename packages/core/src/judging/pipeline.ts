import { isJudgeError, JudgeError } from '../errors/judge-error.js';
import { buildCommand, type LanguageDefinition } from '../languages/definition.js';
import type { LanguageRegistry } from '../languages/registry.js';
import type { ExecOutcome, Runner, Sandbox } from '../runner/contract.js';
import type { Limits } from '../runner/limits.js';
import { type PreparedSubmission, toSandboxFiles } from '../submission/prepare.js';
import type { StepResult, SubmissionResult, TestResult } from '../submission/result.js';
import type { Checker } from '../submission/schema.js';
import { type CheckResult, checkExact, checkFloats, checkLines, checkTokens } from './checkers.js';
import { CustomChecker, compileArgv, describeCompileFailure, runArgv } from './custom-checker.js';
import { Interactor } from './interactor.js';
import { type OutputBudget, retainOutput } from './output-budget.js';
import { addToSummary } from './summary.js';
import { classifyRun, overallVerdict, testVerdict } from './verdicts.js';

/** @internal What the pipeline judges with: one object serves every submission of a worker. */
export interface PipelineEnv {
  /** Resolves the submission's language ids. */
  languages: LanguageRegistry;
  /** Opens sandboxes beyond the main one (a custom checker's). */
  runner: Runner;
  /** The judge-wide bound on the output of commands running at once. */
  budget: OutputBudget;
  /** Most bytes of stdout plus stderr kept in one result, across its compile step and tests. */
  maxResultOutputBytes: number;
}

/**
 * @internal Progress, announced as it happens, for the submission `id`. Hooks only tell; the
 * pipeline alone writes the result. One hooks object serves every submission of a worker.
 */
export interface PipelineHooks {
  onCompiled?(id: string, compile: StepResult): void;
  onTest?(id: string, index: number, total: number, test: TestResult): void;
}

/** @internal How judging ended, beyond what the result says. */
export interface PipelineOutcome {
  /** The machinery failure behind an `internal_error` verdict, else `null`. */
  failure: unknown;
}

const toStep = (o: ExecOutcome): StepResult => ({ ...o });
const succeeded: PipelineOutcome = Object.freeze({ failure: null });

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

/**
 * Whether a test's failure may be the interpreter refusing a malformed source: the language has a
 * syntax check (and no compile step), and the run exited non-zero, within its limits, with stderr
 * as the interpreter words such a refusal.
 */
function needsSyntaxCheck(language: LanguageDefinition, t: TestResult, merged: boolean): boolean {
  const check = language.syntaxCheck;
  if (!check || language.compile || t.limitExceeded || t.exitCode === 0 || t.exitCode === null) return false;
  check.pattern.lastIndex = 0;
  return check.pattern.test(merged ? t.stdout : t.stderr);
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
 * @internal Judges one submission in its sandbox `box` (opened, not yet written): writes the
 * files, compiles once, runs each test and checks it. It is the only writer of the result's
 * judging fields (`compile`, `tests`, `summary`, `verdict`, `message`), filled in place as it
 * goes, so a store holding `result` shows progress. A failure of the machinery becomes
 * `internal_error` with a message saying what failed; only a cancel (`signal` aborted with
 * `JDG_ERR_OPERATION_ABORTED`) is thrown. It never disposes a sandbox: a sandbox it opens (a
 * custom checker's) is added to `opened`, and the caller disposes them all after the verdict is out.
 */
export async function runPipeline(
  env: PipelineEnv,
  box: Sandbox,
  submission: PreparedSubmission,
  result: SubmissionResult,
  signal: AbortSignal,
  hooks: PipelineHooks,
  opened: Sandbox[],
): Promise<PipelineOutcome> {
  const { id } = result;
  const total = submission.tests.length;
  const tests: TestResult[] = [];
  const summary = { passed: 0, total, maxCpuTimeMs: 0, maxWallTimeMs: 0, maxMemoryBytes: 0 };
  result.verdict = null;
  result.message = null;
  result.compile = null;
  result.tests = tests;
  result.summary = summary;
  let kept = 0;
  const { budget } = env;
  try {
    const language = env.languages.get(submission.languageId);
    const sourceFile = submission.files[0]!.path;
    /** Runs a compile step (or a syntax check) and records it as `result.compile`; true when it failed. */
    const compileStep = async (argv: string[], limits: Limits): Promise<boolean> => {
      const reserved = await budget.acquire(limits.outputBytes, signal);
      let out: ExecOutcome;
      try {
        out = await box.exec({ argv, limits, env: language.env }, { signal });
        result.compile = toStep(out);
        kept += retainOutput(result.compile, env.maxResultOutputBytes - kept);
      } finally {
        budget.release(reserved);
      }
      hooks.onCompiled?.(id, result.compile);
      if (out.exitCode === 0 && !out.limitExceeded) return false;
      result.verdict = 'compile_error';
      result.message = describeCompileFailure(out);
      return true;
    };
    await box.write(toSandboxFiles(submission.files), { signal });
    if (language.compile) {
      const argv = compileArgv(language, submission.compileLimits, submission.compileArgs, sourceFile);
      if (await compileStep(argv, submission.compileLimits)) return succeeded;
    }
    let checker: CustomChecker | undefined;
    if (submission.checker.type === 'custom') {
      const checkerLanguage = env.languages.get(submission.checkerLanguageId!);
      checker = new CustomChecker(checkerLanguage, submission.checker.source, submission.checkerCompileLimits!, submission.checkerLimits!);
      await checker.open(env.runner, opened, signal);
    }
    let interactor: Interactor | undefined;
    if (submission.interactor) {
      const given = submission.interactor;
      interactor = new Interactor(env.languages.get(given.languageId), given.files, given.compileLimits, given.limits);
      await interactor.open(env.runner, opened, signal);
    }
    let failed = false;
    for (let index = 0; index < total; index++) {
      const test = submission.tests[index]!;
      let outcome: TestResult;
      if (failed && submission.stopOnFirstFailure) {
        outcome = skippedTest(test.name);
      } else {
        const command = buildCommand(language.run, { limits: test.limits, args: submission.args, sourceFile });
        const argv = runArgv(command, {
          stderrToStdout: submission.stderrToStdout,
          stackBytes: submission.stackBytes ?? null,
          memoryBytes: test.limits.memoryBytes,
        });
        // What the runner (and a custom checker's runner) may buffer for this test is held against the judge's budget.
        const reserved = await budget.acquire(test.limits.outputBytes + (checker ? submission.checkerLimits!.outputBytes : 0), signal);
        const keptBefore = kept;
        try {
          if (interactor) {
            outcome = await interactor.judge(box, { ...test, argv, env: language.env, language }, signal);
          } else {
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
          }
          kept += retainOutput(outcome, env.maxResultOutputBytes - kept);
        } finally {
          budget.release(reserved);
        }
        if (index === 0 && needsSyntaxCheck(language, outcome, submission.stderrToStdout)) {
          // The interpreter refused the source or the program failed on its own: the check tells which.
          kept = keptBefore;
          const check = language.syntaxCheck!;
          const argv = buildCommand(check.command, { limits: submission.compileLimits, args: [], sourceFile });
          if (await compileStep(argv, submission.compileLimits)) return succeeded;
        }
        if (outcome.verdict !== 'accepted') failed = true;
      }
      tests.push(outcome);
      addToSummary(summary, outcome);
      hooks.onTest?.(id, index, total, outcome);
    }
    result.verdict = overallVerdict(tests);
    return succeeded;
  } catch (error) {
    const reason: unknown = signal.reason;
    if (signal.aborted && isJudgeError(reason, 'JDG_ERR_OPERATION_ABORTED')) throw reason;
    const failure = signal.aborted ? reason : error;
    result.verdict = 'internal_error';
    result.message = internalMessage(failure);
    return { failure };
  }
}
