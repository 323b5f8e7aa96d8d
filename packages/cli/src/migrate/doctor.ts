import { createPool, redactUrl, schemaStatus } from '@judgekit/postgres';
import { postgresBinDir } from '@judgekit/postgres/testing';

/** What `judgekit doctor` says about PostgreSQL. */
export interface DatabaseReport {
  /** `null` when no database URL is set (the durable mode is off). */
  url: string | null;
  ready: boolean;
  details: Record<string, string>;
  problems: { message: string; fix?: string }[];
}

/**
 * Checks the durable mode: with a URL, that PostgreSQL answers, its version, and that the schema
 * is migrated; without one, whether the server binaries are installed for `--postgres`.
 */
export async function checkDatabase(url: string | undefined): Promise<DatabaseReport> {
  const bin = postgresBinDir();
  const details: Record<string, string> = { 'server binaries': bin ?? 'not installed' };
  if (!url) {
    return {
      url: null,
      ready: false,
      details: { ...details, mode: 'off (no --database-url / JUDGEKIT_DATABASE_URL): results live in memory for an hour' },
      problems: [],
    };
  }
  const pool = createPool({ connectionString: url, connectTimeoutMs: 3000, max: 1 });
  try {
    const { rows } = await pool.query<{ server_version: string }>('SHOW server_version');
    details.server = `PostgreSQL ${rows[0]?.server_version ?? '?'} at ${redactUrl(url)}`;
    const status = await schemaStatus(pool, url);
    details.schema =
      status.pending.length === 0 ? `up to date (${status.applied.length} migration(s))` : `${status.pending.length} migration(s) pending`;
    const problems = status.pending.length
      ? [
          {
            message: `the schema lacks ${status.pending.join(', ')}`,
            fix: 'judgekit migrate --database-url URL (serve applies them at start unless --no-migrate)',
          },
        ]
      : [];
    return { url: redactUrl(url), ready: problems.length === 0, details, problems };
  } catch (error) {
    return {
      url: redactUrl(url),
      ready: false,
      details,
      problems: [
        {
          message: `PostgreSQL does not answer: ${(error as Error).message}`,
          fix: bin
            ? 'start it (scripts/setup/postgres.sh --start starts the project’s own on 127.0.0.1:5433) or correct the URL'
            : 'install it: scripts/setup/postgres.sh (Debian’s postgresql), then --start',
        },
      ],
    };
  } finally {
    await pool.end();
  }
}

/** The human lines of a {@link DatabaseReport}. */
export function formatDatabase(report: DatabaseReport): string {
  let out = `postgresql: ${report.url === null ? 'not configured' : report.ready ? 'ready' : 'NOT READY'}\n`;
  for (const [key, value] of Object.entries(report.details)) out += `  ${key}: ${value}\n`;
  for (const p of report.problems) out += `  problem: ${p.message}\n${p.fix ? `    fix: ${p.fix}\n` : ''}`;
  return out;
}
