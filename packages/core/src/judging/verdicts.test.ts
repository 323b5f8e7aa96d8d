import { describe, expect, it } from 'vitest';
import type { ExecOutcome } from '../runner/contract.js';
import { defaultLimits } from '../runner/limits.js';
import { classifyRun, overallVerdict, testVerdict } from './verdicts.js';

const limits = { ...defaultLimits, cpuTimeMs: 1000, wallTimeMs: 3000, memoryBytes: 64 << 20 };
const ok: ExecOutcome = {
  exitCode: 0,
  signal: null,
  stdout: '',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 10,
  wallTimeMs: 20,
  memoryBytes: 1 << 20,
  limitExceeded: null,
};
const java = { outOfMemoryPattern: /java\.lang\.OutOfMemoryError/ };

describe('classifyRun and testVerdict', () => {
  const cases: [string, Partial<ExecOutcome>, boolean | null, string, object?][] = [
    ['a clean exit with matching output is accepted', {}, true, 'accepted'],
    ['a clean exit with no expected output is accepted', {}, null, 'accepted'],
    ['a clean exit with different output is a wrong answer', {}, false, 'wrong_answer'],
    ['a non-zero exit is a runtime error', { exitCode: 2 }, true, 'runtime_error'],
    ['death by signal is a runtime error', { exitCode: null, signal: 'SIGSEGV' }, true, 'runtime_error'],
    ['the cpu limit is time limit exceeded', { limitExceeded: 'cpu', exitCode: null, signal: 'SIGKILL' }, null, 'time_limit_exceeded'],
    ['the wall limit is time limit exceeded', { limitExceeded: 'wall', exitCode: null, signal: 'SIGKILL' }, null, 'time_limit_exceeded'],
    [
      'a memory kill is memory limit exceeded',
      { limitExceeded: 'memory', exitCode: null, signal: 'SIGKILL' },
      null,
      'memory_limit_exceeded',
    ],
    [
      'the output cap is output limit exceeded',
      { limitExceeded: 'output', exitCode: null, signal: 'SIGKILL' },
      null,
      'output_limit_exceeded',
    ],
    [
      'the file size limit is output limit exceeded',
      { limitExceeded: 'filesize', exitCode: null, signal: 'SIGXFSZ' },
      null,
      'output_limit_exceeded',
    ],
    ['a full work directory or /tmp is output limit exceeded', { limitExceeded: 'disk', exitCode: 1 }, null, 'output_limit_exceeded'],
    ['the process limit is a runtime error', { limitExceeded: 'processes', exitCode: 1 }, null, 'runtime_error'],
    ['measured cpu over the limit is time limit exceeded', { cpuTimeMs: 1001 }, true, 'time_limit_exceeded'],
    ['measured wall over the limit is time limit exceeded', { wallTimeMs: 3001 }, true, 'time_limit_exceeded'],
    ['measured memory over the limit is memory limit exceeded', { memoryBytes: (64 << 20) + 1 }, true, 'memory_limit_exceeded'],
    [
      'the runtime’s out-of-memory message is memory limit exceeded',
      { exitCode: 1, stderr: 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space' },
      null,
      'memory_limit_exceeded',
      java,
    ],
    [
      'an out-of-memory message from a clean exit is not a verdict',
      { stderr: 'java.lang.OutOfMemoryError (caught)' },
      true,
      'accepted',
      java,
    ],
    ['a limit wins over a wrong answer', { limitExceeded: 'cpu' }, false, 'time_limit_exceeded'],
    // Precedence when several trip at once.
    [
      'the runner’s first limit wins over measured figures',
      { limitExceeded: 'wall', memoryBytes: 1 << 30, cpuTimeMs: 5000 },
      null,
      'time_limit_exceeded',
    ],
    ['measured memory wins over measured cpu', { memoryBytes: 1 << 30, cpuTimeMs: 5000 }, null, 'memory_limit_exceeded'],
    ['measured cpu wins over a crash', { cpuTimeMs: 5000, exitCode: null, signal: 'SIGKILL' }, null, 'time_limit_exceeded'],
    ['a limit wins over a crash signal', { limitExceeded: 'memory', signal: 'SIGSEGV', exitCode: null }, null, 'memory_limit_exceeded'],
    ['a crash wins over the checker', { exitCode: 139 }, false, 'runtime_error'],
  ];
  it.each(cases)('%s', (_name, outcome, checkOk, expected, language) => {
    const run = classifyRun({ ...ok, ...outcome }, limits, language);
    const check = checkOk === null ? null : { ok: checkOk, message: checkOk ? null : 'differs' };
    expect(testVerdict(run, check).verdict).toBe(expected);
  });

  it('says which signal or exit code made a runtime error', () => {
    expect(classifyRun({ ...ok, exitCode: null, signal: 'SIGSEGV' }, limits).message).toBe('killed by SIGSEGV');
    expect(classifyRun({ ...ok, exitCode: 3 }, limits).message).toBe('exit code 3');
  });
});

describe('overallVerdict', () => {
  it('is accepted when every test passed', () => {
    expect(overallVerdict([{ verdict: 'accepted' }, { verdict: 'accepted' }])).toBe('accepted');
  });
  it('is the verdict of the first test that failed', () => {
    expect(overallVerdict([{ verdict: 'accepted' }, { verdict: 'time_limit_exceeded' }, { verdict: 'wrong_answer' }])).toBe(
      'time_limit_exceeded',
    );
  });
  it('ignores skipped tests', () => {
    expect(overallVerdict([{ verdict: 'wrong_answer' }, { verdict: 'skipped' }])).toBe('wrong_answer');
  });
});
