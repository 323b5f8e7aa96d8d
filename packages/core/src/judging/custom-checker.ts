import { JudgeError } from '../errors/judge-error.js';
import { buildCommand, type LanguageDefinition, sourceFileFor } from '../languages/definition.js';
import type { ExecOutcome, Runner, Sandbox } from '../runner/contract.js';
import type { Limits } from '../runner/limits.js';
import type { CheckResult } from './checkers.js';

/** @internal The compile step's argv, with the submission's extra compiler arguments. */
export function compileArgv(
  language: LanguageDefinition,
  limits: Limits,
  args: readonly string[] = [],
  sourceFile: string = language.sourceFile,
): string[] {
  return buildCommand(language.compile!, { limits, args: [...args], sourceFile });
}

/**
 * @internal The run step's argv with stderr sent into stdout: a POSIX shell in the sandbox points
 * fd 2 at fd 1 and execs the program, so it is the same process (signals, exit code, limits).
 */
export function mergedStderrArgv(argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', 'exec "$@" 2>&1', 'sh', ...argv];
}

/**
 * @internal The run step's argv: as is, or under a POSIX shell in the sandbox that merges stderr
 * into stdout and/or lowers the stack limit (`ulimit -s`, soft and hard, at most the memory limit
 * the runner's own RLIMIT_STACK allows), then execs the program, so it stays the same process.
 * A shell that cannot set the limit exits 125 with its message rather than run with another.
 */
export function runArgv(
  argv: readonly string[],
  options: { stderrToStdout: boolean; stackBytes: number | null; memoryBytes: number },
): string[] {
  if (options.stackBytes === null) return options.stderrToStdout ? mergedStderrArgv(argv) : [...argv];
  const kb = Math.max(1, Math.ceil(Math.min(options.stackBytes, options.memoryBytes) / 1024));
  return ['/bin/sh', '-c', `ulimit -s ${kb} || exit 125; exec "$@"${options.stderrToStdout ? ' 2>&1' : ''}`, 'sh', ...argv];
}

/** @internal Why a compile step failed, in words. */
export function describeCompileFailure(o: ExecOutcome): string {
  if (o.limitExceeded) return `the compiler exceeded its ${o.limitExceeded} limit`;
  if (o.signal) return `the compiler was killed by ${o.signal}`;
  return `the compiler exited with code ${o.exitCode}`;
}

/** @internal A custom checker program in its own sandbox, compiled once, run once per test. */
export class CustomChecker {
  #box: Sandbox | undefined;
  readonly #sourceFile: string;
  constructor(
    private readonly language: LanguageDefinition,
    private readonly source: string,
    private readonly compileLimits: Limits,
    private readonly limits: Limits,
  ) {
    this.#sourceFile = sourceFileFor(language, source);
  }

  /** Opens its sandbox (added to `opened`, for the caller to dispose) and compiles the checker. */
  async open(runner: Runner, opened: Sandbox[], signal: AbortSignal): Promise<void> {
    this.#box = await runner.open({ language: this.language }, { signal });
    opened.push(this.#box);
    await this.#box.write([{ path: this.#sourceFile, content: this.source }], { signal });
    if (this.language.compile) {
      const out = await this.#box.exec(
        { argv: compileArgv(this.language, this.compileLimits, [], this.#sourceFile), limits: this.compileLimits, env: this.language.env },
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
      sourceFile: this.#sourceFile,
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
}
