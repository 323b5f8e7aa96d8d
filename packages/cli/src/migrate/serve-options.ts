import { type Command, Option } from 'commander';
import { serveEnv } from '../serve/config.js';

/** Adds the durable-mode flags to `judgekit serve`: database, migrations, retention, webhook allow-list. */
export function addHistoryOptions(command: Command): Command {
  return command
    .addOption(new Option('--database-url <url>', `PostgreSQL for durable history, tenants, keys and webhooks (${serveEnv.databaseUrl})`))
    .option(
      '--no-migrate',
      `do not apply database migrations at start; refuse to start when the schema is behind (${serveEnv.migrate}=false)`,
    )
    .option('--retention-days <days>', `delete finished submissions older than this (default: keep forever; ${serveEnv.retentionDays})`)
    .option(
      '--webhook-allow <address|cidr|host>',
      `allow callbacks to this non-public destination; repeat for several (${serveEnv.webhookAllow}, comma-separated)`,
      (v: string, acc: string[] = []) => [...acc, v],
    );
}

/** The durable-mode settings given on the command line, for `resolveServeConfig`. */
export function historyFlags(fromCli: (key: string) => unknown): Record<string, unknown> {
  return {
    databaseUrl: fromCli('databaseUrl'),
    migrate: fromCli('migrate'),
    retentionDays: fromCli('retentionDays'),
    webhookAllow: fromCli('webhookAllow'),
  };
}
