import type { StepResult, StoredSubmission, SubmissionResult } from '@judgekit/core';

/** A stored submission as the judge hands it over (the tenant included). */
export type TenantStoredSubmission = StoredSubmission;

/** Default bound on each stored stdout or stderr, in bytes (the default output limit). */
export const defaultMaxStoredOutputBytes = 1024 * 1024;

/** @internal The columns of one row, ready for a statement. */
export interface SubmissionRow {
  id: string;
  tenant: string;
  status: SubmissionResult['status'];
  verdict: string | null;
  language: string;
  createdAt: string;
  finishedAt: string | null;
  metadata: string | null;
  input: string | null;
  result: string;
  callbackUrl: string | null;
}

/** True for a state that never changes again. */
export function isFinal(status: SubmissionResult['status']): boolean {
  return status === 'done' || status === 'cancelled';
}

/** @internal Builds the row of a stored submission, capping each output at `maxOutputBytes`. */
export function toRow(id: string, value: TenantStoredSubmission, maxOutputBytes: number): SubmissionRow {
  const result = capOutputs(value.result, maxOutputBytes);
  const input = value.input as { callbackUrl?: unknown } | null;
  const callbackUrl = typeof input?.callbackUrl === 'string' ? input.callbackUrl : null;
  return {
    id,
    tenant: value.tenant ?? '',
    status: result.status,
    verdict: result.verdict,
    language: result.language.id,
    createdAt: result.createdAt,
    finishedAt: result.finishedAt,
    // jsonb cannot hold U+0000; the exact labels stay in the result, the indexed copy loses only that.
    metadata: result.metadata ? JSON.stringify(result.metadata).replaceAll('\\u0000', '\\ufffd') : null,
    input: value.input === null || value.input === undefined ? null : JSON.stringify(value.input),
    result: JSON.stringify(result),
    callbackUrl,
  };
}

function capOutputs(result: SubmissionResult, maxBytes: number): SubmissionResult {
  if (maxBytes <= 0) return result;
  const over = (s: string) => s.length > maxBytes / 4 && Buffer.byteLength(s) > maxBytes;
  const needs = (step: StepResult | null) => step !== null && (over(step.stdout) || over(step.stderr));
  if (!needs(result.compile) && !result.tests.some(needs)) return result;
  const cap = <T extends StepResult>(step: T): T => {
    if (!needs(step)) return step;
    const out = truncate(step.stdout, maxBytes);
    const err = truncate(step.stderr, maxBytes);
    return {
      ...step,
      stdout: out.text,
      stderr: err.text,
      stdoutTruncated: step.stdoutTruncated || out.cut,
      stderrTruncated: step.stderrTruncated || err.cut,
    };
  };
  return { ...result, compile: result.compile ? cap(result.compile) : null, tests: result.tests.map(cap) };
}

function truncate(text: string, maxBytes: number): { text: string; cut: boolean } {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return { text, cut: false };
  // Step back to a character boundary so no partial UTF-8 sequence is kept.
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString(), cut: true };
}
