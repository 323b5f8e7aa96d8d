import type { SubmissionResult } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { seedStatus, toSeedResult } from './mapper.js';

const step = {
  exitCode: 0,
  signal: null,
  stdout: '',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 1,
  wallTimeMs: 1500,
  memoryBytes: 2048 * 1024,
  limitExceeded: null,
};

function result(partial: Partial<SubmissionResult>): SubmissionResult {
  return {
    id: 's1',
    status: 'done',
    verdict: 'accepted',
    message: null,
    language: { id: 'python3', version: null },
    createdAt: '',
    startedAt: null,
    finishedAt: null,
    compile: null,
    tests: [{ ...step, name: '1', verdict: 'accepted', message: null }],
    summary: { passed: 1, total: 1, maxCpuTimeMs: 1, maxWallTimeMs: 1, maxMemoryBytes: 1 },
    metadata: null,
    ...partial,
  } as SubmissionResult;
}

describe('seed status mapping', () => {
  it.each([
    ['queued', null, 'PENDING'],
    ['running', null, 'PROCESSING'],
    ['done', 'accepted', 'OK'],
    ['done', 'time_limit_exceeded', 'TLE'],
    ['done', 'runtime_error', 'RE'],
    ['done', 'memory_limit_exceeded', 'RE'],
    ['done', 'output_limit_exceeded', 'RE'],
    ['done', 'compile_error', 'RE'],
    ['done', 'wrong_answer', 'RE'],
    ['done', 'internal_error', 'INTERNAL_ERROR'],
    ['cancelled', null, 'INTERNAL_ERROR'],
  ] as const)('maps %s/%s to %s', (status, verdict, expected) => {
    expect(seedStatus({ status, verdict })).toBe(expected);
  });

  it('gives execution_time in seconds and memory in kilobytes', () => {
    expect(toSeedResult(result({}))).toMatchObject({ execution_time: 1.5, memory: 2048, exit_code: 0, message: null });
  });

  it('puts the compiler output in stderr for a compile error', () => {
    const r = toSeedResult(
      result({ verdict: 'compile_error', tests: [], compile: { ...step, exitCode: 1, stderr: "main.c:1: error: expected ';'" } }),
    );
    expect(r).toMatchObject({ status: 'RE', verdict: 'compile_error', stderr: "main.c:1: error: expected ';'", exit_code: 1 });
  });

  it('names the limit in message for a memory kill', () => {
    const r = toSeedResult(result({ verdict: 'memory_limit_exceeded' }));
    expect(r.status).toBe('RE');
    expect(r.message).toMatch(/memory limit exceeded/);
  });
});
