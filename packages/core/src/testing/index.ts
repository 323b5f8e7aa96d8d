/**
 * The runner conformance, adversarial, accuracy and session suites (vitest) and the `FakeRunner`, for runner packages and for tests of code that embeds a `Judge`.
 *
 * @packageDocumentation
 * @module @judgekit/core/testing
 */
// Test helpers for runner packages and for users' own tests. Importing this entry needs vitest.
export { type FakeProgram, FakeRunner, type FakeRunnerOptions } from '../runner/fake-runner.js';
export { type AccuracySuiteOptions, runnerAccuracySuite } from './adversarial/accuracy.js';
export {
  type AdversarialAllowances,
  type AdversarialCaseId,
  type AdversarialContext,
  adversarialCaseIds,
  type FixtureSandbox,
} from './adversarial/context.js';
export {
  adversarialFixturesDir,
  type FixturePreparation,
  type FixtureRunOptions,
  fixtureLanguage,
  fixtureLimits,
  prepareFixture,
  runFixture,
  runPrepared,
} from './adversarial/fixtures.js';
export { processesWithUids, watchEventLoop } from './adversarial/host.js';
export { type AdversarialSuiteOptions, type HostMemoryProbe, runnerAdversarialSuite } from './adversarial/suite.js';
export { type BackendContractOptions, queueStoreContractSuite } from './backends.js';
export { type ConformanceOptions, refusedSandboxPaths, runnerConformanceSuite } from './conformance.js';
export { runnerSessionSuite, type SessionSuiteOptions } from './sessions.js';
