/**
 * Judges untrusted code: the `Judge`, submissions and results, languages, the runner contract, checkers, verdicts and errors.
 *
 * @packageDocumentation
 * @module @judgekit/core
 */
// The public surface of @judgekit/core: every export is listed by name.
export { type ErrorCode, errorCodes } from './errors/codes.js';
export { abortError, type InputIssue, isJudgeError, JudgeError, type JudgeErrorOptions, throwIfAborted } from './errors/judge-error.js';
export type { BusListener, JudgeEvent, SubmissionBus } from './events/contract.js';
export { InProcessBus } from './events/in-process-bus.js';
export type { JudgeHealth, JudgeReadiness, SubmitOptions, TenantOptions, WaitOptions } from './judge/call-options.js';
export { Judge } from './judge/judge.js';
export type { JudgeOptions } from './judge/options.js';
export type { JudgeStats } from './judge/stats.js';
export { type CheckResult, checkExact, checkFloats, checkLines, checkTokens } from './judging/checkers.js';
export { classifyRun, overallVerdict, type RunVerdict, testVerdict } from './judging/verdicts.js';
export {
  bash,
  builtinLanguages,
  c,
  cpp,
  go,
  java,
  javascript,
  python3,
  runtimeReserveBytes,
  rust,
  typescript,
  typescriptTsc,
} from './languages/builtins.js';
export { buildCommand, type CommandContext, type CommandSpec, type LanguageDefinition } from './languages/definition.js';
export { LanguageRegistry } from './languages/registry.js';
export { languageConfigSchema, parseLanguageConfig } from './languages/schema.js';
export type { Job, JobDelivery, JobHandler, JobQueue } from './queue/contract.js';
export { FastqJobQueue, type FastqJobQueueOptions } from './queue/fastq-queue.js';
export { BaseRunner } from './runner/base-runner.js';
export type {
  ExecOutcome,
  ExecRequest,
  LimitKind,
  OperationOptions,
  Runner,
  RunnerHealth,
  Sandbox,
  SandboxEnvironment,
  SandboxFile,
} from './runner/contract.js';
export {
  type FakeProcessIO,
  type FakeProgram,
  FakeRunner,
  type FakeRunnerOptions,
  type FakeSpawnProgram,
} from './runner/fake-runner.js';
export { defaultCompileLimits, defaultLimits, defaultMaxLimits, type Limits, limitNames, minLimits } from './runner/limits.js';
export { isStaleOwner, ownerOfName, ownerPrefix, processAlive, type ResourceOwner, sweepStaleOwners } from './runner/process.js';
export {
  checkExecRequest,
  checkSandboxFiles,
  maxArgBytes,
  maxPathSegmentLength,
  maxSandboxPathLength,
  reservedEnvPrefix,
  sandboxPathSegments,
} from './runner/sandbox-rules.js';
export {
  canSpawn,
  type ProcessExit,
  type SandboxProcess,
  type SessionSignal,
  type SpawningSandbox,
  type SpawnRequest,
  sessionSignals,
  type TerminalSize,
} from './runner/spawn.js';
export { WarmPool, type WarmPoolOptions, type WarmPoolStats } from './runner/warm-pool.js';
export {
  defaultSessionLimits,
  maxSessionLimits,
  type SessionInput,
  type SessionOptions,
  sessionInputSchema,
} from './session/options.js';
export type { Session, SessionEvent, SessionExit, SessionLimitKind, SessionStage } from './session/session.js';
export type { SessionCallOptions } from './session/start.js';
export type { ListPage, ListQuery, ResultStore, StoredSubmission } from './store/contract.js';
export { defaultListLimit, listQuerySchema, matchesListQuery, maxListLimit } from './store/list.js';
export { LruResultStore, type LruResultStoreOptions } from './store/lru-store.js';
export {
  type PrepareContext,
  type PreparedFile,
  type PreparedSubmission,
  type PreparedTest,
  prepareSubmission,
  storedTextBytes,
} from './submission/prepare.js';
export {
  type StepResult,
  type SubmissionResult,
  type SubmissionStatus,
  stepResultSchema,
  submissionResultSchema,
  type TestResult,
  type TestVerdict,
  testResultSchema,
  type Verdict,
  verdicts,
} from './submission/result.js';
export {
  type Checker,
  checkerSchema,
  fileSchema,
  type LimitsInput,
  limitsSchema,
  type ParsedSubmission,
  type SubmissionInput,
  submissionSchema,
  testSchema,
} from './submission/schema.js';
export { parseSubmission, resolveLimits } from './submission/validate.js';
export { runnerVersionSource, type VersionOptions, type VersionSource, versionMatches } from './versions/versions.js';
export type { RunnerFaultOptions, RunnerState } from './worker/runner-gate.js';
