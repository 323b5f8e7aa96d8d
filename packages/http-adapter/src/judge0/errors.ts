import type { JudgeError, Limits } from '@judgekit/core';
import type { FieldErrors } from './request.js';
import { rubyNumber } from './request.js';

/** An answer in one of Judge0's error shapes: a status and its JSON body (`null`: no body, as Judge0's `head`). */
export interface Judge0Failure {
  status: number;
  body: Record<string, unknown> | null;
  headers: Record<string, string>;
}

/** The Judge0 attribute each judgekit limit came from, with the unit conversion back. */
const limitFields: Record<string, { field: string; fromJudgekit: (v: number) => number; float: boolean }> = {
  cpuTimeMs: { field: 'cpu_time_limit', fromJudgekit: (ms) => ms / 1000, float: true },
  wallTimeMs: { field: 'wall_time_limit', fromJudgekit: (ms) => ms / 1000, float: true },
  memoryBytes: { field: 'memory_limit', fromJudgekit: (b) => Math.floor(b / 1024), float: false },
  processes: { field: 'max_processes_and_or_threads', fromJudgekit: (n) => n, float: false },
  outputBytes: { field: 'max_file_size', fromJudgekit: (b) => Math.floor(b / 1024), float: false },
  fileSizeBytes: { field: 'max_file_size', fromJudgekit: (b) => Math.floor(b / 1024), float: false },
};

/** The Judge0 attribute of a judgekit input path (`files.0.content` → `source_code`). */
function fieldOfPath(path: string): string {
  const [head, index, leaf] = path.split('.');
  switch (head) {
    case 'source':
      return 'source_code';
    case 'files':
      return index === '0' && leaf !== 'name' ? 'source_code' : 'additional_files';
    case 'tests':
      if (leaf === 'expectedOutput') return 'expected_output';
      return index === undefined ? 'number_of_runs' : 'stdin';
    case 'args':
      return 'command_line_arguments';
    case 'compileArgs':
      return 'compiler_options';
    case 'language':
    case 'version':
      return 'language_id';
    case 'limits': {
      const mapped = index ? limitFields[index] : undefined;
      return mapped?.field ?? 'base';
    }
    default:
      return 'base';
  }
}

/** Judge0's 422 body for a judge error about the input, or null when the error is not about the input. */
export function fieldErrorsOf(error: JudgeError, languageId: number, maxLimits: Readonly<Limits>): FieldErrors | null {
  if (error.code === 'JDG_ERR_LIMIT_EXCEEDS_MAX') {
    const details = error.details as { limit?: string; max?: number };
    const mapped = details.limit ? limitFields[details.limit] : undefined;
    if (mapped && typeof details.max === 'number') {
      return { [mapped.field]: [`must be less than or equal to ${rubyNumber(mapped.fromJudgekit(details.max), mapped.float)}`] };
    }
    return { base: [error.message] };
  }
  if (error.code === 'JDG_ERR_WEBHOOK_URL_REFUSED') return { callback_url: [error.message] };
  if (error.code === 'JDG_ERR_LANGUAGE_UNKNOWN') return { language_id: [`language with id ${languageId} doesn't exist`] };
  if (error.code === 'JDG_ERR_INPUT_INVALID' || error.code === 'JDG_ERR_SANDBOX_PATH_INVALID') {
    const issues = (error.details.issues ?? []) as { path: string; message: string }[];
    if (issues.length === 0) return { base: [error.message] };
    const errors: FieldErrors = {};
    for (const issue of issues) {
      const field = fieldOfPath(issue.path);
      errors[field] ??= [];
      // A limit beyond what the schema takes at all is also beyond the judge's maximum: say that one.
      const limit = issue.path.startsWith('limits.') ? limitFields[issue.path.slice('limits.'.length)] : undefined;
      const name = issue.path.slice('limits.'.length) as keyof Limits;
      if (limit && name in maxLimits) {
        const bound = `must be less than or equal to ${rubyNumber(limit.fromJudgekit(maxLimits[name]), limit.float)}`;
        if (!errors[field].includes(bound)) errors[field].push(bound);
        continue;
      }
      const message =
        field === 'additional_files' && issue.path.startsWith('files.') ? `holds a file judgekit refuses: ${issue.message}` : issue.message;
      if (!errors[field].includes(message)) errors[field].push(message);
    }
    return errors;
  }
  return null;
}

/** Rails' body for an error status it renders itself (`{ "status": 404, "error": "Not Found" }`). */
export function railsError(status: number, headers: Record<string, string> = {}): Judge0Failure {
  return { status, body: { status, error: reasons[status] ?? 'Error' }, headers };
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
