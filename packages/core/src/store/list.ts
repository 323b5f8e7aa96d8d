import { z } from 'zod';
import { JudgeError } from '../errors/judge-error.js';
import { verdicts } from '../submission/result.js';
import { toIssues } from '../submission/validate.js';
import type { ListPage, ListQuery, ResultStore, StoredSubmission } from './contract.js';

/** Items on a listing page when the query sets no `limit`. */
export const defaultListLimit = 20;
/** Most items on one listing page. */
export const maxListLimit = 100;

const instant = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time, e.g. 2025-01-31T12:00:00Z' });

/**
 * The query of `judge.list()` (and of `ResultStore.list`), validated: unknown keys are refused,
 * `limit` is 1–100. HTTP adapters map their query strings onto it.
 */
export const listQuerySchema = z.strictObject({
  status: z.enum(['queued', 'running', 'done', 'cancelled']).optional(),
  verdict: z.enum(verdicts).optional(),
  language: z.string().min(1).max(64).optional(),
  metadata: z
    .record(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'metadata keys are 1-64 letters, digits, _ . : -'), z.string().max(1024))
    .optional(),
  createdAfter: instant.optional(),
  createdBefore: instant.optional(),
  cursor: z.string().min(1).max(1024).optional(),
  limit: z.number().int().min(1).max(maxListLimit).optional(),
});

/** @internal Validates a listing query; throws `JDG_ERR_INPUT_INVALID` naming the field. */
export function parseListQuery(query: unknown): Omit<ListQuery, 'tenant'> & { limit: number } {
  const parsed = listQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    const issues = toIssues(parsed.error);
    throw new JudgeError('JDG_ERR_INPUT_INVALID', `Invalid listing query: ${issues[0]!.path || '(root)'}: ${issues[0]!.message}`, {
      details: { issues },
    });
  }
  return { ...parsed.data, limit: parsed.data.limit ?? defaultListLimit };
}

/**
 * True when a stored submission matches every field of a query (the cursor aside). For stores
 * that filter in memory; a database store filters in its query instead.
 */
export function matchesListQuery(stored: StoredSubmission, query: ListQuery): boolean {
  const r = stored.result;
  if (query.tenant !== undefined && (stored.tenant ?? null) !== query.tenant) return false;
  if (query.status !== undefined && r.status !== query.status) return false;
  if (query.verdict !== undefined && r.verdict !== query.verdict) return false;
  if (query.language !== undefined && r.language.id !== query.language) return false;
  if (query.createdAfter !== undefined && Date.parse(r.createdAt) < Date.parse(query.createdAfter)) return false;
  if (query.createdBefore !== undefined && Date.parse(r.createdAt) >= Date.parse(query.createdBefore)) return false;
  if (query.metadata) {
    for (const [key, value] of Object.entries(query.metadata)) if (r.metadata?.[key] !== value) return false;
  }
  return true;
}

/** @internal Newest first: `createdAt` descending, then `id` descending. Negative when `a` comes first. */
export function compareNewestFirst(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

/** @internal An opaque cursor naming the last item of a page. */
export function encodeListCursor(last: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url');
}

/** @internal The position a cursor names; throws `JDG_ERR_INPUT_INVALID` for one this store did not make. */
export function decodeListCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {}
  throw new JudgeError('JDG_ERR_INPUT_INVALID', 'Invalid listing query: cursor: not a cursor this judge made', {
    details: { issues: [{ path: 'cursor', message: 'not a cursor this judge made' }] },
  });
}

/** @internal {@link Judge.list}: the query checked, the tenant applied, a store's failure coded. */
export async function listSubmissions(
  store: ResultStore,
  query: Omit<ListQuery, 'tenant'>,
  tenant: string | null | undefined,
): Promise<ListPage> {
  if (!store.list) {
    throw new JudgeError('JDG_ERR_LISTING_UNAVAILABLE', 'This judge’s result store cannot list submissions; use one with list().');
  }
  const parsed = parseListQuery(query);
  try {
    return await store.list(tenant === undefined ? parsed : { ...parsed, tenant });
  } catch (cause) {
    if (cause instanceof JudgeError) throw cause;
    throw new JudgeError('JDG_ERR_STORE_FAILED', 'The store failed to list submissions.', { cause });
  }
}
