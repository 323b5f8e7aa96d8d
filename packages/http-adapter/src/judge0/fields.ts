/**
 * The attributes of a Judge0 CE 1.13.1 submission, in the order Judge0 serialises them (its
 * `submissions` table's columns, then `status` and `language`), and the `fields` parameter.
 */
export const submissionFields = [
  'source_code',
  'language_id',
  'stdin',
  'expected_output',
  'stdout',
  'status_id',
  'created_at',
  'finished_at',
  'time',
  'memory',
  'stderr',
  'token',
  'number_of_runs',
  'cpu_time_limit',
  'cpu_extra_time',
  'wall_time_limit',
  'memory_limit',
  'stack_limit',
  'max_processes_and_or_threads',
  'enable_per_process_and_thread_time_limit',
  'enable_per_process_and_thread_memory_limit',
  'max_file_size',
  'compile_output',
  'exit_code',
  'exit_signal',
  'message',
  'wall_time',
  'compiler_options',
  'command_line_arguments',
  'redirect_stderr_to_stdout',
  'callback_url',
  'additional_files',
  'enable_network',
  'status',
  'language',
] as const;

/** One attribute of a Judge0 submission. */
export type SubmissionField = (typeof submissionFields)[number];

/** What Judge0 answers when `fields` is absent or empty (in its attribute order). */
export const defaultFields: readonly SubmissionField[] = [
  'stdout',
  'time',
  'memory',
  'stderr',
  'token',
  'compile_output',
  'message',
  'status',
];

const known = new Set<string>(submissionFields);

/**
 * Parses `fields` as Judge0 does: comma-separated names, `*` for every attribute, absent or empty
 * for the default eight. Unknown names are returned in `invalid` (Judge0 answers 400 for them).
 */
export function parseFields(raw: unknown): { fields: readonly SubmissionField[]; invalid: string[] } {
  const names = typeof raw === 'string' ? raw.split(',').filter((n) => n.length > 0) : [];
  const invalid = names.filter((n) => n !== '*' && !known.has(n));
  if (names.includes('*')) return { fields: submissionFields, invalid };
  const wanted = new Set(names.filter((n) => known.has(n)));
  if (wanted.size === 0) return { fields: defaultFields, invalid };
  // In Judge0's attribute order, whatever order they were asked in.
  return { fields: submissionFields.filter((f) => wanted.has(f)), invalid };
}
