import type { SubmissionResult } from '../submission/result.js';

/** @internal The summary of a result's tests: passed of total, and the highest measurements. */
export function summarize(tests: SubmissionResult['tests'], total: number): SubmissionResult['summary'] {
  const summary = { passed: 0, total, maxCpuTimeMs: 0, maxWallTimeMs: 0, maxMemoryBytes: 0 };
  for (const t of tests) {
    if (t.verdict === 'accepted') summary.passed++;
    if (t.cpuTimeMs > summary.maxCpuTimeMs) summary.maxCpuTimeMs = t.cpuTimeMs;
    if (t.wallTimeMs > summary.maxWallTimeMs) summary.maxWallTimeMs = t.wallTimeMs;
    if (t.memoryBytes > summary.maxMemoryBytes) summary.maxMemoryBytes = t.memoryBytes;
  }
  return summary;
}
