import { z } from 'zod';
import { submissionFields } from './fields.js';

/**
 * Judge0's shapes for the OpenAPI document. A submission body is read with Rails' casting and
 * Judge0's own messages (`request.ts`), so its schema here only documents the attributes and
 * takes any object; the answers are built from typed data.
 */

// Any value passes here: numbers and booleans may come as strings (Rails casts them), and each
// attribute is checked, with Judge0's messages, when the submission is read.
const text = (what: string) => z.unknown().optional().describe(`Text. ${what}`);
const seconds = (what: string) => z.unknown().optional().describe(`${what}, in seconds (a number or a numeric string).`);
const kilobytes = (what: string) => z.unknown().optional().describe(`${what}, in kilobytes.`);
const flag = (what: string) => z.unknown().optional().describe(`Boolean. ${what}`);
const count = (what: string) => z.unknown().optional().describe(`Whole number. ${what}`);

export const judge0SubmissionBody = z
  .looseObject({
    source_code: text('Program source (base64 with `base64_encoded=true`). Required, except for language 89.'),
    language_id: count('Judge0 CE 1.13.1 language id (see `/languages`).'),
    compiler_options: text('Compiler flags, at most 512 characters, split as Bash would (compiled languages only).'),
    command_line_arguments: text('Arguments of the program, at most 512 characters, split as Bash would.'),
    stdin: text('Input of the program.'),
    expected_output: text('Expected stdout; compared ignoring trailing whitespace and trailing blank lines.'),
    cpu_time_limit: seconds('CPU time limit (default 5)'),
    cpu_extra_time: seconds('Extra time before the kill (default 1; accepted, the program stops at the limit)'),
    wall_time_limit: seconds('Wall-clock limit (default 10, at least 1)'),
    memory_limit: kilobytes('Memory limit (default 128000, at least 2048)'),
    stack_limit: kilobytes('Stack limit, RLIMIT_STACK of the program (default 64000, at most 128000; 0: bounded by memory_limit only)'),
    max_processes_and_or_threads: count('Process and thread limit (default 60).'),
    enable_per_process_and_thread_time_limit: flag('Must be false.'),
    enable_per_process_and_thread_memory_limit: flag('Must be false.'),
    max_file_size: kilobytes('Largest file and output (default 1024; 0: the maximum)'),
    redirect_stderr_to_stdout: flag('Write stderr into stdout, in the order written (default false).'),
    enable_network: flag('Must be false: judgekit sandboxes have no network.'),
    number_of_runs: count('Runs of the program (default 1, at most 20); time and memory are their mean.'),
    additional_files: text('Base64 of a zip archive of files beside the source (for language 89: the program, with `run` and `compile`).'),
    callback_url: text(
      'Where Judge0’s callback (a PUT of the default fields, base64) goes once done; checked by the server’s webhook policy (refused without webhooks).',
    ),
  })
  .describe('A Judge0 submission. Unknown attributes are ignored.');

export const judge0BatchBody = z.looseObject({
  submissions: z.unknown().optional().describe('At most 20 submissions (each as `POST /submissions`).'),
});

export const judge0Query = z.looseObject({
  base64_encoded: z.string().optional().describe('`true`: text attributes in and out are base64.'),
  wait: z.string().optional().describe('`true`: hold the request until the submission is done (create only).'),
  fields: z.string().optional().describe('Comma-separated attributes, or `*`; default: the eight of Judge0.'),
});

export const judge0Token = z.object({ token: z.string().describe('The submission token.') });

const status = z.object({ id: z.number().int().min(1).max(14), description: z.string() });

export const judge0SubmissionObject = z
  .object(
    Object.fromEntries(submissionFields.map((f) => [f, z.unknown().optional()])) as Record<
      (typeof submissionFields)[number],
      z.ZodOptional<z.ZodUnknown>
    >,
  )
  .describe('The requested attributes of a submission, in Judge0’s order.');

export const judge0FieldErrors = z.record(z.string(), z.array(z.string())).describe('Judge0’s 422: each attribute with its messages.');
export const judge0Error = z.object({ error: z.string() }).describe('Judge0’s 400 and 503 shape.');
export const judge0Statuses = z.array(status);
export const judge0Languages = z.array(z.object({ id: z.number().int(), name: z.string(), is_archived: z.boolean().optional() }));
export const judge0LanguageSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  is_archived: z.boolean(),
  source_file: z.string(),
  compile_cmd: z.string().nullable(),
  run_cmd: z.string().nullable(),
});
export const judge0About = z.object({
  version: z.string(),
  homepage: z.string().nullable(),
  source_code: z.string().nullable(),
  maintainer: z.string(),
});
