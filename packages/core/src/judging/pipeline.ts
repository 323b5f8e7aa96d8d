import { JudgeError } from '../errors/judge-error.js';
import { buildCommand, type LanguageDefinition } from '../languages/definition.js';
import type { ExecOutcome, Runner, Sandbox, SandboxFile } from '../runner/contract.js';
import type { Limits } from '../runner/limits.js';
import type { StepResult, TestResult, Verdict } from '../submission/result.js';
import type { Checker } from '../submission/schema.js';
import { type CheckResult, checkExact, checkFloats, checkLines, checkTokens } from './checkers.js';
import { classifyRun, overallVerdict, testVerdict } from './verdicts.js';

/** @internal A test, ready to run. */
export interface PreparedTest {
  name: string;
  input: string;
  expectedOutput: string | null;
  limits: Limits;
}

/** @internal Everything the worker needs; plain data except the resolved language definitions. */
export interface PipelineInput {
  language: LanguageDefinition;
  files: SandboxFile[];
  args: string[];
  compileLimits: Limits;
  tests: PreparedTest[];
  checker: Checker;
  checkerLanguage: LanguageDefinition | null;
  checkerCompileLimits: Limits | null;
  checkerLimits: Limits | null;
  stopOnFirstFailure: boolean;
}

/** @internal What the pipeline reports. */
export interface PipelineResult {
  verdict: Verdict;
  message: string | null;
  compile: StepResult | null;
  tests: TestResult[];
}

/** @internal Progress callbacks. */
export interface PipelineHooks {
  onCompiled?(compile: StepResult): void;
  onTest?(index: number, test: TestResult): void;
}

const toStep = (o: ExecOutcome): StepResult => ({ ...o });

function compileArgv(language: LanguageDefinition, limits: Limits): string[] {
  return buildCommand(language.compile!, { limits, args: [], sourceFile: language.sourceFile });
}

function describeCompileFailure(o: ExecOutcome): string {
  if (o.limitExceeded) return `the compiler exceeded its ${o.limitExceeded} limit`;
  if (o.signal) return `the compiler was killed by ${o.signal}`;
  return `the compiler exited with code ${o.exitCode}`;
}

/** Runs a custom checker program in its own sandbox, compiled once. */
class CustomChecker {
  #box: Sandbox | undefined;
  constructor(
    private readonly runner: Runner,
    private readonly language: LanguageDefinition,
    private readonly source: string,
    private readonly compileLimits: Limits,
    private readonly limits: Limits,
  ) {}

  async open(signal: AbortSignal): Promise<void> {
    this.#box = await this.runner.open({ language: this.language }, { signal });
    await this.#box.write([{ path: this.language.sourceFile, content: this.source }], { signal });
    if (this.language.compile) {
      const out = await this.#box.exec(
        { argv: compileArgv(this.language, this.compileLimits), limits: this.compileLimits, env: this.language.env },
        { signal },
      );
      if (out.exitCode !== 0 || out.limitExceeded) {
        throw new JudgeError(
          'JDG_ERR_SANDBOX_FAILED',
          `The custom checker failed to compile: ${describeCompileFailure(out)}: ${out.stderr.slice(0, 2000)}`,
        );
      }
    }
  }

  async check(input: string, output: string, expected: string, signal: AbortSignal): Promise<CheckResult> {
    const box = this.#box!;
    await box.write(
      [
        { path: 'input.txt', content: input },
        { path: 'output.txt', content: output },
        { path: 'expected.txt', content: expected },
      ],
      { signal },
    );
    const argv = buildCommand(this.language.run, {
      limits: this.limits,
      args: ['input.txt', 'output.txt', 'expected.txt'],
      sourceFile: this.language.sourceFile,
    });
    const out = await box.exec({ argv, limits: this.limits, env: this.language.env }, { signal });
    if (out.exitCode === 0) return { ok: true, message: null };
    if (out.exitCode !== null && !out.limitExceeded) {
      return { ok: false, message: (out.stdout + out.stderr).trim().slice(0, 1000) || `checker exited with code ${out.exitCode}` };
    }
    throw new JudgeError(
      'JDG_ERR_SANDBOX_FAILED',
      `The custom checker failed: ${out.limitExceeded ? `${out.limitExceeded} limit` : `killed by ${out.signal}`}.`,
    );
  }

  async dispose(): Promise<void> {
    await this.#box?.dispose();
  }
}

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

/**
 * @internal Judges one submission in one sandbox: write files, compile once, run each test,
 * check. Throws only for broken machinery or an abort; every verdict is returned as data.
 */
export async function runPipeline(
  runner: Runner,
  input: PipelineInput,
  signal: AbortSignal,
  hooks: PipelineHooks = {},
): Promise<PipelineResult> {
  const { language } = input;
  const box = await runner.open({ language }, { signal });
  let checker: CustomChecker | undefined;
  try {
    await box.write(input.files, { signal });
    let compile: StepResult | null = null;
    if (language.compile) {
      const out = await box.exec(
        { argv: compileArgv(language, input.compileLimits), limits: input.compileLimits, env: language.env },
        { signal },
      );
      compile = toStep(out);
      hooks.onCompiled?.(compile);
      if (out.exitCode !== 0 || out.limitExceeded) {
        return { verdict: 'compile_error', message: describeCompileFailure(out), compile, tests: [] };
      }
    }
    if (input.checker.type === 'custom') {
      checker = new CustomChecker(runner, input.checkerLanguage!, input.checker.source, input.checkerCompileLimits!, input.checkerLimits!);
      await checker.open(signal);
    }
    const tests: TestResult[] = [];
    let failed = false;
    for (const [index, test] of input.tests.entries()) {
      if (failed && input.stopOnFirstFailure) {
        const skipped: TestResult = {
          name: test.name,
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
        tests.push(skipped);
        hooks.onTest?.(index, skipped);
        continue;
      }
      const argv = buildCommand(language.run, { limits: test.limits, args: input.args, sourceFile: language.sourceFile });
      const out = await box.exec({ argv, stdin: test.input, limits: test.limits, env: language.env }, { signal });
      const run = classifyRun(out, test.limits, language);
      let check: CheckResult | null = null;
      if (!run.verdict && test.expectedOutput !== null) {
        check = checker
          ? await checker.check(test.input, out.stdout, test.expectedOutput, signal)
          : builtinCheck(input.checker, out.stdout, test.expectedOutput);
      }
      const { verdict, message } = testVerdict(run, check);
      const result: TestResult = { name: test.name, verdict, message, ...toStep(out) };
      tests.push(result);
      hooks.onTest?.(index, result);
      if (verdict !== 'accepted') failed = true;
    }
    const verdict = overallVerdict(tests);
    return { verdict, message: null, compile, tests };
  } finally {
    await Promise.allSettled([box.dispose(), checker?.dispose()]);
  }
}
