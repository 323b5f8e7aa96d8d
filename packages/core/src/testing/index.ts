/**
 * The runner conformance suite (vitest) and the `FakeRunner`, for runner packages and for tests of code that embeds a `Judge`.
 *
 * @packageDocumentation
 * @module @judgekit/core/testing
 */
// Test helpers for runner packages and for users' own tests. Importing this entry needs vitest.
export { type FakeProgram, FakeRunner, type FakeRunnerOptions } from '../runner/fake-runner.js';
export { type ConformanceOptions, refusedSandboxPaths, runnerConformanceSuite } from './conformance.js';
