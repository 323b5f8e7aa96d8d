import { JudgeError } from '@judgekit/core';
import pg from 'pg';

/** Options of {@link createPool}. */
export interface PoolOptions {
  /** `postgres://user:password@host:port/database`; also `?sslmode=require` and the other libpq parameters pg knows. */
  connectionString: string;
  /** Connections at most. @defaultValue 10 */
  max?: number;
  /** Longest wait for a new connection, in milliseconds. @defaultValue 5000 */
  connectTimeoutMs?: number;
  /** Server-side bound on any one statement, in milliseconds; 0 for none. @defaultValue 30000 */
  statementTimeoutMs?: number;
  /** Close connections idle for this long, in milliseconds. @defaultValue 30000 */
  idleTimeoutMs?: number;
  /** Told about errors of idle connections (a restarted server), which would otherwise crash the process. */
  onError?: (error: Error) => void;
}

/**
 * A `pg` pool for judgekit: bounded, with connection and statement timeouts, named
 * `judgekit` in `pg_stat_activity`, and an error listener so that a server restart never
 * crashes the process through an idle connection.
 */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    application_name: 'judgekit',
  });
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/**
 * True when an error means the database cannot be reached right now (a later attempt may work),
 * rather than that the statement itself is wrong.
 */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof JudgeError) return error.code === 'JDG_ERR_DATABASE_UNAVAILABLE';
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (typeof e.code === 'string' && (connectionCodes.has(e.code) || e.code.startsWith('08'))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|Connection ended/i.test(
    e.message ?? '',
  );
}

/** The URL with its password replaced, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

/** Wraps a failure to reach the database in `JDG_ERR_DATABASE_UNAVAILABLE`, naming the URL (redacted). */
export function unavailable(url: string, cause: unknown): JudgeError {
  const message = (cause as Error | undefined)?.message ?? String(cause);
  return new JudgeError('JDG_ERR_DATABASE_UNAVAILABLE', `PostgreSQL at ${redactUrl(url)} cannot be reached: ${message}`, { cause });
}
