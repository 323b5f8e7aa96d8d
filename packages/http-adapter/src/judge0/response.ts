import type { SubmissionResult } from '@judgekit/core';
import { encode64 } from './base64.js';
import type { SubmissionField } from './fields.js';
import { judge0IdOf } from './languages.js';
import { metadataKey } from './metadata.js';
import { judge0Outcome, judge0Status } from './statuses.js';

/** The request side of a stored submission, when the judge can give it back. */
export interface SubmissionEcho {
  sourceCode: Buffer | null;
  stdin: string | null;
  expectedOutput: string | null;
  /** The `additional_files` archive as it will be answered (base64 of a zip), or null. */
  additionalFiles: string | null;
}

/** How one submission is answered. */
export interface SerializeOptions {
  fields: readonly SubmissionField[];
  /** Text attributes (and `message`) as Ruby's `Base64.encode64`. */
  base64: boolean;
  /** Display name of the submission's Judge0 language. */
  languageName: string;
  echo?: SubmissionEcho | null;
}

/**
 * Judge0's decimal columns (`time`, `cpu_time_limit`, ...) are answered as strings, as Rails
 * writes a BigDecimal: `"0.002"`, `"5.0"`.
 */
export function decimalString(value: number | null): string | null {
  if (value === null || !Number.isFinite(value)) return null;
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

const numberOrNull = (text: string | undefined): number | null => {
  if (text === undefined) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
};

/** A judgekit result as the Judge0 submission object, with only the requested attributes, in Judge0's order. */
export function serializeSubmission(result: SubmissionResult, options: SerializeOptions): Record<string, unknown> {
  const outcome = judge0Outcome(result);
  const meta = result.metadata ?? {};
  const text = (value: string | null): string | null => (value === null ? null : options.base64 ? encode64(value) : value);
  const echo = options.echo ?? null;
  const languageId = numberOrNull(meta[metadataKey.languageId]) ?? judge0IdOf(result.language.id);
  const value = (field: SubmissionField): unknown => {
    switch (field) {
      case 'source_code':
        if (!echo || echo.sourceCode === null) return null;
        return options.base64 ? encode64(echo.sourceCode) : echo.sourceCode.toString('utf8');
      case 'language_id':
        return languageId;
      case 'stdin':
        return text(echo?.stdin ?? null);
      case 'expected_output':
        return text(echo?.expectedOutput ?? null);
      case 'stdout':
        return text(outcome.stdout);
      case 'status_id':
        return outcome.statusId;
      case 'created_at':
        return result.createdAt;
      case 'finished_at':
        return outcome.finishedAt;
      case 'time':
        return decimalString(outcome.time);
      case 'memory':
        return outcome.memory;
      case 'stderr':
        return text(outcome.stderr);
      case 'token':
        return result.id;
      case 'number_of_runs':
        return numberOrNull(meta[metadataKey.numberOfRuns]) ?? result.summary.total;
      case 'cpu_time_limit':
        return decimalString(numberOrNull(meta[metadataKey.cpuTimeLimit]));
      case 'cpu_extra_time':
        return decimalString(numberOrNull(meta[metadataKey.cpuExtraTime]));
      case 'wall_time_limit':
        return decimalString(numberOrNull(meta[metadataKey.wallTimeLimit]));
      case 'memory_limit':
        return numberOrNull(meta[metadataKey.memoryLimit]);
      case 'stack_limit':
        return numberOrNull(meta[metadataKey.stackLimit]);
      case 'max_processes_and_or_threads':
        return numberOrNull(meta[metadataKey.maxProcessesAndOrThreads]);
      case 'enable_per_process_and_thread_time_limit':
      case 'enable_per_process_and_thread_memory_limit':
      case 'enable_network':
        return false;
      case 'max_file_size':
        return numberOrNull(meta[metadataKey.maxFileSize]);
      case 'compile_output':
        return text(outcome.compileOutput);
      case 'exit_code':
        return outcome.exitCode;
      case 'exit_signal':
        return outcome.exitSignal;
      case 'message':
        return text(outcome.message);
      case 'wall_time':
        return decimalString(outcome.wallTime);
      case 'compiler_options':
        return meta[metadataKey.compilerOptions] ?? null;
      case 'command_line_arguments':
        return meta[metadataKey.commandLineArguments] ?? null;
      case 'redirect_stderr_to_stdout':
        return meta[metadataKey.redirectStderrToStdout] === 'true';
      case 'callback_url':
        return meta[metadataKey.callbackUrl] ?? null;
      case 'additional_files':
        return echo?.additionalFiles ?? null;
      case 'status':
        return judge0Status(outcome.statusId);
      case 'language':
        return { id: languageId, name: options.languageName };
    }
  };
  const out: Record<string, unknown> = {};
  for (const field of options.fields) out[field] = value(field);
  return out;
}
