import { availableParallelism } from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { redisUrlEnv } from '../cluster/redis.js';
import { databaseUrlEnv } from '../migrate/history.js';
import { ConfigError } from '../serve/config.js';
import { worker } from './worker.js';

const wholeNumber = (name: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}.`);
  return n;
};

/** `judgekit worker`: judges from the shared queue of a Redis cluster. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('judge submissions from the shared Redis queue of a cluster (API nodes: judgekit serve --redis-url)')
    .option('--redis-url <url>', `the cluster's Redis, redis://[USER:PASSWORD@]HOST[:PORT][/DB] or rediss:// (${redisUrlEnv})`)
    .option('--redis-prefix <prefix>', 'prefix of every Redis key (default judgekit; JUDGEKIT_REDIS_PREFIX)')
    .addOption(
      new Option('--runner <runner>', 'sandbox: auto picks nsjail, then Docker (gVisor)')
        .choices(['auto', 'nsjail', 'docker'])
        .default('auto'),
    )
    .option(
      '-c, --concurrency <n>',
      'submissions judged at once (default: CPU count; JUDGEKIT_CONCURRENCY)',
      wholeNumber('--concurrency', 1),
    )
    .option('--database-url <url>', `PostgreSQL for durable history: results are written there first (${databaseUrlEnv})`)
    .option('--no-migrate', 'do not apply database migrations at start')
    .option(
      '--webhook-allow <address|cidr|host>',
      'allow callbacks to this non-public destination; repeat for several (JUDGEKIT_WEBHOOK_ALLOW, comma-separated)',
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option(
      '--shutdown-timeout-ms <ms>',
      'on SIGTERM, time for running submissions to finish (default 30000)',
      wholeNumber('--shutdown-timeout-ms', 0),
    )
    .option(
      '--stall-timeout-ms <ms>',
      'a submission whose worker died is run again this long after its last sign of life (default 15000)',
      wholeNumber('--stall-timeout-ms', 1000),
    )
    .option('--log-level <level>', 'pino level (default info; JUDGEKIT_LOG_LEVEL)')
    .action(async (opts: Record<string, unknown>) => {
      const env = process.env;
      const redisUrl = (opts.redisUrl as string | undefined) ?? env[redisUrlEnv];
      if (!redisUrl) throw new ConfigError(`judgekit worker needs the cluster's Redis: --redis-url redis://HOST:PORT (or ${redisUrlEnv}).`);
      if (!/^rediss?:\/\/\S+$/.test(redisUrl)) throw new ConfigError('--redis-url must be a redis:// or rediss:// URL.');
      const databaseUrl = (opts.databaseUrl as string | undefined) ?? env[databaseUrlEnv];
      if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('--database-url must be a postgres:// URL.');
      const fromEnvInt = (name: string) => (env[name] ? wholeNumber(name, 1)(env[name]!) : undefined);
      const prefix = (opts.redisPrefix as string | undefined) ?? env.JUDGEKIT_REDIS_PREFIX ?? 'judgekit';
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) throw new ConfigError('--redis-prefix: 1-64 letters, digits, _ . -');
      await worker({
        redisUrl,
        redisPrefix: prefix,
        runner: opts.runner as 'auto' | 'nsjail' | 'docker',
        concurrency: (opts.concurrency as number | undefined) ?? fromEnvInt('JUDGEKIT_CONCURRENCY') ?? availableParallelism(),
        ...(databaseUrl ? { databaseUrl } : {}),
        migrate: opts.migrate !== false,
        webhookAllow:
          (opts.webhookAllow as string[] | undefined) ??
          (env.JUDGEKIT_WEBHOOK_ALLOW ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        shutdownTimeoutMs: (opts.shutdownTimeoutMs as number | undefined) ?? 30_000,
        stallTimeoutMs: (opts.stallTimeoutMs as number | undefined) ?? 15_000,
        logLevel: (opts.logLevel as string | undefined) ?? env.JUDGEKIT_LOG_LEVEL ?? 'info',
      });
    });
}
