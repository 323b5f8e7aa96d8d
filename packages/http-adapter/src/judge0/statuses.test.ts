import type { SubmissionResult, TestResult } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { judge0Outcome, judge0Statuses } from './statuses.js';

const step = {
  exitCode: 0,
  signal: null,
  stdout: 'out\n',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 12.4,
  wallTimeMs: 30.6,
  memoryBytes: 4_500_000,
  limitExceeded: null,
};
const test = (over: Partial<TestResult> = {}): TestResult => ({ ...step, name: '1', verdict: 'accepted', message: null, ...over });
const result = (over: Partial<SubmissionResult> = {}): SubmissionResult => ({
  id: '7f1c1c5e-2a4b-4f53-9d57-4a8e2b6e7a10',
  status: 'done',
  verdict: 'accepted',
  message: null,
  language: { id: 'python3', version: '3.11.2' },
  createdAt: '2024-04-17T23:27:32.123Z',
  startedAt: '2024-04-17T23:27:32.200Z',
  finishedAt: '2024-04-17T23:27:32.300Z',
  compile: null,
  tests: [test()],
  summary: { passed: 1, total: 1, maxCpuTimeMs: 12.4, maxWallTimeMs: 30.6, maxMemoryBytes: 4_500_000 },
  metadata: null,
  ...over,
});
const failed = (t: Partial<TestResult>) => result({ verdict: t.verdict as SubmissionResult['verdict'], tests: [test(t)] });

describe('Judge0 statuses from judgekit results', () => {
  it('lists the 14 statuses of Judge0 CE 1.13.1', () => {
    expect(judge0Statuses.map((s) => `${s.id} ${s.description}`)).toEqual([
      '1 In Queue',
      '2 Processing',
      '3 Accepted',
      '4 Wrong Answer',
      '5 Time Limit Exceeded',
      '6 Compilation Error',
      '7 Runtime Error (SIGSEGV)',
      '8 Runtime Error (SIGXFSZ)',
      '9 Runtime Error (SIGFPE)',
      '10 Runtime Error (SIGABRT)',
      '11 Runtime Error (NZEC)',
      '12 Runtime Error (Other)',
      '13 Internal Error',
      '14 Exec Format Error',
    ]);
  });

  it('answers In Queue and Processing with no measurements', () => {
    expect(judge0Outcome(result({ status: 'queued', verdict: null, tests: [], finishedAt: null }))).toMatchObject({
      statusId: 1,
      time: null,
    });
    expect(judge0Outcome(result({ status: 'running', verdict: null, tests: [], finishedAt: null })).statusId).toBe(2);
  });

  it('answers Accepted with seconds, kilobytes and exit code 0, as isolate measures them', () => {
    expect(judge0Outcome(result())).toEqual({
      statusId: 3,
      stdout: 'out\n',
      stderr: null,
      compileOutput: null,
      message: null,
      exitCode: 0,
      exitSignal: null,
      time: 0.012,
      wallTime: 0.031,
      memory: 4394,
      finishedAt: '2024-04-17T23:27:32.300Z',
    });
  });

  it('answers Wrong Answer and both kinds of time limit with isolate’s messages', () => {
    expect(judge0Outcome(failed({ verdict: 'wrong_answer' })).statusId).toBe(4);
    expect(
      judge0Outcome(failed({ verdict: 'time_limit_exceeded', limitExceeded: 'cpu', exitCode: null, signal: 'SIGKILL' })),
    ).toMatchObject({
      statusId: 5,
      message: 'Time limit exceeded',
      exitCode: 0,
      exitSignal: null,
    });
    expect(judge0Outcome(failed({ verdict: 'time_limit_exceeded', limitExceeded: 'wall' })).message).toBe(
      'Time limit exceeded (wall clock)',
    );
  });

  it('answers Compilation Error with the compiler’s output, and a compile timeout with Judge0’s words', () => {
    const compile = { ...step, exitCode: 1, stdout: '', stderr: 'main.c:1: error\n' };
    const c = { id: 'c', version: '12.2.0' };
    expect(judge0Outcome(result({ verdict: 'compile_error', language: c, compile, tests: [] }))).toMatchObject({
      statusId: 6,
      compileOutput: 'main.c:1: error\n',
      time: null,
      memory: null,
      exitCode: null,
    });
    const slow = { ...compile, exitCode: null, signal: 'SIGKILL', limitExceeded: 'wall' as const };
    expect(judge0Outcome(result({ verdict: 'compile_error', language: c, compile: slow, tests: [] })).compileOutput).toBe(
      'Compilation time limit exceeded.',
    );
  });

  it('answers each fatal signal with its own status', () => {
    const bySignal = (signal: string) => judge0Outcome(failed({ verdict: 'runtime_error', exitCode: null, signal }));
    expect(bySignal('SIGSEGV')).toMatchObject({ statusId: 7, exitSignal: 11, exitCode: 0, message: 'Caught fatal signal 11' });
    expect(bySignal('SIGXFSZ')).toMatchObject({ statusId: 8, exitSignal: 25 });
    expect(bySignal('SIGFPE')).toMatchObject({ statusId: 9, exitSignal: 8 });
    expect(bySignal('SIGABRT')).toMatchObject({ statusId: 10, exitSignal: 6 });
    expect(bySignal('SIGBUS')).toMatchObject({ statusId: 12, exitSignal: 7 });
    expect(bySignal('SIGNOTREAL')).toMatchObject({ statusId: 12, exitSignal: null });
  });

  it('answers a non-zero exit as NZEC and an unexecutable program as Exec Format Error', () => {
    expect(judge0Outcome(failed({ verdict: 'runtime_error', exitCode: 3 }))).toMatchObject({
      statusId: 11,
      exitCode: 3,
      message: 'Exited with error status 3',
    });
    const notAProgram = failed({
      verdict: 'runtime_error',
      exitCode: 126,
      stderr: 'run: line 1: ./data.bin: cannot execute binary file: Exec format error\n',
    });
    expect(judge0Outcome(notAProgram)).toMatchObject({
      statusId: 14,
      exitCode: 126,
      message: 'run: line 1: ./data.bin: cannot execute binary file: Exec format error',
    });
    expect(
      judge0Outcome(result({ verdict: 'internal_error', message: 'command not found in the sandbox: ./main', tests: [] })).statusId,
    ).toBe(14);
  });

  it('answers the output and file-size limits as SIGXFSZ, as Judge0’s file-backed stdout would die', () => {
    expect(
      judge0Outcome(failed({ verdict: 'output_limit_exceeded', limitExceeded: 'output', exitCode: null, signal: 'SIGKILL' })),
    ).toMatchObject({
      statusId: 8,
      exitSignal: 25,
      message: 'Output limit exceeded',
    });
    expect(judge0Outcome(failed({ verdict: 'output_limit_exceeded', limitExceeded: 'filesize' })).message).toBe('File size limit exceeded');
  });

  it('answers the memory limit as Other when killed and as NZEC when the runtime exited on its own', () => {
    expect(
      judge0Outcome(failed({ verdict: 'memory_limit_exceeded', limitExceeded: 'memory', exitCode: null, signal: null })),
    ).toMatchObject({
      statusId: 12,
      exitSignal: 9,
      message: 'Memory limit exceeded',
    });
    expect(judge0Outcome(failed({ verdict: 'memory_limit_exceeded', exitCode: 1, stderr: 'java.lang.OutOfMemoryError' }))).toMatchObject({
      statusId: 11,
      exitCode: 1,
    });
  });

  it('answers internal errors and cancellations as Internal Error with the reason', () => {
    expect(judge0Outcome(result({ verdict: 'internal_error', message: 'the sandbox failed', tests: [] }))).toMatchObject({
      statusId: 13,
      message: 'the sandbox failed',
    });
    expect(judge0Outcome(result({ status: 'cancelled', verdict: null, message: null, tests: [] }))).toMatchObject({
      statusId: 13,
      message: 'cancelled',
    });
  });

  it('averages time and memory over the runs of number_of_runs, stops at the first failure, reports the last run', () => {
    const runs = [
      test({ cpuTimeMs: 10, memoryBytes: 1024 * 100, wallTimeMs: 20 }),
      test({ cpuTimeMs: 20, memoryBytes: 1024 * 101, wallTimeMs: 40, verdict: 'wrong_answer', stdout: 'second\n' }),
      test({ verdict: 'skipped', cpuTimeMs: 0, memoryBytes: 0 }),
    ];
    expect(judge0Outcome(result({ verdict: 'wrong_answer', tests: runs }))).toMatchObject({
      statusId: 4,
      time: 0.015,
      memory: 100,
      wallTime: 0.04,
      stdout: 'second\n',
    });
  });
  it('answers a Python source its interpreter refuses as Judge0 does: 11 with the report on stderr, no compile output', () => {
    const refusal = { ...step, exitCode: 1, stdout: '', stderr: "SyntaxError: '(' was never closed\n" };
    expect(judge0Outcome(result({ verdict: 'compile_error', compile: refusal, tests: [] }))).toMatchObject({
      statusId: 11,
      stderr: "SyntaxError: '(' was never closed\n",
      compileOutput: null,
      exitCode: 1,
    });
    // A compiled language's compile error stays 6.
    const c = result({ verdict: 'compile_error', language: { id: 'c', version: '12' }, compile: refusal, tests: [] });
    expect(judge0Outcome(c)).toMatchObject({ statusId: 6, compileOutput: expect.stringContaining('SyntaxError') });
  });
});
