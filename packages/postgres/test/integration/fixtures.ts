import { randomUUID } from 'node:crypto';
import type { PreparedSubmission, SubmissionResult } from '@judgekit/core';
import type { TenantStoredSubmission } from '../../src/index.js';

/** A result in a given state, as the judge would store it. */
export function result(overrides: Partial<SubmissionResult> = {}): SubmissionResult {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    status: 'queued',
    verdict: null,
    message: null,
    language: { id: 'python3', version: '3.11.2' },
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    compile: null,
    tests: [],
    summary: { passed: 0, total: 1, maxCpuTimeMs: 0, maxWallTimeMs: 0, maxMemoryBytes: 0 },
    metadata: null,
    ...overrides,
  };
}

/** The prepared input the judge keeps until a submission has run. */
export function input(extra: Record<string, unknown> = {}): PreparedSubmission {
  return {
    languageId: 'python3',
    files: [{ path: 'main.py', content: 'print(input())', encoding: 'utf8' }],
    args: [],
    tests: [{ name: '1', input: 'hi\n', expectedOutput: 'hi\n', limits: { cpuTimeMs: 2000 } }],
    checker: { type: 'lines' },
    stopOnFirstFailure: false,
    textLength: 20,
    ...extra,
  } as unknown as PreparedSubmission;
}

/** A finished result with one test. */
export function done(base: SubmissionResult, overrides: Partial<SubmissionResult> = {}): SubmissionResult {
  return {
    ...base,
    status: 'done',
    verdict: 'accepted',
    startedAt: base.createdAt,
    finishedAt: new Date().toISOString(),
    tests: [
      {
        name: '1',
        verdict: 'accepted',
        message: null,
        exitCode: 0,
        signal: null,
        stdout: 'hi\n',
        stderr: '',
        stdoutTruncated: false,
        stderrTruncated: false,
        cpuTimeMs: 12,
        wallTimeMs: 20,
        memoryBytes: 9_000_000,
        limitExceeded: null,
      },
    ],
    summary: { passed: 1, total: 1, maxCpuTimeMs: 12, maxWallTimeMs: 20, maxMemoryBytes: 9_000_000 },
    ...overrides,
  };
}

export function stored(
  r: SubmissionResult,
  inputValue: PreparedSubmission | null = null,
  tenant: string | null = null,
): TenantStoredSubmission {
  return { input: inputValue, result: r, tenant };
}
