import { z } from 'zod';

/** The error shape of every judgekit route, in the OpenAPI document. */
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

/**
 * The error answers of a route, for its `response` schema: the ones every route can give (400,
 * 401, 429, 503) and the ones named.
 *
 * @example errorResponses(404, 413)
 */
export function errorResponses<S extends number>(...statuses: S[]): Record<400 | 401 | 429 | 503 | S, typeof errorSchema> {
  const out: Record<number, typeof errorSchema> = { 400: errorSchema, 401: errorSchema, 429: errorSchema, 503: errorSchema };
  for (const status of statuses) out[status] = errorSchema;
  return out as Record<400 | 401 | 429 | 503 | S, typeof errorSchema>;
}

/** A submission id in a path. At most 128 characters; the router reads at most 256 (beyond: 414). */
export const submissionId = z.string().min(1).max(128).describe('Submission id.');
