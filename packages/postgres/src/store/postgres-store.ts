import { hostname } from 'node:os';
import {
  type ListPage,
  type ListQuery,
  type PreparedSubmission,
  processAlive,
  type ResultStore,
  type SubmissionResult,
} from '@judgekit/core';
import type pg from 'pg';
import { encodeCursor, listingSql } from './listing.js';
import { defaultMaxStoredOutputBytes, type SubmissionRow, type TenantStoredSubmission, toRow } from './rows.js';

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** The pool to use (see `createPool`); the store never ends it. */
  pool: pg.Pool;
  /**
   * Largest stdout or stderr kept per step, in bytes; beyond it the stored copy is cut at a
   * character boundary and flagged truncated. 0 keeps everything. @defaultValue 1048576 (1 MiB)
   */
  maxStoredOutputBytes?: number;
  /** Told when a write added a webhook delivery to the outbox (so a local outbox can start at once). */
  onOutbox?: (count: number) => void;
  /** Who writes, recorded on each row: `host/pid/start`. @defaultValue this process ({@link processOwner}) */
  owner?: string;
}

const startToken = Date.now().toString(36);

/** This process as the owner of the rows it writes: `host/pid/start`. */
export function processOwner(): string {
  return `${hostname()}/${process.pid}/${startToken}`;
}

/**
 * True when a row's owner is a process of this host that is gone (or this pid, restarted): what
 * it left unfinished can be re-run. Owners on other hosts are never judged stale here.
 */
export function isStaleRowOwner(owner: string | null): boolean {
  const match = owner ? /^(.*)\/(\d+)\/([0-9a-z]+)$/.exec(owner) : null;
  if (!match) return false;
  const [, host, pid, token] = match;
  if (host !== hostname()) return false;
  if (Number(pid) === process.pid) return token !== startToken;
  return !processAlive(Number(pid));
}

/** Counts of a tenant's unfinished submissions. */
export interface UnfinishedCounts {
  queued: number;
  running: number;
}

const columns = [
  'id',
  'tenant',
  'status',
  'verdict',
  'language',
  'created_at',
  'finished_at',
  'metadata',
  'input',
  'result',
  'callback_url',
  'owner',
];
const types = ['text', 'text', 'text', 'text', 'text', 'timestamptz', 'timestamptz', 'jsonb', 'json', 'json', 'text', 'text'];

// One statement writes a batch of submissions by id and, for each that just finished with a
// callback, its webhook delivery: atomic without a transaction round trip. A finished row is
// never written again, so a re-run or a late progress write cannot change a result.
const upsertSql = `
WITH incoming AS (
  SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) AS i(${columns.join(', ')})
), up AS (
  INSERT INTO judgekit_submissions AS s (${columns.join(', ')})
  SELECT * FROM incoming
  ON CONFLICT (id) DO UPDATE SET
    status = EXCLUDED.status, verdict = EXCLUDED.verdict, finished_at = EXCLUDED.finished_at, metadata = EXCLUDED.metadata,
    input = COALESCE(EXCLUDED.input, s.input), result = EXCLUDED.result,
    callback_url = COALESCE(EXCLUDED.callback_url, s.callback_url), owner = EXCLUDED.owner, updated_at = now()
  WHERE s.status NOT IN ('done', 'cancelled')
  RETURNING s.id, s.tenant, s.status, s.callback_url, s.result, s.metadata, s.created_at, (s.xmax = 0) AS inserted
), labels AS (
  INSERT INTO judgekit_submission_labels (id, key, tenant, value, created_at)
  SELECT up.id, m.key, up.tenant, m.value, up.created_at FROM up, jsonb_each_text(up.metadata) m
  WHERE up.inserted AND up.metadata IS NOT NULL
  ON CONFLICT DO NOTHING
)
INSERT INTO judgekit_webhook_deliveries (id, submission_id, tenant, url, body)
SELECT gen_random_uuid()::text, up.id, up.tenant, up.callback_url,
       '{"type":"submission.' || up.status || '","submission":' || up.result::text || '}'
FROM up WHERE up.callback_url IS NOT NULL AND up.status IN ('done', 'cancelled')
ON CONFLICT (submission_id) DO NOTHING
RETURNING id`;

/**
 * The durable store: one row per submission in PostgreSQL (input, result and listing columns),
 * written by id with upserts, so writing the same state twice, or a re-run after a crash, never
 * makes a second row, and a finished result is never overwritten. Used behind a hot cache by
 * `DurableResultStore`; usable alone as a `ResultStore`.
 *
 * Reads of an unfinished submission return its input (a worker needs it); reads of a finished one
 * return `input: null`, as the in-memory store does, while the row keeps it ({@link getInput}).
 *
 * @example
 * ```ts
 * const pool = createPool({ connectionString: process.env.JUDGEKIT_DATABASE_URL! })
 * await migrate(pool, url)
 * const store = new PostgresStore({ pool })
 * ```
 */
export class PostgresStore implements ResultStore {
  readonly pool: pg.Pool;
  readonly #maxOutput: number;
  readonly #onOutbox: ((count: number) => void) | undefined;
  /** Recorded on every row this store writes. */
  readonly owner: string;

  constructor(options: PostgresStoreOptions) {
    this.pool = options.pool;
    this.owner = options.owner ?? processOwner();
    this.#maxOutput = options.maxStoredOutputBytes ?? defaultMaxStoredOutputBytes;
    this.#onOutbox = options.onOutbox;
  }

  async get(id: string): Promise<TenantStoredSubmission | undefined> {
    if (!storableId(id)) return undefined;
    const { rows } = await this.pool.query<{ tenant: string; input: PreparedSubmission | null; result: SubmissionResult }>({
      name: 'jk_get',
      text: `SELECT tenant, CASE WHEN status IN ('queued', 'running') THEN input END AS input, result FROM judgekit_submissions WHERE id = $1`,
      values: [id],
    });
    const row = rows[0];
    return row ? { input: row.input ?? null, result: row.result, tenant: row.tenant === '' ? null : row.tenant } : undefined;
  }

  async set(id: string, value: TenantStoredSubmission): Promise<void> {
    await this.setMany([[id, value]]);
  }

  /**
   * Writes several submissions in one statement (the latest value of an id wins). Finished
   * submissions with a callback get their webhook delivery in the same statement.
   */
  async setMany(entries: Iterable<readonly [string, TenantStoredSubmission]>): Promise<void> {
    const latest = new Map<string, SubmissionRow>();
    for (const [id, value] of entries) latest.set(id, toRow(id, value, this.#maxOutput));
    if (latest.size === 0) return;
    const rows = [...latest.values()];
    const values = [
      rows.map((r) => r.id),
      rows.map((r) => r.tenant),
      rows.map((r) => r.status),
      rows.map((r) => r.verdict),
      rows.map((r) => r.language),
      rows.map((r) => r.createdAt),
      rows.map((r) => r.finishedAt),
      rows.map((r) => r.metadata),
      rows.map((r) => r.input),
      rows.map((r) => r.result),
      rows.map((r) => r.callbackUrl),
      rows.map(() => this.owner),
    ];
    const { rowCount } = await this.pool.query({ name: 'jk_upsert', text: upsertSql, values });
    if (rowCount) this.#onOutbox?.(rowCount);
  }

  async delete(id: string): Promise<boolean> {
    if (!storableId(id)) return false;
    const { rowCount } = await this.pool.query({
      name: 'jk_delete',
      text: `WITH gone AS (DELETE FROM judgekit_submissions WHERE id = $1 RETURNING id)
             , undelivered AS (DELETE FROM judgekit_webhook_deliveries WHERE submission_id = $1 AND state = 'pending' AND EXISTS (SELECT 1 FROM gone))
             SELECT id FROM gone`,
      values: [id],
    });
    return (rowCount ?? 0) > 0;
  }

  /** A page of submissions, newest first; see {@link ListQuery}. Bad parameters throw `JDG_ERR_INPUT_INVALID`. */
  async list(query: ListQuery): Promise<ListPage> {
    const { text, values, limit } = listingSql(query);
    const { rows } = await this.pool.query<{ result: SubmissionResult; created_at: Date; id: string }>(text, values);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map((r) => r.result), nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
  }

  /** The stored input of a submission, kept after it finished (`undefined` when unknown). */
  async getInput(id: string): Promise<PreparedSubmission | null | undefined> {
    if (!storableId(id)) return undefined;
    const { rows } = await this.pool.query<{ input: PreparedSubmission | null }>('SELECT input FROM judgekit_submissions WHERE id = $1', [
      id,
    ]);
    return rows[0] ? rows[0].input : undefined;
  }

  /** How many submissions of a tenant (`null`: without one) are queued and running: the quotas' view, shared by every node. */
  async unfinishedCounts(tenant: string | null): Promise<UnfinishedCounts> {
    const { rows } = await this.pool.query<{ queued: string; running: string }>({
      name: 'jk_unfinished_counts',
      text: `SELECT count(*) FILTER (WHERE status = 'queued') AS queued, count(*) FILTER (WHERE status = 'running') AS running
             FROM judgekit_submissions WHERE tenant = $1 AND status IN ('queued', 'running')`,
      values: [tenant ?? ''],
    });
    return { queued: Number(rows[0]?.queued ?? 0), running: Number(rows[0]?.running ?? 0) };
  }

  /**
   * Unfinished submissions, oldest first, with their input and owner: for a restarted server to
   * re-run what a crashed one left (see {@link isStaleRowOwner}).
   */
  async unfinished(options: { limit?: number } = {}): Promise<(TenantStoredSubmission & { id: string; owner: string | null })[]> {
    const { rows } = await this.pool.query<{
      id: string;
      tenant: string;
      input: PreparedSubmission | null;
      result: SubmissionResult;
      owner: string | null;
    }>(
      `SELECT id, tenant, input, result, owner FROM judgekit_submissions
       WHERE status IN ('queued', 'running') ORDER BY created_at LIMIT $1`,
      [options.limit ?? 10_000],
    );
    return rows.map((r) => ({ id: r.id, input: r.input, result: r.result, tenant: r.tenant === '' ? null : r.tenant, owner: r.owner }));
  }

  /** Round trip to the server; throws when it cannot be reached. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}

/** Ids PostgreSQL can hold as text (no NUL) and that the judge could have made. */
function storableId(id: string): boolean {
  return typeof id === 'string' && id.length > 0 && id.length <= 128 && !id.includes('\0');
}
