import type { LanguageDefinition, Limits, LimitsInput, SubmissionInput } from '@judgekit/core';
import { splitArguments } from './arguments.js';
import { decode64, utf8OrNull } from './base64.js';
import { type Judge0LanguageEntry, judge0Language, multiFileLanguageId } from './languages.js';
import { metadataKey } from './metadata.js';
import type { ResolvedJudge0Options } from './options.js';
import { unpackZip, ZipRefused } from './zip.js';

export { metadataKey };

/** Judge0's 422 body: each attribute with its messages, e.g. `{ "language_id": ["can't be blank"] }`. */
export type FieldErrors = Record<string, string[]>;

/** A submission Judge0 would answer with 422; `errors` is the body. */
export class Judge0Invalid extends Error {
  override readonly name = 'Judge0Invalid';
  constructor(readonly errors: FieldErrors) {
    super(
      Object.entries(errors)
        .map(([field, messages]) => `${field} ${messages.join(', ')}`)
        .join('; '),
    );
  }
}

/** A Judge0 submission after Rails-style casting and Judge0's defaults (units: seconds, kilobytes). */
export interface Judge0Request {
  languageId: number;
  entry: Judge0LanguageEntry;
  language: LanguageDefinition;
  /** Bytes of the source (null for language 89). */
  sourceCode: Buffer | null;
  compilerOptions: string | null;
  commandLineArguments: string | null;
  args: string[];
  /** `compiler_options` split into words, for the compile step. */
  compileArgs: string[];
  stdin: string | null;
  expectedOutput: string | null;
  numberOfRuns: number;
  cpuTimeLimit: number;
  cpuExtraTime: number;
  wallTimeLimit: number;
  memoryLimit: number;
  stackLimit: number;
  maxProcessesAndOrThreads: number;
  maxFileSize: number;
  redirectStderrToStdout: boolean;
  callbackUrl: string | null;
  /** Bytes of the zip archive. */
  additionalFiles: Buffer | null;
}

/** What the judge offers to the Judge0 routes when reading a submission. */
export interface RequestContext {
  options: ResolvedJudge0Options;
  /** The judgekit language of a Judge0 table entry, or undefined when this judge lacks it. */
  languageOf(entry: Judge0LanguageEntry): LanguageDefinition | undefined;
  /** Whether the judge can take `compileArgs` (Judge0's `compiler_options`). */
  compilerOptions: boolean;
  /** Whether callbacks can be delivered. */
  callbacks: boolean;
}

const railsFalse = new Set(['0', 'f', 'F', 'false', 'FALSE', 'off', 'OFF']);
const numberPattern = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

type Cast<T> = { value: T | null } | { invalid: string };

function castNumber(raw: unknown): Cast<number> {
  if (raw === undefined || raw === null || raw === '') return { value: null };
  if (typeof raw === 'number' && Number.isFinite(raw)) return { value: raw };
  if (typeof raw === 'string' && numberPattern.test(raw)) return { value: Number(raw) };
  return { invalid: 'is not a number' };
}

function castBoolean(raw: unknown): Cast<boolean> {
  if (raw === undefined || raw === null || raw === '') return { value: null };
  if (typeof raw === 'boolean') return { value: raw };
  if (typeof raw === 'number') return { value: raw !== 0 };
  if (typeof raw === 'string') return { value: !railsFalse.has(raw) };
  return { invalid: 'is invalid' };
}

function castString(raw: unknown): Cast<string> {
  if (raw === undefined || raw === null) return { value: null };
  if (typeof raw === 'string') return { value: raw };
  if (typeof raw === 'number' || typeof raw === 'boolean') return { value: String(raw) };
  return { invalid: 'must be a string' };
}

/** Ruby's `Float#to_s` for a configured bound: `15.0`, `0.5`. */
export function rubyNumber(value: number, float: boolean): string {
  if (!float) return String(value);
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

const isBlank = (text: string | null): boolean => text === null || /^\s*$/.test(text);

/**
 * Reads a Judge0 submission body as Judge0 CE 1.13.1 does: Rails casting (numbers and booleans
 * may come as strings, unknown attributes are ignored), Judge0's defaults, and its model's
 * validations with its messages. Limits above the judge's maxima are left for the judge to refuse.
 * Throws {@link Judge0Invalid} with every field's messages.
 */
export function readRequest(body: unknown, base64: boolean, ctx: RequestContext): Judge0Request {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new Judge0Invalid({ base: ['the submission must be a JSON object'] });
  const raw = body as Record<string, unknown>;
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => {
    errors[field] ??= [];
    errors[field].push(message);
  };
  const { defaults } = ctx.options;

  const text = (field: string, decode: boolean): string | null => {
    const cast = castString(raw[field]);
    if ('invalid' in cast) {
      add(field, cast.invalid);
      return null;
    }
    if (cast.value === null || !decode) return cast.value;
    const decoded = utf8OrNull(decode64(cast.value));
    if (decoded === null) add(field, 'is not valid UTF-8 once decoded (judgekit passes it to the program as text)');
    return decoded;
  };
  const number = (field: string, fallback: number, integer: boolean): number => {
    const cast = castNumber(raw[field]);
    if ('invalid' in cast) {
      add(field, cast.invalid);
      return fallback;
    }
    if (cast.value === null) return fallback;
    return integer ? Math.trunc(cast.value) : cast.value;
  };
  const flag = (field: string): boolean => {
    const cast = castBoolean(raw[field]);
    if ('invalid' in cast) {
      add(field, cast.invalid);
      return false;
    }
    return cast.value ?? false;
  };
  const atLeast = (field: string, value: number, min: number, strict = false) => {
    if (strict ? value <= min : value < min) add(field, `must be greater than ${strict ? '' : 'or equal to '}${min}`);
  };

  // language_id
  let entry: Judge0LanguageEntry | undefined;
  let language: LanguageDefinition | undefined;
  const languageRaw = raw.language_id;
  const languageCast = castNumber(languageRaw);
  const languageId = 'value' in languageCast && languageCast.value !== null ? Math.trunc(languageCast.value) : Number.NaN;
  if (languageRaw === undefined || languageRaw === null || languageRaw === '') {
    add('language_id', "can't be blank");
  } else {
    entry = Number.isNaN(languageId) ? undefined : judge0Language(languageId);
    language = entry ? ctx.languageOf(entry) : undefined;
    if (!entry || !language)
      add('language_id', `language with id ${Number.isNaN(languageId) ? String(languageRaw) : languageId} doesn't exist`);
  }
  const isProject = languageId === multiFileLanguageId;

  // source_code
  const sourceRaw = castString(raw.source_code);
  let sourceCode: Buffer | null = null;
  if ('invalid' in sourceRaw) add('source_code', sourceRaw.invalid);
  else if (sourceRaw.value !== null) sourceCode = base64 ? decode64(sourceRaw.value) : Buffer.from(sourceRaw.value, 'utf8');
  const sourceBlank = sourceCode === null || isBlank(sourceCode.toString('utf8'));
  if (isProject) {
    if (!sourceBlank) add('source_code', 'must be blank');
    sourceCode = null;
  } else if (sourceBlank) {
    add('source_code', "can't be blank");
  }

  const stdin = text('stdin', base64);
  const expectedOutput = text('expected_output', base64);

  const numberOfRuns = number('number_of_runs', defaults.numberOfRuns, true);
  atLeast('number_of_runs', numberOfRuns, 0, true);
  if (numberOfRuns > ctx.options.maxNumberOfRuns) add('number_of_runs', `must be less than or equal to ${ctx.options.maxNumberOfRuns}`);
  const cpuTimeLimit = number('cpu_time_limit', defaults.cpuTimeLimit, false);
  atLeast('cpu_time_limit', cpuTimeLimit, 0);
  const cpuExtraTime = number('cpu_extra_time', defaults.cpuExtraTime, false);
  atLeast('cpu_extra_time', cpuExtraTime, 0);
  if (cpuExtraTime > ctx.options.maxCpuExtraTime)
    add('cpu_extra_time', `must be less than or equal to ${rubyNumber(ctx.options.maxCpuExtraTime, true)}`);
  const wallTimeLimit = number('wall_time_limit', defaults.wallTimeLimit, false);
  atLeast('wall_time_limit', wallTimeLimit, 1);
  const memoryLimit = number('memory_limit', defaults.memoryLimit, true);
  atLeast('memory_limit', memoryLimit, 2048);
  // Judge0's isolate sets RLIMIT_STACK to it (0: unlimited, so the memory limit bounds it); so does judgekit.
  const stackLimit = number('stack_limit', defaults.stackLimit, true);
  atLeast('stack_limit', stackLimit, 0);
  if (stackLimit > ctx.options.maxStackLimit) add('stack_limit', `must be less than or equal to ${ctx.options.maxStackLimit}`);
  const maxProcessesAndOrThreads = number('max_processes_and_or_threads', defaults.maxProcessesAndOrThreads, true);
  atLeast('max_processes_and_or_threads', maxProcessesAndOrThreads, 0, true);
  const maxFileSize = number('max_file_size', defaults.maxFileSize, true);
  atLeast('max_file_size', maxFileSize, 0);

  for (const field of ['enable_per_process_and_thread_time_limit', 'enable_per_process_and_thread_memory_limit'] as const) {
    if (flag(field)) add(field, 'this option cannot be enabled');
  }
  if (flag('enable_network')) add('enable_network', 'enabling network is not allowed');
  const redirectStderrToStdout = flag('redirect_stderr_to_stdout');

  const compilerOptions = text('compiler_options', false);
  let compileArgs: string[] = [];
  if (!isBlank(compilerOptions)) {
    if ((compilerOptions as string).length > 512) add('compiler_options', 'is too long (maximum is 512 characters)');
    // Language 89 has no compile command of Judge0's (its own `compile` script builds it).
    if (!ctx.compilerOptions) add('compiler_options', 'setting compiler options is not allowed');
    else if (language && (!language.compile || isProject))
      add('compiler_options', 'setting compiler options is only allowed for compiled languages');
    else {
      const split = splitArguments(compilerOptions as string);
      if ('error' in split) add('compiler_options', split.error);
      else compileArgs = split.args;
    }
  }
  const commandLineArguments = text('command_line_arguments', false);
  let args: string[] = [];
  if (!isBlank(commandLineArguments)) {
    if ((commandLineArguments as string).length > 512) add('command_line_arguments', 'is too long (maximum is 512 characters)');
    const split = splitArguments(commandLineArguments as string);
    if ('error' in split) add('command_line_arguments', split.error);
    else args = split.args;
  }
  const callbackUrl = text('callback_url', false);
  if (!isBlank(callbackUrl)) {
    if (!ctx.callbacks) add('callback_url', 'setting callback is not allowed');
    else if ((callbackUrl as string).length > 1024) add('callback_url', 'is too long (maximum is 1024 characters)');
  }
  const filesRaw = text('additional_files', false);
  let additionalFiles: Buffer | null = null;
  if (!isBlank(filesRaw)) {
    if (!ctx.options.enableAdditionalFiles) add('additional_files', 'setting additional files is not allowed');
    else additionalFiles = decode64(filesRaw as string);
  }
  if (isProject && additionalFiles === null) add('additional_files', "can't be blank");

  if (Object.keys(errors).length > 0 || !entry || !language) throw new Judge0Invalid(errors);
  return {
    languageId,
    entry,
    language,
    sourceCode,
    compilerOptions: isBlank(compilerOptions) ? null : compilerOptions,
    commandLineArguments: isBlank(commandLineArguments) ? null : commandLineArguments,
    args,
    compileArgs,
    stdin,
    expectedOutput,
    numberOfRuns,
    cpuTimeLimit,
    cpuExtraTime,
    wallTimeLimit,
    memoryLimit,
    stackLimit,
    maxProcessesAndOrThreads,
    maxFileSize,
    redirectStderrToStdout,
    callbackUrl: isBlank(callbackUrl) ? null : callbackUrl,
    additionalFiles,
  };
}

/**
 * Maps a Judge0 submission onto judgekit's: the source (and the archive's files beside it), one
 * test per run of `number_of_runs` (stopping at the first that fails, as Judge0 does), Judge0's
 * comparison of `expected_output` (trailing whitespace of each line and trailing blank lines
 * ignored: judgekit's `lines` checker), limits in judgekit's units, and the Judge0 attributes in
 * `metadata` so that reading the submission back answers them.
 */
export async function toSubmission(request: Judge0Request, ctx: RequestContext, maxLimits: Readonly<Limits>): Promise<SubmissionInput> {
  const files: NonNullable<SubmissionInput['files']> = [];
  if (request.sourceCode !== null) {
    const text = utf8OrNull(request.sourceCode);
    files.push(text === null ? { content: request.sourceCode.toString('base64'), encoding: 'base64' } : { content: text });
  }
  if (request.additionalFiles !== null) {
    let unpacked: Awaited<ReturnType<typeof unpackZip>>;
    try {
      unpacked = await unpackZip(request.additionalFiles, ctx.options.zipLimits);
    } catch (error) {
      if (error instanceof ZipRefused) throw new Judge0Invalid({ additional_files: [error.message] });
      throw error;
    }
    const main = request.language.sourceFile;
    if (request.sourceCode === null) {
      // Language 89: the archive's `run` script is the main file.
      const run = unpacked.find((f) => f.path === main);
      if (!run) throw new Judge0Invalid({ additional_files: [`must hold a \`${main}\` script at the root of the archive`] });
      files.push({ content: run.data.toString('base64'), encoding: 'base64' });
    }
    // Judge0 unzips with `unzip -n`: the archive never overwrites the program's own source file.
    for (const file of unpacked) {
      if (file.path === main) continue;
      files.push({ name: file.path, content: file.data.toString('base64'), encoding: 'base64' });
    }
  }
  const fileSize = request.maxFileSize === 0 ? null : request.maxFileSize * 1024;
  const limits: LimitsInput = {
    // Judge0's 0 is "no limit" (isolate's); judgekit's closest is the configured maximum.
    cpuTimeMs: request.cpuTimeLimit === 0 ? maxLimits.cpuTimeMs : Math.max(1, Math.round(request.cpuTimeLimit * 1000)),
    wallTimeMs: Math.max(1, Math.round(request.wallTimeLimit * 1000)),
    memoryBytes: request.memoryLimit * 1024,
    processes: request.maxProcessesAndOrThreads,
    // Judge0's stdout is a file under max_file_size; judgekit bounds stdout and stderr together by it.
    outputBytes: fileSize ?? maxLimits.outputBytes,
    fileSizeBytes: fileSize ?? maxLimits.fileSizeBytes,
  };
  const test = { input: request.stdin ?? '', ...(request.expectedOutput !== null ? { expectedOutput: request.expectedOutput } : {}) };
  const metadata: Record<string, string> = {
    [metadataKey.languageId]: String(request.languageId),
    [metadataKey.numberOfRuns]: String(request.numberOfRuns),
    [metadataKey.cpuTimeLimit]: String(request.cpuTimeLimit),
    [metadataKey.cpuExtraTime]: String(request.cpuExtraTime),
    [metadataKey.wallTimeLimit]: String(request.wallTimeLimit),
    [metadataKey.memoryLimit]: String(request.memoryLimit),
    [metadataKey.stackLimit]: String(request.stackLimit),
    [metadataKey.maxProcessesAndOrThreads]: String(request.maxProcessesAndOrThreads),
    [metadataKey.maxFileSize]: String(request.maxFileSize),
    [metadataKey.redirectStderrToStdout]: String(request.redirectStderrToStdout),
  };
  if (request.compilerOptions !== null) metadata[metadataKey.compilerOptions] = request.compilerOptions;
  if (request.commandLineArguments !== null) metadata[metadataKey.commandLineArguments] = request.commandLineArguments;
  if (request.callbackUrl !== null) metadata[metadataKey.callbackUrl] = request.callbackUrl;
  return {
    language: request.language.id,
    files,
    tests: Array.from({ length: request.numberOfRuns }, () => ({ ...test })),
    limits,
    checker: 'lines',
    args: request.args,
    compileArgs: request.compileArgs,
    stderrToStdout: request.redirectStderrToStdout,
    stopOnFirstFailure: true,
    ...(request.stackLimit > 0 ? { stackBytes: request.stackLimit * 1024 } : {}),
    metadata,
    ...(request.callbackUrl !== null ? { callbackUrl: request.callbackUrl } : {}),
  };
}
