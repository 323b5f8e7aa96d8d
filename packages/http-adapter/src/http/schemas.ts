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
 * The error answers a route gives of its own, for its `response` schema. The OpenAPI document adds
 * those that come with the route's shape and the server's options (400 for input, 413/415 for a
 * body, 401/403 with keys, 429 with rate limits, 500 everywhere): see `src/openapi/document.ts`.
 *
 * @example errorResponses(404, 414)
 */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof errorSchema> {
  const out: Record<number, typeof errorSchema> = {};
  for (const status of statuses) out[status] = errorSchema;
  return out as Record<S, typeof errorSchema>;
}

/** A submission id in a path. At most 128 characters; the router reads at most 256 (beyond: 414). */
export const submissionId = z.string().min(1).max(128).describe('Submission id.');
