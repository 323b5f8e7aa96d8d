import { JudgeError, type ListQuery, maxListLimit, submissionResultSchema, verdicts } from '@judgekit/core';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdapterContext } from '../context.js';
import { HttpError } from '../errors/http-errors.js';
import { maxBatch } from './schemas.js';

/**
 * `GET /v1/submissions`: with `ids`, those submissions (batch get); without, the caller's
 * tenant's submissions, newest first, filtered and cursor-paginated. Filters on metadata are
 * `metadata.KEY=VALUE` (repeatable for several keys).
 */
export const listOrGetQuery = z
  .object({
    ids: z
      .string()
      .min(1)
      .max(maxBatch * 130)
      .optional()
      .describe(`Comma-separated submission ids (at most ${maxBatch}): returns those instead of a listing.`),
    status: z.enum(['queued', 'running', 'done', 'cancelled']).optional().describe('Only submissions in this state.'),
    verdict: z.enum(verdicts).optional().describe('Only finished submissions with this verdict.'),
    language: z.string().min(1).max(64).optional().describe('Only this language id, e.g. `python3`.'),
    createdAfter: z.string().optional().describe('Only submissions created at or after this ISO 8601 instant.'),
    createdBefore: z.string().optional().describe('Only submissions created before this ISO 8601 instant.'),
    cursor: z.string().min(1).max(1024).optional().describe('`nextCursor` of the previous page.'),
    limit: z.coerce.number().int().min(1).max(maxListLimit).optional().describe(`Submissions per page, 1 to ${maxListLimit} (default 20).`),
    tenant: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('Admin keys only: list this tenant’s submissions, or `*` for every tenant’s. Other keys list their own tenant’s.'),
  })
  .catchall(z.union([z.string(), z.array(z.string())]))
  .describe('Listing filters; also `metadata.KEY=VALUE` for each metadata pair that must match.');

const itemError = z.object({
  id: z.string(),
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
});

export const listOrGetResponse = z.object({
  submissions: z.array(z.union([submissionResultSchema, itemError])),
  nextCursor: z.string().nullable().optional().describe('Listing only: pass as `cursor` for the next page; null on the last page.'),
});

/** The answer of `GET /v1/submissions` (a listing page, or the submissions of `ids`). */
export type ListOrGetResponse = z.infer<typeof listOrGetResponse>;

type ListRequest = Pick<FastifyRequest, 'principal'> & { query: z.infer<typeof listOrGetQuery> };

const fixed = new Set(['ids', 'status', 'verdict', 'language', 'createdAfter', 'createdBefore', 'cursor', 'limit', 'tenant']);

/** The judge's listing query and tenant scope of a request; bad parameters throw a coded 400, another tenant's listing without an admin key 403. */
export function listingOf(request: ListRequest): { query: Omit<ListQuery, 'tenant'>; scope: { tenant?: string | null } } {
  const q = request.query;
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(q)) {
    if (fixed.has(key)) continue;
    const match = /^metadata\.(.+)$/.exec(key);
    if (!match) throw invalid(key, `unknown parameter (filters: ${[...fixed].filter((k) => k !== 'ids').join(', ')}, metadata.KEY)`);
    if (Array.isArray(value)) throw invalid(key, 'give each metadata key once');
    metadata[match[1]!] = String(value);
  }
  const query: Omit<ListQuery, 'tenant'> = {
    ...(q.status ? { status: q.status } : {}),
    ...(q.verdict ? { verdict: q.verdict } : {}),
    ...(q.language ? { language: q.language } : {}),
    ...(q.createdAfter ? { createdAfter: q.createdAfter } : {}),
    ...(q.createdBefore ? { createdBefore: q.createdBefore } : {}),
    ...(q.cursor ? { cursor: q.cursor } : {}),
    ...(q.limit ? { limit: q.limit } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
  const principal = request.principal;
  const own = principal?.tenant ?? null;
  if (q.tenant === undefined || q.tenant === own) return { query, scope: { tenant: own } };
  if (!principal?.admin) throw new HttpError('JDG_ERR_HTTP_FORBIDDEN', 'Listing another tenant’s submissions needs an admin key.');
  return { query, scope: q.tenant === '*' ? {} : { tenant: q.tenant } };
}

/** Serves a listing page in the shape of the batch get: `{ submissions, nextCursor }`. */
export async function listSubmissions(ctx: AdapterContext, request: ListRequest): Promise<z.infer<typeof listOrGetResponse>> {
  const { query, scope } = listingOf(request);
  const page = await ctx.judge.list(query, scope);
  return { submissions: page.items, nextCursor: page.nextCursor };
}

function invalid(path: string, message: string): JudgeError {
  return new JudgeError('JDG_ERR_INPUT_INVALID', `Invalid querystring: ${path}: ${message}.`, { details: { issues: [{ path, message }] } });
}
