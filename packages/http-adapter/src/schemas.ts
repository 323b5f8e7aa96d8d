import { submissionResultSchema, submissionSchema } from '@judgekit/core';
import { z } from 'zod';

/**
 * HTTP shapes around the core's zod schemas. These zod schemas validate requests and are turned
 * into the OpenAPI document, so the docs and the checks cannot drift apart.
 */

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable code, `JDG_ERR_<AREA>_<PROBLEM>`; see docs/errors.md and docs/http.md.'),
      message: z.string(),
      details: z
        .object({
          issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
        })
        .catchall(z.unknown()),
    }),
  })
  .describe('The error shape of every judgekit route.');

export const idParams = z.object({ id: z.string().min(1).max(128).describe('Submission id.') });

export const seedIdParams = z.object({ submission_id: z.string().min(1).max(128) });

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
  })
  .describe('The seed’s submission. Unknown fields are ignored, as the seed did.');

export const seedExecuteResponse = z.object({ submission_id: z.string(), status: z.literal('PENDING') });

export const seedResultSchema = z.object({
  submission_id: z.string(),
  status: z.enum(['PENDING', 'PROCESSING', 'OK', 'TLE', 'RE', 'INTERNAL_ERROR']),
  stdout: z.string(),
  stderr: z.string().describe('The program’s stderr; for a compile error, the compiler’s output.'),
  exit_code: z.number().int().nullable(),
  execution_time: z.number().nullable().describe('Wall time in seconds.'),
  memory: z.number().nullable().describe('Peak memory in kilobytes.'),
  verdict: z.string().nullable().describe('judgekit’s finer verdict (extra field).'),
  message: z.string().nullable().describe('Why the status, when not OK (extra field).'),
});

export const seedDeleteResponse = z.object({ submission_id: z.string(), deleted: z.literal(true) });

export const createQuery = z.object({
  wait: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1')
    .describe('Hold the request until the submission is done (bounded by `timeoutMs` and the server’s maximum wait).'),
  timeoutMs: z.coerce.number().int().min(0).max(3_600_000).optional().describe('Longest wait in milliseconds with `wait=true`.'),
});

export { submissionResultSchema, submissionSchema };

export const batchCreateBody = z.object({
  submissions: z.array(submissionSchema).min(1).max(100),
});

const itemError = z.object({ error: errorSchema.shape.error });

export const batchCreateResponse = z.object({
  submissions: z.array(z.union([z.object({ id: z.string(), status: z.literal('queued') }), itemError])),
});

export const batchGetQuery = z.object({
  ids: z
    .string()
    .min(1)
    .max(100 * 130)
    .describe('Comma-separated submission ids (at most 100).'),
});

export const batchGetResponse = z.object({
  submissions: z.array(z.union([submissionResultSchema, itemError.extend({ id: z.string() })])),
});

export const languageSchema = z.object({
  id: z.string(),
  name: z.string(),
  aliases: z.array(z.string()),
  extensions: z.array(z.string()),
  compiled: z.boolean(),
  version: z.string().nullable().describe('Toolchain version detected on this host (in a sandbox); null when not installed.'),
});

export const languagesResponse = z.object({ languages: z.array(languageSchema) });

export const healthResponse = z.object({ status: z.literal('ok') });

export const readyResponse = z.object({
  ready: z.boolean(),
  runner: z.string(),
  accepting: z.boolean(),
  problems: z.array(z.object({ message: z.string(), fix: z.string().optional() })),
});

// Piston v2 (https://github.com/engineer-man/piston): lenient like Piston, times in ms, memory in bytes.
const pistonNumber = z.number().int();

export const pistonExecuteBody = z.object({
  language: z.string().min(1).max(64),
  version: z.string().min(1).max(64).default('*'),
  files: z
    .array(
      z.object({
        name: z.string().max(255).optional(),
        content: z.string().max(64 * 1024 * 1024),
        encoding: z.enum(['utf8', 'base64', 'hex']).default('utf8'),
      }),
    )
    .min(1)
    .max(64),
  stdin: z
    .string()
    .max(64 * 1024 * 1024)
    .default(''),
  args: z.array(z.string().max(4096)).max(64).default([]),
  compile_timeout: pistonNumber.optional(),
  run_timeout: pistonNumber.optional(),
  compile_cpu_time: pistonNumber.optional(),
  run_cpu_time: pistonNumber.optional(),
  compile_memory_limit: pistonNumber.optional(),
  run_memory_limit: pistonNumber.optional(),
});

const pistonStage = z.object({
  stdout: z.string(),
  stderr: z.string(),
  output: z.string(),
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  message: z.string().nullable(),
  status: z.enum(['RE', 'SG', 'TO', 'OL', 'EL', 'XX']).nullable(),
  cpu_time: z.number(),
  wall_time: z.number(),
  memory: z.number(),
});

export const pistonExecuteResponse = z.object({
  language: z.string(),
  version: z.string(),
  run: pistonStage,
  compile: pistonStage.optional(),
});

export const pistonRuntimesResponse = z.array(
  z.object({ language: z.string(), version: z.string(), aliases: z.array(z.string()), runtime: z.string().optional() }),
);

export const pistonErrorSchema = z.object({ message: z.string() });

export type PistonStage = z.infer<typeof pistonStage>;
