import { z } from 'zod';
import { submissionId } from '../http/schemas.js';

/** The seed's API: its request and answer shapes, in its field names and units. */

export const seedIdParams = z.object({ submission_id: submissionId });

export const seedExecuteBody = z
  .object({
    source_code: z
      .string()
      .max(64 * 1024 * 1024)
      .describe('Program source.'),
    stdin_data: z
      .string()
      .max(64 * 1024 * 1024)
      .default('')
      .describe('Bytes given on stdin.'),
    language: z.string().min(1).max(64).default('python3').describe('Language id or alias. Default `python3` (the seed ran Python).'),
    args: z.array(z.string()).optional().describe('Arguments passed to the program (extra field; the judge checks them as on `/v1`).'),
  })
  .describe('The seed’s submission. Unknown fields are ignored, as the seed did.');

export const seedExecuteResponse = z.object({ submission_id: z.string(), status: z.literal('PENDING') });

/** The statuses of the seed's API, in its words. */
export const seedStatuses = ['PENDING', 'PROCESSING', 'OK', 'TLE', 'RE', 'INTERNAL_ERROR'] as const;

export const seedResultSchema = z.object({
  submission_id: z.string(),
  status: z.enum(seedStatuses),
  stdout: z.string(),
  stderr: z.string().describe('The program’s stderr; for a compile error, the compiler’s output.'),
  exit_code: z.number().int().nullable(),
  execution_time: z.number().nullable().describe('Wall time of the run in seconds (the seed’s unit); null before it ran.'),
  memory: z.number().nullable().describe('Peak memory of the run in kilobytes (the seed’s unit, as `ru_maxrss`); null before it ran.'),
  verdict: z
    .string()
    .nullable()
    .describe('judgekit’s finer verdict (`accepted`, `memory_limit_exceeded`, ...), null until done. Extra field.'),
  message: z.string().nullable().describe('Why the status, when it is not OK (limit hit, compile error, internal failure). Extra field.'),
});

export const seedDeleteResponse = z.object({ submission_id: z.string(), deleted: z.literal(true) });

/** The seed's submission body. */
export type SeedExecuteBody = z.output<typeof seedExecuteBody>;
/** The statuses of the seed's API, in its words. */
export type SeedStatus = (typeof seedStatuses)[number];
/** The body of `GET /result/{submission_id}`: the seed's fields, plus `verdict` and `message` from judgekit. */
export type SeedResult = z.infer<typeof seedResultSchema>;
