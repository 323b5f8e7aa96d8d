import { submissionSchema } from '@judgekit/core';
import { z } from 'zod';
import { errorSchema, submissionId } from '../http/schemas.js';

/** The versioned API's shapes. Submissions and results are the core's own schemas, unchanged (routes take them from core). */

export const idParams = z.object({ id: submissionId });

export const createQuery = z.object({
  wait: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1')
    .describe('Hold the request until the submission is done (bounded by `timeoutMs` and the server’s maximum wait).'),
  timeoutMs: z.coerce.number().int().min(0).max(3_600_000).optional().describe('Longest wait in milliseconds with `wait=true`.'),
});

/** Most submissions in one batch, and most ids in one `?ids=`. */
export const maxBatch = 100;

export const batchCreateBody = z.object({
  submissions: z.array(submissionSchema).min(1).max(maxBatch),
});

const itemError = z.object({ error: errorSchema.shape.error });

export const batchCreateResponse = z.object({
  submissions: z.array(z.union([z.object({ id: z.string(), status: z.literal('queued') }), itemError])),
});

/** The answer of `POST /v1/submissions/batch`. */
export type BatchCreateResponse = z.infer<typeof batchCreateResponse>;

export const languageSchema = z.object({
  id: z.string(),
  name: z.string(),
  aliases: z.array(z.string()),
  extensions: z.array(z.string()),
  compiled: z.boolean(),
  version: z.string().nullable().describe('Toolchain version detected on this host (in a sandbox); null when not installed.'),
});

export const languagesResponse = z.object({ languages: z.array(languageSchema) });

/** One language as `/v1/languages` describes it. */
export type LanguageInfo = z.infer<typeof languageSchema>;
