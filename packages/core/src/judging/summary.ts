import type { SubmissionResult } from '../submission/result.js';

/** @internal Adds one test to a result's summary, in place: passed of total, and the highest measurements. */
export function addToSummary(summary: SubmissionResult['summary'], t: SubmissionResult['tests'][number]): void {
  if (t.verdict === 'accepted') summary.passed++;
  if (t.cpuTimeMs > summary.maxCpuTimeMs) summary.maxCpuTimeMs = t.cpuTimeMs;
  if (t.wallTimeMs > summary.maxWallTimeMs) summary.maxWallTimeMs = t.wallTimeMs;
  if (t.memoryBytes > summary.maxMemoryBytes) summary.maxMemoryBytes = t.memoryBytes;
}
