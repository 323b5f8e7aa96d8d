// The public surface of the judgekit CLI package, for scripts that drive it in process.
export { type DoctorReport, doctor, formatDoctor, type HostReport, hostReport } from './doctor/doctor.js';
export { formatLanguages, type LanguageRow, listLanguages } from './languages.js';
export { buildProgram, cliVersion, main } from './program.js';
export { type Colours, coloursFor, firstDifference, type ReportContext, report, runVerdict } from './run/report.js';
export { type BuiltSubmission, buildSubmission, type RunIo, type RunOptions, run } from './run/run.js';
export { readTests, type SuffixOptions, type TestCase, type TestSet } from './run/tests.js';
export { UsageError } from './run/usage-error.js';
export { commandName, NoSandboxError, pickRunner, probeRunner, type RunnerChoice, type RunnerKind, type RunnerProbe } from './runners.js';
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
