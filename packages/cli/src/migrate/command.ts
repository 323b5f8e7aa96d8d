import { createPool, migrate, redactUrl, schemaStatus } from '@judgekit/postgres';
import { type Command, Option } from 'commander';
import { ConfigError } from '../serve/config.js';
import { databaseUrlEnv } from './history.js';

/** The database URL from `--database-url`, else `JUDGEKIT_DATABASE_URL`; a usage error without either. */
export function requireDatabaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, what = 'this command'): string {
  const url = flag ?? env[databaseUrlEnv];
  if (!url) throw new ConfigError(`${what} needs a database: --database-url postgres://USER@HOST:PORT/DB (or ${databaseUrlEnv}).`);
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new ConfigError(`--database-url must be a postgres:// URL, received ${JSON.stringify(redactUrl(url))}.`);
  return url;
}

/** `--database-url URL`, shared by serve, worker, migrate and keys. */
export function databaseUrlOption(): Option {
  return new Option('--database-url <url>', `PostgreSQL for durable history, tenants and keys (${databaseUrlEnv})`);
}

/**
 * `judgekit migrate`: applies the schema migrations (node-pg-migrate, one transaction, an
 * advisory lock so concurrent runs wait), `--status` lists them, `--down` reverts the last one.
 */
export function registerMigrateCommand(program: Command, out: NodeJS.WritableStream = process.stdout): void {
  program
    .command('migrate')
    .description('apply the PostgreSQL schema migrations (serve also applies them at start unless --no-migrate)')
    .addOption(databaseUrlOption())
    .option('--status', 'list applied and pending migrations, change nothing')
    .option('--down', 'revert the most recent migration')
    .action(async (opts: { databaseUrl?: string; status?: boolean; down?: boolean }) => {
      const url = requireDatabaseUrl(opts.databaseUrl, process.env, 'judgekit migrate');
      const pool = createPool({ connectionString: url });
      try {
        if (opts.status) {
          const status = await schemaStatus(pool, url);
          for (const m of status.applied) out.write(`applied  ${m}\n`);
          for (const m of status.pending) out.write(`pending  ${m}\n`);
          process.exitCode = status.pending.length > 0 ? 1 : 0;
          return;
        }
        const ran = await migrate(pool, url, { direction: opts.down ? 'down' : 'up' });
        for (const m of ran) out.write(`${opts.down ? 'reverted' : 'applied'}  ${m}\n`);
        out.write(
          ran.length === 0
            ? `${redactUrl(url)}: schema up to date\n`
            : `${redactUrl(url)}: ${ran.length} migration(s) ${opts.down ? 'reverted' : 'applied'}\n`,
        );
      } finally {
        await pool.end();
      }
    });
}
