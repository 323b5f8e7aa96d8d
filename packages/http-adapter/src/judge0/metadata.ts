/** Metadata keys that carry a Judge0 submission's own attributes, for reading it back. */
export const metadataKey = {
  languageId: 'judge0.language_id',
  numberOfRuns: 'judge0.number_of_runs',
  cpuTimeLimit: 'judge0.cpu_time_limit',
  cpuExtraTime: 'judge0.cpu_extra_time',
  wallTimeLimit: 'judge0.wall_time_limit',
  memoryLimit: 'judge0.memory_limit',
  stackLimit: 'judge0.stack_limit',
  maxProcessesAndOrThreads: 'judge0.max_processes_and_or_threads',
  maxFileSize: 'judge0.max_file_size',
  redirectStderrToStdout: 'judge0.redirect_stderr_to_stdout',
  compilerOptions: 'judge0.compiler_options',
  commandLineArguments: 'judge0.command_line_arguments',
  callbackUrl: 'judge0.callback_url',
} as const;
