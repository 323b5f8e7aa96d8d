import { JudgeError, type ListQuery } from '@judgekit/core';

/** Most submissions on one page. */
export const maxPageSize = 100;

/** @internal The cursor of a row: where the next page starts. */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`v1|${createdAt.toISOString()}|${id}`).toString('base64url');
}

/** @internal Decodes a cursor; throws `JDG_ERR_INPUT_INVALID` naming `cursor` when it is not one of ours. */
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString() : '';
  const match = /^v1\|([^|]+)\|(.+)$/s.exec(text);
  const createdAt = match ? new Date(match[1]!) : null;
  if (!match || !createdAt || Number.isNaN(createdAt.getTime())) {
    throw invalid('cursor', 'not a cursor this server gave out (pass nextCursor unchanged)');
  }
  return { createdAt, id: match[2]! };
}

/** @internal The SQL and parameters of a listing page (one more row than the page, to tell whether another follows). */
export function listingSql(query: ListQuery): { text: string; values: unknown[]; limit: number } {
  const limit = query.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
    throw invalid('limit', `must be a whole number from 1 to ${maxPageSize}, received ${String(limit)}`);
  }
  const where: string[] = [];
  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  // A metadata filter within a tenant reads its page in order from the labels index (first pair);
  // the other filters are checked on the submission. Across tenants (admins) metadata uses GIN.
  const pairs = Object.entries(query.metadata ?? {});
  const byLabel = query.tenant !== undefined && pairs.length > 0;
  const order = byLabel ? 'l' : 's';
  if (byLabel) {
    const [key, value] = pairs.shift()!;
    where.push(`l.tenant = ${param(query.tenant ?? '')}`, `l.key = ${param(key)}`, `l.value = ${param(value.replaceAll('\0', '\ufffd'))}`);
  } else if (query.tenant !== undefined) where.push(`s.tenant = ${param(query.tenant ?? '')}`);
  if (query.status !== undefined) where.push(`s.status = ${param(query.status)}`);
  if (query.verdict !== undefined) where.push(`s.verdict = ${param(query.verdict)}`);
  if (query.language !== undefined) where.push(`s.language = ${param(query.language)}`);
  if (pairs.length > 0) {
    where.push(`s.metadata @> ${param(JSON.stringify(Object.fromEntries(pairs)).replaceAll('\\u0000', '\\ufffd'))}::jsonb`);
  }
  if (query.createdAfter !== undefined) where.push(`${order}.created_at >= ${param(instant('createdAfter', query.createdAfter))}`);
  if (query.createdBefore !== undefined) where.push(`${order}.created_at < ${param(instant('createdBefore', query.createdBefore))}`);
  if (query.cursor !== undefined) {
    const c = decodeCursor(query.cursor);
    where.push(`(${order}.created_at, ${order}.id) < (${param(c.createdAt)}, ${param(c.id)})`);
  }
  const from = byLabel ? 'judgekit_submission_labels l JOIN judgekit_submissions s ON s.id = l.id' : 'judgekit_submissions s';
  const text =
    `SELECT s.result, s.created_at, s.id FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}` +
    ` ORDER BY ${order}.created_at DESC, ${order}.id DESC LIMIT ${limit + 1}`;
  return { text, values, limit };
}

function instant(name: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid(name, `must be an ISO 8601 date-time, received ${JSON.stringify(String(value))}`);
  return date;
}

function invalid(path: string, message: string): JudgeError {
  return new JudgeError('JDG_ERR_INPUT_INVALID', `Invalid listing query: ${path}: ${message}.`, {
    details: { issues: [{ path, message }] },
  });
}
