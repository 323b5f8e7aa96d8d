import { JudgeError, type SubmissionResult, type TestResult } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { toPistonFailure, toPistonResponse, toSubmissionInput } from './mapper.js';
import { pistonExecuteBody } from './schemas.js';

const step = {
  exitCode: 0,
  signal: null,
  stdout: 'out',
  stderr: 'err',
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 3,
  wallTimeMs: 4,
  memoryBytes: 5,
  limitExceeded: null,
};

function withTest(test: Partial<TestResult>, partial: Partial<SubmissionResult> = {}): SubmissionResult {
  return {
    id: 'x',
    status: 'done',
    verdict: 'accepted',
    message: null,
    language: { id: 'c', version: null },
    createdAt: '',
    startedAt: null,
    finishedAt: null,
    compile: null,
    tests: [{ ...step, name: '1', verdict: 'accepted', message: null, ...test }],
    summary: { passed: 1, total: 1, maxCpuTimeMs: 1, maxWallTimeMs: 1, maxMemoryBytes: 1 },
    metadata: null,
    ...partial,
  } as SubmissionResult;
}

describe('Piston response mapping', () => {
  it.each([
    [{}, null, null],
    [{ exitCode: 3 }, 'RE', null],
    [{ exitCode: null, signal: 'SIGSEGV' }, 'SG', 'SIGSEGV'],
    [{ exitCode: null, signal: 'SIGKILL', limitExceeded: 'wall' }, 'TO', 'SIGKILL'],
    [{ exitCode: null, signal: 'SIGKILL', limitExceeded: 'cpu' }, 'TO', 'SIGKILL'],
    [{ exitCode: null, signal: null, limitExceeded: 'memory' }, 'SG', 'SIGKILL'],
    [{ limitExceeded: 'output', stdoutTruncated: true }, 'OL', null],
    [{ limitExceeded: 'output', stderrTruncated: true }, 'EL', null],
    [{ limitExceeded: 'processes' }, 'RE', null],
    [{ exitCode: null, signal: 'SIGKILL', limitExceeded: 'processes' }, 'SG', 'SIGKILL'],
    [{ limitExceeded: 'filesize', exitCode: 1 }, 'RE', null],
    [{ limitExceeded: 'disk', exitCode: 1 }, 'RE', null],
  ] as const)('maps %j to status %s', (test, status, signal) => {
    const r = toPistonResponse(withTest(test as Partial<TestResult>), 'c', '12.2.0');
    expect(r.run.status).toBe(status);
    expect(r.run.signal).toBe(signal);
    expect(r.run).toMatchObject({ stdout: 'out', stderr: 'err', output: 'outerr', cpu_time: 3, wall_time: 4, memory: 5 });
  });

  it('returns a failed compile as compile and as run', () => {
    const compile = { ...step, exitCode: 1, stdout: '', stderr: 'error: x' };
    const r = toPistonResponse(withTest({}, { verdict: 'compile_error', tests: [], compile }), 'c', '12.2.0');
    expect(r.compile).toEqual(r.run);
    expect(r.run).toMatchObject({ code: 1, stderr: 'error: x', status: 'RE' });
  });

  it('reports an internal error as XX', () => {
    expect(toPistonResponse(withTest({}, { verdict: 'internal_error', message: 'sandbox failed' }), 'c', '1').run).toMatchObject({
      status: 'XX',
      message: 'sandbox failed',
    });
  });

  it('keeps a process limit that ended the run, even after a clean exit', () => {
    const r = toPistonResponse(withTest({ exitCode: 0, limitExceeded: 'processes', verdict: 'runtime_error', message: null }), 'c', '1');
    expect(r.run).toMatchObject({ status: 'RE', code: 0, message: 'process limit reached' });
  });
});

describe('Piston request mapping', () => {
  const body = (extra: Record<string, unknown>) => pistonExecuteBody.parse({ language: 'python', files: [{ content: 'x' }], ...extra });

  it.each(['*', '3.11.2', '3.11', '3.x'])('passes version %s to the judge unchanged (it reads Piston patterns)', (version) => {
    expect(toSubmissionInput(body({ version })).version).toBe(version);
  });

  it('renames the six limits and leaves -1, 0 and absent to the defaults', () => {
    const input = toSubmissionInput(
      body({
        run_timeout: 3000,
        run_cpu_time: 1000,
        run_memory_limit: -1,
        compile_timeout: 10_000,
        compile_cpu_time: 0,
        compile_memory_limit: 1 << 28,
      }),
    );
    expect(input.limits).toEqual({ wallTimeMs: 3000, cpuTimeMs: 1000 });
    expect(input.compileLimits).toEqual({ wallTimeMs: 10_000, memoryBytes: 1 << 28 });
  });

  it('makes the first file the main one and re-encodes hex as base64', () => {
    const input = toSubmissionInput(
      body({
        files: [
          { name: 'prog.py', content: 'print(1)' },
          { name: 'data.bin', content: '00ff', encoding: 'hex' },
        ],
        args: ['a'],
        stdin: 'in',
      }),
    );
    expect(input.files).toEqual([
      { content: 'print(1)', encoding: 'utf8' },
      { name: 'data.bin', content: Buffer.from([0, 255]).toString('base64'), encoding: 'base64' },
    ]);
    expect(input).toMatchObject({ language: 'python', args: ['a'], stdin: 'in' });
  });
});

describe('Piston error mapping', () => {
  it('answers an unknown language or version as Piston does', () => {
    const error = new JudgeError('JDG_ERR_LANGUAGE_UNKNOWN', 'Unknown language');
    expect(toPistonFailure(error, { language: 'cobol', version: '*' }, 5)).toMatchObject({
      status: 400,
      message: 'cobol-* runtime is unknown',
    });
  });

  it.each([
    ['limits.wallTimeMs', 'run_timeout'],
    ['limits.cpuTimeMs', 'run_cpu_time'],
    ['compileLimits.cpuTimeMs', 'compile_cpu_time'],
    ['compileLimits.memoryBytes', 'compile_memory_limit'],
  ])('names the Piston field of a limit above its maximum (%s is %s)', (path, field) => {
    const error = new JudgeError('JDG_ERR_LIMIT_EXCEEDS_MAX', `${path} is 99, above the maximum 7.`, {
      details: { issues: [{ path, message: 'at most 7' }], limit: path.split('.')[1], requested: 99, max: 7 },
    });
    expect(toPistonFailure(error, { language: 'c', version: '*' }, 5)).toEqual({
      status: 400,
      message: `${field} cannot exceed the configured limit of 7`,
      headers: {},
    });
  });

  it('keeps the status, message and Retry-After of other judge errors', () => {
    const full = toPistonFailure(new JudgeError('JDG_ERR_QUEUE_FULL', 'The queue is full.'), undefined, 9);
    expect(full).toEqual({ status: 503, message: 'The queue is full.', headers: { 'retry-after': '9' } });
  });
});
