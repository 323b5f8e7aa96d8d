import { constants } from 'node:os';
import { builtinLanguages, type StepResult, type SubmissionResult, type TestResult } from '@judgekit/core';

/** Judge0's 14 statuses, ids and descriptions exactly as Judge0 CE 1.13.1 (`app/enumerations/status.rb`). */
export const judge0Statuses = [
  { id: 1, description: 'In Queue' },
  { id: 2, description: 'Processing' },
  { id: 3, description: 'Accepted' },
  { id: 4, description: 'Wrong Answer' },
  { id: 5, description: 'Time Limit Exceeded' },
  { id: 6, description: 'Compilation Error' },
  { id: 7, description: 'Runtime Error (SIGSEGV)' },
  { id: 8, description: 'Runtime Error (SIGXFSZ)' },
  { id: 9, description: 'Runtime Error (SIGFPE)' },
  { id: 10, description: 'Runtime Error (SIGABRT)' },
  { id: 11, description: 'Runtime Error (NZEC)' },
  { id: 12, description: 'Runtime Error (Other)' },
  { id: 13, description: 'Internal Error' },
  { id: 14, description: 'Exec Format Error' },
] as const;

/** A Judge0 status id, 1–14. */
export type Judge0StatusId = (typeof judge0Statuses)[number]['id'];

/** `{ id, description }` of a status id. */
export function judge0Status(id: Judge0StatusId): { id: Judge0StatusId; description: string } {
  return { id, description: judge0Statuses[id - 1]!.description };
}

/** What a submission's result says in Judge0's terms (the fields after a run). */
export interface Judge0Outcome {
  statusId: Judge0StatusId;
  stdout: string | null;
  stderr: string | null;
  compileOutput: string | null;
  message: string | null;
  exitCode: number | null;
  exitSignal: number | null;
  /** CPU seconds (the mean over the runs of `number_of_runs`), null until the program ran. */
  time: number | null;
  /** Wall seconds of the last run. */
  wallTime: number | null;
  /** Peak memory in KB (the mean over the runs, truncated as Judge0's integer column does). */
  memory: number | null;
  finishedAt: string | null;
}

const signalNumbers = constants.signals as Record<string, number>;

/** The signal's number on this host (`SIGSEGV` → 11), or null. */
export function signalNumber(name: string | null): number | null {
  if (name === null) return null;
  return signalNumbers[name] ?? null;
}

// Judge0's `Status.find_runtime_error_by_status_code`: the signal decides.
const statusOfSignal: Record<number, Judge0StatusId> = {
  [signalNumbers.SIGSEGV ?? 11]: 7,
  [signalNumbers.SIGXFSZ ?? 25]: 8,
  [signalNumbers.SIGFPE ?? 8]: 9,
  [signalNumbers.SIGABRT ?? 6]: 10,
};

/** Bash's words when the program it was told to start cannot be executed (exit 126): Judge0's execve failures. */
const execFormatFailure = /cannot execute binary file|Exec format error|Permission denied/i;
/** The runner's words when the command to start is missing from the sandbox. */
const commandMissing = /command not found in the sandbox/i;

const seconds = (ms: number): number => Math.round(ms) / 1000;
const orNull = (text: string): string | null => (text.length > 0 ? text : null);

/** Built-in languages with no compile step whose malformed sources a syntax check finds (Python). */
const checkedOnly = new Set(builtinLanguages.filter((l) => !l.compile && l.syntaxCheck).map((l) => l.id));

/**
 * Maps a judgekit result onto Judge0's statuses and fields, as Judge0's `IsolateJob` would have
 * filled them from isolate's metadata:
 * - queued → 1, running → 2;
 * - accepted → 3, wrong answer → 4, a CPU or wall limit → 5 ("Time limit exceeded" / "... (wall clock)");
 * - a compile error → 6, with the compiler's output ("Compilation time limit exceeded." for a compile timeout);
 * - death by SIGSEGV → 7, SIGXFSZ → 8, SIGFPE → 9, SIGABRT → 10, any other signal → 12;
 *   a non-zero exit → 11 (NZEC), also a Python source its interpreter refuses (judgekit's `compile_error` from
 *   the syntax check: Judge0 has no compile stage for Python);
 * - the output or file-size limit → 8 (SIGXFSZ: Judge0's stdout is a file under `max_file_size`);
 * - the memory limit → 12 when the program was killed (SIGKILL), 11 when the runtime exited with its
 *   own out-of-memory error;
 * - a program that cannot be executed (bash exit 126 "cannot execute binary file", or a command
 *   missing in the sandbox) → 14;
 * - judgekit's internal errors and cancelled submissions → 13.
 */
export function judge0Outcome(result: SubmissionResult): Judge0Outcome {
  const empty: Judge0Outcome = {
    statusId: 1,
    stdout: null,
    stderr: null,
    compileOutput: null,
    message: null,
    exitCode: null,
    exitSignal: null,
    time: null,
    wallTime: null,
    memory: null,
    finishedAt: null,
  };
  if (result.status === 'queued') return empty;
  if (result.status === 'running') return { ...empty, statusId: 2 };
  const finishedAt = result.finishedAt;
  const compileOutput = result.compile ? compileText(result.compile) : null;
  if (result.status === 'cancelled') {
    return { ...empty, statusId: 13, compileOutput, message: result.message ?? 'cancelled', finishedAt };
  }
  if (result.verdict === 'compile_error' && result.compile && checkedOnly.has(result.language.id)) {
    // Judge0 has no compile stage for an interpreted language: a source its interpreter refuses is a
    // Runtime Error (NZEC) with the interpreter's report on stderr. judgekit's syntax check (which
    // makes it compile_error) ran the same interpreter on the same file, so its outcome is that run.
    const step = result.compile;
    const run: TestResult = { ...step, name: '1', verdict: 'runtime_error', message: null };
    return {
      stdout: orNull(step.stdout),
      stderr: orNull(step.stderr),
      compileOutput: null,
      time: seconds(step.cpuTimeMs),
      wallTime: seconds(step.wallTimeMs),
      memory: Math.trunc(step.memoryBytes / 1024),
      finishedAt,
      ...runOutcome(run),
    };
  }
  if (result.verdict === 'compile_error') {
    const timedOut = result.compile?.limitExceeded === 'cpu' || result.compile?.limitExceeded === 'wall';
    return { ...empty, statusId: 6, compileOutput: timedOut ? 'Compilation time limit exceeded.' : compileOutput, finishedAt };
  }
  const runs = result.tests.filter((t) => t.verdict !== 'skipped');
  const last = runs.at(-1);
  if (result.verdict === 'internal_error' || !last) {
    const message = result.message ?? last?.message ?? 'internal error';
    return { ...empty, statusId: commandMissing.test(message) ? 14 : 13, compileOutput, message, finishedAt };
  }
  const measured = {
    stdout: orNull(last.stdout),
    stderr: orNull(last.stderr),
    compileOutput,
    time: seconds(runs.reduce((sum, t) => sum + t.cpuTimeMs, 0) / runs.length),
    wallTime: seconds(last.wallTimeMs),
    memory: Math.trunc(runs.reduce((sum, t) => sum + t.memoryBytes / 1024, 0) / runs.length),
    finishedAt,
  };
  return { ...measured, ...runOutcome(last) };
}

function runOutcome(test: TestResult): Pick<Judge0Outcome, 'statusId' | 'message' | 'exitCode' | 'exitSignal'> {
  const signal = signalNumber(test.signal);
  switch (test.verdict) {
    case 'accepted':
      return { statusId: 3, message: null, exitCode: test.exitCode ?? 0, exitSignal: null };
    case 'wrong_answer':
      return { statusId: 4, message: null, exitCode: test.exitCode ?? 0, exitSignal: null };
    case 'time_limit_exceeded':
      // isolate writes no exit code or signal for a timeout; Judge0 then stores exit_code 0.
      return {
        statusId: 5,
        message: test.limitExceeded === 'wall' ? 'Time limit exceeded (wall clock)' : 'Time limit exceeded',
        exitCode: 0,
        exitSignal: null,
      };
    case 'output_limit_exceeded':
      return {
        statusId: 8,
        message:
          test.limitExceeded === 'filesize'
            ? 'File size limit exceeded'
            : test.limitExceeded === 'disk'
              ? 'Disk limit exceeded'
              : 'Output limit exceeded',
        exitCode: 0,
        exitSignal: signalNumbers.SIGXFSZ ?? 25,
      };
    case 'memory_limit_exceeded':
      if (test.exitCode !== null && test.exitCode !== 0 && signal === null) {
        return { statusId: 11, message: 'Memory limit exceeded', exitCode: test.exitCode, exitSignal: null };
      }
      return { statusId: 12, message: 'Memory limit exceeded', exitCode: 0, exitSignal: signal ?? signalNumbers.SIGKILL ?? 9 };
    default:
      return signalOrExit(test, signal);
  }
}

function signalOrExit(test: TestResult, signal: number | null): Pick<Judge0Outcome, 'statusId' | 'message' | 'exitCode' | 'exitSignal'> {
  if (test.signal !== null) {
    // A signal this host has no number for is still a death by signal: "Other".
    if (signal === null) return { statusId: 12, message: `Caught fatal signal ${test.signal}`, exitCode: 0, exitSignal: null };
    return { statusId: statusOfSignal[signal] ?? 12, message: `Caught fatal signal ${signal}`, exitCode: 0, exitSignal: signal };
  }
  const code = test.exitCode ?? 0;
  if (code === 126 && execFormatFailure.test(test.stderr)) {
    const line = test.stderr.split('\n').find((l) => execFormatFailure.test(l)) ?? 'Exec format error';
    return { statusId: 14, message: line.trim(), exitCode: code, exitSignal: null };
  }
  return { statusId: 11, message: `Exited with error status ${code}`, exitCode: code, exitSignal: null };
}

/** The compiler's output as Judge0 shows it (its stderr goes to stdout there), or null when empty. */
function compileText(compile: StepResult): string | null {
  return orNull(compile.stdout + compile.stderr);
}
