import type { SubmissionResult, TestResult } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { toPistonResponse, versionMatches } from './routes.js';

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

  it('matches versions as Piston clients send them', () => {
    expect(versionMatches('*', '3.11.2')).toBe(true);
    expect(versionMatches('3.11', '3.11.2')).toBe(true);
    expect(versionMatches('3.x', '3.11.2')).toBe(true);
    expect(versionMatches('3.1', '3.11.2')).toBe(false);
  });
});
