import type { SubmissionResult } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { judge0CallbackFormat } from './callback.js';

const step = {
  exitCode: 0,
  signal: null,
  stdout: 'hi\n',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 12,
  wallTimeMs: 30,
  memoryBytes: 4096 * 1024,
  limitExceeded: null,
};
const result = (metadata: Record<string, string> | null): SubmissionResult =>
  ({
    id: '01a2338f-c3fa-7001-b1bf-d7d80ac60248',
    status: 'done',
    verdict: 'accepted',
    language: { id: 'python3', version: '3.11.2' },
    createdAt: '2026-12-02T01:00:00.000Z',
    startedAt: '2026-12-02T01:00:00.010Z',
    finishedAt: '2026-12-02T01:00:00.100Z',
    compile: null,
    tests: [{ name: 'run 1', verdict: 'accepted', message: null, ...step }],
    summary: { total: 1, passed: 1, failed: 0 },
    message: null,
    metadata,
  }) as unknown as SubmissionResult;

describe('Judge0’s callback', () => {
  it('is a PUT of the default fields in base64, for submissions made with callback_url', () => {
    const shaped = judge0CallbackFormat({
      type: 'submission.done',
      submission: result({ 'judge0.language_id': '71', 'judge0.callback_url': 'https://hooks.example/j0' }),
    });
    expect(shaped?.method).toBe('PUT');
    expect(shaped?.contentType).toBe('application/json');
    expect(JSON.parse(shaped!.body)).toEqual({
      stdout: 'aGkK\n',
      time: '0.012',
      memory: 4096,
      stderr: null,
      token: '01a2338f-c3fa-7001-b1bf-d7d80ac60248',
      compile_output: null,
      message: null,
      status: { id: 3, description: 'Accepted' },
    });
  });

  it('leaves judgekit’s own webhook to every other submission', () => {
    expect(judge0CallbackFormat({ type: 'submission.done', submission: result(null) })).toBeNull();
    expect(judge0CallbackFormat({ type: 'submission.done', submission: result({ 'judge0.language_id': '71' }) })).toBeNull();
  });
});
