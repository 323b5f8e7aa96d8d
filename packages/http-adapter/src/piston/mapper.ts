import {
  isJudgeError,
  type LanguageDefinition,
  type LimitsInput,
  type StepResult,
  type SubmissionInput,
  type SubmissionResult,
} from '@judgekit/core';
import { toHttpFailure } from '../errors/http-errors.js';
import type { PistonExecuteBody, PistonExecuteResponse, PistonRuntimes, PistonStage } from './schemas.js';

type LimitField = 'run_timeout' | 'run_cpu_time' | 'run_memory_limit' | 'compile_timeout' | 'compile_cpu_time' | 'compile_memory_limit';

/** Each Piston limit field and the judgekit limit it is: the mapping both ways. */
const limitFields: readonly (readonly [LimitField, 'limits' | 'compileLimits', keyof LimitsInput])[] = [
  ['run_timeout', 'limits', 'wallTimeMs'],
  ['run_cpu_time', 'limits', 'cpuTimeMs'],
  ['run_memory_limit', 'limits', 'memoryBytes'],
  ['compile_timeout', 'compileLimits', 'wallTimeMs'],
  ['compile_cpu_time', 'compileLimits', 'cpuTimeMs'],
  ['compile_memory_limit', 'compileLimits', 'memoryBytes'],
];

/**
 * Piston's body as a judgekit submission. Fields are only renamed and re-encoded: the judge checks
 * the language, the version and every limit (against its maxima) once, for every API.
 */
export function toSubmissionInput(body: PistonExecuteBody): SubmissionInput {
  const limits: LimitsInput = {};
  const compileLimits: LimitsInput = {};
  for (const [field, group, name] of limitFields) {
    const value = body[field];
    // Piston: -1 (or absent, or 0) is the server's default.
    if (value === undefined || value <= 0) continue;
    (group === 'limits' ? limits : compileLimits)[name] = value;
  }
  return {
    language: body.language,
    // The judge reads Piston's version patterns itself: `*`, `3`, `3.11`, `3.x`.
    version: body.version,
    files: body.files.map((f, i) => ({
      // The first file becomes the language's main file; Piston names are kept for the others.
      ...(i > 0 && f.name ? { name: f.name } : {}),
      content: f.encoding === 'hex' ? Buffer.from(f.content, 'hex').toString('base64') : f.content,
      encoding: f.encoding === 'hex' ? 'base64' : f.encoding,
    })),
    stdin: body.stdin,
    args: body.args,
    limits,
    compileLimits,
  };
}

/** The runtimes Piston lists: the languages whose toolchain was found, with its version. */
export function toPistonRuntimes(languages: readonly { language: LanguageDefinition; version: string | null }[]): PistonRuntimes {
  return languages.flatMap(({ language, version }) =>
    version === null ? [] : [{ language: language.id, version, aliases: [...(language.aliases ?? [])], runtime: language.id }],
  );
}

/**
 * judgekit's result in Piston's shape. A failed compile is returned as `compile` and as `run`,
 * as Piston does.
 */
export function toPistonResponse(
  result: SubmissionResult,
  language: string = result.language.id,
  version: string = result.language.version ?? '*',
): PistonExecuteResponse {
  const compile = result.compile ? pistonStage(result.compile, result.verdict === 'compile_error' ? result.message : null) : undefined;
  if (result.verdict === 'compile_error' && compile) {
    if (compile.status === null) compile.status = 'RE';
    return { language, version, run: compile, compile };
  }
  const test = result.tests[0];
  let run: PistonStage;
  if (!test || result.verdict === 'internal_error' || result.status === 'cancelled') {
    run = {
      stdout: test?.stdout ?? '',
      stderr: test?.stderr ?? '',
      output: (test?.stdout ?? '') + (test?.stderr ?? ''),
      code: test?.exitCode ?? null,
      signal: test?.signal ?? null,
      message: result.status === 'cancelled' ? 'cancelled' : (result.message ?? 'internal error'),
      status: 'XX',
      cpu_time: test?.cpuTimeMs ?? 0,
      wall_time: test?.wallTimeMs ?? 0,
      memory: test?.memoryBytes ?? 0,
    };
  } else {
    run = pistonStage(test, test.message);
  }
  return compile ? { language, version, run, compile } : { language, version, run };
}

/**
 * One step in Piston's shape. Every limit that ended the step shows in `status` and `message`,
 * also when the program exited 0 afterwards: a fork bomb stopped at the process limit is `RE`
 * with "process limit reached", never a clean exit.
 */
function pistonStage(step: StepResult, message: string | null): PistonStage {
  let status: PistonStage['status'] = null;
  let signal = step.signal;
  switch (step.limitExceeded) {
    case 'cpu':
    case 'wall':
      status = 'TO';
      break;
    case 'output':
      status = step.stderrTruncated && !step.stdoutTruncated ? 'EL' : 'OL';
      break;
    case 'memory':
      // Piston reports a memory kill as death by SIGKILL.
      status = 'SG';
      signal ??= 'SIGKILL';
      break;
    case 'processes':
    case 'filesize':
    case 'disk':
      // Piston has no status of its own for these: a signal or a runtime error, with the limit named in `message`.
      status = step.signal ? 'SG' : 'RE';
      message ??=
        step.limitExceeded === 'processes'
          ? 'process limit reached'
          : step.limitExceeded === 'disk'
            ? 'disk limit exceeded'
            : 'file size limit exceeded';
      break;
    default:
      if (step.signal) status = 'SG';
      else if (step.exitCode !== 0) status = 'RE';
  }
  return {
    stdout: step.stdout,
    stderr: step.stderr,
    output: step.stdout + step.stderr,
    code: step.exitCode,
    signal,
    message: status === null ? null : (message ?? null),
    status,
    cpu_time: step.cpuTimeMs,
    wall_time: step.wallTimeMs,
    memory: step.memoryBytes,
  };
}

/**
 * A judge error in Piston's words (`{ message }`, 400 for what Piston answers 400): an unknown
 * language or version is "LANG-VERSION runtime is unknown", a limit above its maximum names the
 * Piston field. Anything else keeps judgekit's status and message.
 */
export function toPistonFailure(
  error: unknown,
  body: Partial<Pick<PistonExecuteBody, 'language' | 'version'>> | undefined,
  retryAfterSeconds: number,
): { status: number; message: string; headers: Record<string, string> } {
  const failure = toHttpFailure(error, retryAfterSeconds);
  if (isJudgeError(error, 'JDG_ERR_LANGUAGE_UNKNOWN')) {
    return { status: 400, message: `${body?.language ?? ''}-${body?.version ?? '*'} runtime is unknown`, headers: failure.headers };
  }
  if (isJudgeError(error, 'JDG_ERR_LIMIT_EXCEEDS_MAX')) {
    const path = failure.details.issues?.[0]?.path ?? '';
    const field = limitFields.find(([, group, name]) => path === `${group}.${name}`)?.[0];
    if (field)
      return { status: 400, message: `${field} cannot exceed the configured limit of ${error.details.max}`, headers: failure.headers };
  }
  return { status: failure.status, message: failure.message, headers: failure.headers };
}
