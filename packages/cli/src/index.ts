// The public surface of the judgekit CLI package, for scripts that drive it in process.
export { type DoctorReport, doctor, formatDoctor } from './doctor/doctor.js';
export { formatLanguages, type LanguageRow, listLanguages } from './languages.js';
export { buildProgram, cliVersion, main } from './program.js';
export { buildSubmission, type RunOptions, readTests, report, run, UsageError } from './run/run.js';
export { NoSandboxError, pickRunner, probeRunner, type RunnerChoice, type RunnerKind, type RunnerProbe } from './runners.js';
export {
  ConfigError,
  configEnv,
  resolveServeConfig,
  type ServeConfig,
  serveConfigSchema,
  serveDefaults,
  serveEnv,
} from './serve/config.js';
export { serve } from './serve/serve.js';
