// Test helpers for runner packages and for users' own tests. Importing this entry needs vitest.
export { type FakeProgram, FakeRunner, type FakeRunnerOptions } from '../runner/fake-runner.js';
export { type ConformanceOptions, runnerConformanceSuite } from './conformance.js';
