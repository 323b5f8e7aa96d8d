import { JudgeError } from '../errors/judge-error.js';
import { buildCommand, type LanguageDefinition } from '../languages/definition.js';
import type { ExecOutcome, Runner, Sandbox } from '../runner/contract.js';
import type { Limits } from '../runner/limits.js';
import { type ProcessExit, requireSpawn, type SandboxProcess, type SpawningSandbox } from '../runner/spawn.js';
import type { PreparedFile } from '../submission/prepare.js';
import { toSandboxFiles } from '../submission/prepare.js';
import type { TestResult } from '../submission/result.js';
import { compileArgv, describeCompileFailure } from './custom-checker.js';
import { classifyRun } from './verdicts.js';

/** Most bytes of the interactor's stderr kept as a test's message. */
const maxMessageBytes = 4096;

/** @internal One test of an interactive problem: what the solution runs and with what. */
export interface InteractiveTest {
  name: string;
  input: string;
  expectedOutput: string | null;
  argv: string[];
  env: Record<string, string> | undefined;
  limits: Limits;
  language: LanguageDefinition;
}

/** Collects a stream up to a cap. */
class Capped {
  readonly parts: Buffer[] = [];
  bytes = 0;
  truncated = false;
  constructor(private readonly cap: number) {}
  push(data: Uint8Array): void {
    const room = this.cap - this.bytes;
    if (data.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = Buffer.from(data.subarray(0, room));
    this.parts.push(part);
    this.bytes += part.length;
  }
  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

/**
 * @internal An interactor program in its own sandbox, compiled once, run once per test beside
 * the solution: the solution's stdout is its stdin and its stdout the solution's stdin, both with
 * flow control (a side that does not read stops the other). It reads the test's input from
 * argv[1] and the expected output, if any, from argv[2]; its exit code decides as testlib's.
 */
export class Interactor {
  #box: SpawningSandbox | undefined;
  constructor(
    private readonly language: LanguageDefinition,
    private readonly files: PreparedFile[],
    private readonly compileLimits: Limits,
    private readonly limits: Limits,
  ) {}

  /** Opens its sandbox (added to `opened`, for the caller to dispose) and compiles the interactor. */
  async open(runner: Runner, opened: Sandbox[], signal: AbortSignal): Promise<void> {
    const box = await runner.open({ language: this.language }, { signal });
    opened.push(box);
    this.#box = requireSpawn(box, runner.name);
    await box.write(toSandboxFiles(this.files), { signal });
    if (this.language.compile) {
      const out = await box.exec(
        { argv: compileArgv(this.language, this.compileLimits), limits: this.compileLimits, env: this.language.env },
        { signal },
      );
      if (out.exitCode !== 0 || out.limitExceeded) {
        throw new JudgeError(
          'JDG_ERR_SANDBOX_FAILED',
          `The interactor failed to compile: ${describeCompileFailure(out)}: ${out.stderr.slice(0, 2000)}`,
        );
      }
    }
  }

  /** Runs one test: the solution in `solutionBox`, the interactor in its own, wired both ways. */
  async judge(solutionBox: Sandbox, test: InteractiveTest, signal: AbortSignal): Promise<TestResult> {
    const box = this.#box!;
    const files = [{ path: 'input.txt', content: test.input }];
    if (test.expectedOutput !== null) files.push({ path: 'expected.txt', content: test.expectedOutput });
    await box.write(files, { signal });
    const args = test.expectedOutput === null ? ['input.txt'] : ['input.txt', 'expected.txt'];
    const interactorArgv = buildCommand(this.language.run, { limits: this.limits, args, sourceFile: this.language.sourceFile });
    const solutionSpawning = requireSpawn(solutionBox, 'solution');
    const interactor = await box.spawn({ argv: interactorArgv, env: this.language.env, limits: this.limits }, { signal });
    // The interactor talks first (it sends the test's opening line) while the solution is still
    // starting: its output is held until the solution can take it, and past 64 KiB it is paused.
    const early: ['stdout' | 'stderr', Uint8Array][] = [];
    let earlyBytes = 0;
    interactor.onOutput = (stream, data) => {
      early.push([stream, Uint8Array.from(data)]);
      earlyBytes += data.length;
      if (earlyBytes > 64 * 1024) interactor.pause();
    };
    let solution: SandboxProcess;
    try {
      solution = await solutionSpawning.spawn({ argv: test.argv, env: test.env, limits: test.limits }, { signal });
    } catch (error) {
      interactor.signal('SIGKILL');
      await interactor.exit.catch(() => undefined);
      throw error;
    }
    const solutionStderr = new Capped(test.limits.outputBytes);
    const message = new Capped(maxMessageBytes);
    wire(solution, interactor, (data) => solutionStderr.push(data));
    wire(interactor, solution, (data) => message.push(data));
    if (earlyBytes > 64 * 1024) interactor.resume();
    // Replayed through the wiring, which pauses the interactor again if the solution cannot take it.
    for (const [stream, data] of early) interactor.onOutput?.(stream, data);
    const onAbort = (): void => {
      solution.signal('SIGKILL');
      interactor.signal('SIGKILL');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    // Once the interactor has decided, the solution's further output is moot: it is stopped, so a
    // flood cannot run on to its time limit. A solution that ends on a limit stops the interactor.
    let interactorDone = false;
    let solutionLimit = false;
    const interactorExit = interactor.exit.then((exit) => {
      interactorDone = true;
      solution.signal('SIGKILL');
      return exit;
    });
    const solutionExit = solution.exit.then((exit) => {
      interactor.end();
      if (exit.limitExceeded && !interactorDone) {
        solutionLimit = true;
        interactor.signal('SIGKILL');
      }
      return exit;
    });
    let sol: ProcessExit;
    let act: ProcessExit;
    try {
      [sol, act] = await Promise.all([solutionExit, interactorExit]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const outcome: ExecOutcome = {
      ...sol,
      stdout: '',
      stderr: solutionStderr.text(),
      stdoutTruncated: false,
      stderrTruncated: solutionStderr.truncated,
    };
    const base = { name: test.name, ...outcome };
    const run = classifyRun(outcome, test.limits, test.language);
    const timeOrMemory = run.verdict === 'time_limit_exceeded' || run.verdict === 'memory_limit_exceeded';
    if (solutionLimit || (timeOrMemory && sol.limitExceeded)) {
      return { ...base, verdict: run.verdict ?? 'time_limit_exceeded', message: run.message };
    }
    const said = message.text().trim() || null;
    if (act.signal !== null || act.limitExceeded) {
      throw new JudgeError(
        'JDG_ERR_SANDBOX_FAILED',
        `The interactor crashed on test ${test.name}: ${act.limitExceeded ? `${act.limitExceeded} limit` : `killed by ${act.signal}`}${said ? `: ${said.slice(0, 500)}` : ''}`,
      );
    }
    if (act.exitCode === 1 || act.exitCode === 2) {
      return { ...base, verdict: 'wrong_answer', message: said ?? (act.exitCode === 2 ? 'presentation error' : 'wrong answer') };
    }
    if (act.exitCode !== 0) {
      throw new JudgeError(
        'JDG_ERR_SANDBOX_FAILED',
        `The interactor failed on test ${test.name} (exit code ${act.exitCode})${said ? `: ${said.slice(0, 500)}` : ''}`,
      );
    }
    // Accepted by the interactor; a solution that then failed on its own (not by our stop) did not pass.
    const stoppedByUs = sol.signal === 'SIGKILL' && !sol.limitExceeded;
    if (run.verdict && !stoppedByUs && sol.signal !== 'SIGPIPE') return { ...base, verdict: run.verdict, message: run.message };
    // (A solution still running when the interactor accepted was stopped: its exit shows SIGKILL.)
    return { ...base, verdict: 'accepted', message: said };
  }
}

/** Pipes `from`'s stdout into `to`'s stdin with flow control; `from`'s stderr goes to `onStderr`. */
function wire(from: SandboxProcess, to: SandboxProcess, onStderr: (data: Uint8Array) => void): void {
  from.onOutput = (stream, data) => {
    if (stream === 'stderr') return onStderr(data);
    if (!to.write(data)) {
      from.pause();
      to.onDrain = () => {
        to.onDrain = null;
        from.resume();
      };
    }
  };
}
