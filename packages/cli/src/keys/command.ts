import { limitsSchema } from '@judgekit/core';
import { hashApiKey } from '@judgekit/http-adapter';
import { checkTenantId, createPool, newApiKey, TenantKeys, type TenantQuotas } from '@judgekit/postgres';
import { type Command, InvalidArgumentError } from 'commander';
import { databaseUrlOption, requireDatabaseUrl } from '../migrate/command.js';
import { databaseUrlEnv } from '../migrate/history.js';
import { ConfigError } from '../serve/config.js';
import { table } from '../table.js';

type Out = NodeJS.WritableStream;

/** A quota value: a whole number, or `default` (the server's; commander cannot carry a null, so the word is kept). */
const quotaValue = (name: string, min: number) => (value: string) => {
  if (value === 'default') return 'default' as const;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}, or "default".`);
  return n;
};

const maxLimitsValue = (value: string) => {
  if (value === 'default') return 'default' as const;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('--max-limits must be JSON, e.g. {"wallTimeMs":5000,"memoryBytes":268435456}, or "default".');
  }
  const result = limitsSchema.safeParse(parsed);
  if (!result.success)
    throw new InvalidArgumentError(`--max-limits: ${result.error.issues[0]?.path.join('.')}: ${result.error.issues[0]?.message}`);
  return result.data;
};

async function withKeys<T>(databaseUrl: string | undefined, what: string, fn: (keys: TenantKeys) => Promise<T>): Promise<T> {
  const url = requireDatabaseUrl(databaseUrl, process.env, what);
  const pool = createPool({ connectionString: url });
  try {
    return await fn(new TenantKeys({ pool }));
  } finally {
    await pool.end();
  }
}

/**
 * `judgekit keys`: tenants' API keys. With a database (`--database-url` or
 * `JUDGEKIT_DATABASE_URL`), keys are stored hashed in PostgreSQL; without one, `create` prints
 * the entry to add to the config file's `keys` list. A new key is printed once, as the last word.
 */
export function registerKeysCommand(program: Command, out: Out = process.stdout): void {
  const keys = program.command('keys').description('API keys of tenants: create, list, revoke; tenants’ quotas and webhook secrets');

  keys
    .command('create')
    .description('create an API key for a tenant (the tenant too, when new); prints the key once, as the last word')
    .requiredOption('--tenant <name>', 'the tenant the key belongs to')
    .option('--admin', 'an admin key: reads /metrics, /v1/workers and any tenant’s listing')
    .option('--label <text>', 'a note shown by keys list')
    .addOption(databaseUrlOption())
    .action(async (opts: { tenant: string; admin?: boolean; label?: string; databaseUrl?: string }) => {
      try {
        checkTenantId(opts.tenant);
      } catch (error) {
        throw new ConfigError(`--tenant: ${(error as Error).message.replace(/^tenant: /, '')}`);
      }
      if (!opts.databaseUrl && !process.env[databaseUrlEnv]) {
        const { key } = newApiKey();
        const entry = { sha256: hashApiKey(key), tenant: opts.tenant, ...(opts.admin ? { admin: true } : {}) };
        out.write(
          `No database (--database-url): add this entry to the "keys" list of the config file (judgekit serve --config FILE):\n` +
            `  ${JSON.stringify(entry)}\n` +
            `Only its SHA-256 goes in the file. Store the key now; it is shown only once:\n${key}\n`,
        );
        return;
      }
      await withKeys(opts.databaseUrl, 'judgekit keys create', async (store) => {
        const { key, record, tenant, tenantCreated } = await store.createKey({
          tenant: opts.tenant,
          admin: opts.admin ?? false,
          label: opts.label ?? null,
        });
        out.write(`tenant:  ${tenant.id}${tenantCreated ? ' (new)' : ''}\n`);
        if (tenantCreated)
          out.write(
            `webhook secret: ${tenant.webhookSecret} (signs its webhooks; judgekit keys secret --tenant ${tenant.id} shows it again)\n`,
          );
        out.write(`key id:  ${record.id}\nadmin:   ${record.admin ? 'yes' : 'no'}\n`);
        out.write(`Only a hash of the key is stored. Store it now; it is shown only once:\n${key}\n`);
      });
    });

  keys
    .command('list')
    .description('list API keys (never the keys themselves)')
    .option('--tenant <name>', 'only this tenant’s')
    .option('--json', 'print JSON')
    .addOption(databaseUrlOption())
    .action(async (opts: { tenant?: string; json?: boolean; databaseUrl?: string }) => {
      await withKeys(opts.databaseUrl, 'judgekit keys list', async (store) => {
        const list = await store.listKeys(opts.tenant ? { tenant: opts.tenant } : {});
        if (opts.json) return void out.write(`${JSON.stringify(list, null, 2)}\n`);
        if (list.length === 0) return void out.write('no keys\n');
        out.write(
          table(
            ['id', 'tenant', 'admin', 'label', 'created', 'last used', 'revoked'],
            list.map((k) => [k.id, k.tenant, k.admin ? 'yes' : 'no', k.label ?? '', k.createdAt, k.lastUsedAt ?? '', k.revokedAt ?? '']),
          ),
        );
      });
    });

  keys
    .command('revoke')
    .description('revoke an API key by its id (as keys list shows it); it stops working within 5 s on every server')
    .argument('<id>', 'key id')
    .addOption(databaseUrlOption())
    .action(async (id: string, opts: { databaseUrl?: string }) => {
      await withKeys(opts.databaseUrl, 'judgekit keys revoke', async (store) => {
        const k = await store.revokeKey(id);
        out.write(`revoked ${k.id} (tenant ${k.tenant}) at ${k.revokedAt}\n`);
      });
    });

  keys
    .command('tenants')
    .description('list tenants and their quotas')
    .option('--json', 'print JSON (without webhook secrets)')
    .addOption(databaseUrlOption())
    .action(async (opts: { json?: boolean; databaseUrl?: string }) => {
      await withKeys(opts.databaseUrl, 'judgekit keys tenants', async (store) => {
        const list = (await store.listTenants()).map(({ webhookSecret: _s, ...t }) => t);
        if (opts.json) return void out.write(`${JSON.stringify(list, null, 2)}\n`);
        const show = (v: unknown) => (v === null || v === undefined ? 'default' : typeof v === 'object' ? JSON.stringify(v) : String(v));
        out.write(
          table(
            ['tenant', 'rate limit', 'max queued', 'max running', 'max limits', 'created'],
            list.map((t) => [
              t.id,
              show(t.quotas.rateLimit),
              show(t.quotas.maxQueued),
              show(t.quotas.maxRunning),
              show(t.quotas.maxLimits),
              t.createdAt,
            ]),
          ),
        );
      });
    });

  keys
    .command('quota')
    .description('set a tenant’s quotas ("default" puts one back to the server’s)')
    .requiredOption('--tenant <name>', 'the tenant')
    .option('--rate-limit <n>', 'requests per rate-limit window, all its keys together', quotaValue('--rate-limit', 0))
    .option('--max-queued <n>', 'most submissions waiting; beyond it 429', quotaValue('--max-queued', 0))
    .option(
      '--max-running <n>',
      'most submissions queued for a worker or running; the rest are held back in order',
      quotaValue('--max-running', 1),
    )
    .option('--max-limits <json>', 'highest limits its submissions may ask for, e.g. {"wallTimeMs":5000}', maxLimitsValue)
    .addOption(databaseUrlOption())
    .action(async (opts: Record<keyof TenantQuotas, unknown> & { tenant: string; databaseUrl?: string }) => {
      await withKeys(opts.databaseUrl, 'judgekit keys quota', async (store) => {
        const { tenant, databaseUrl: _d, ...given } = opts;
        const quotas = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, v === 'default' ? null : v])) as TenantQuotas;
        const t = await store.setQuotas(tenant, quotas);
        out.write(`${t.id}: ${JSON.stringify(t.quotas)}\n`);
      });
    });

  keys
    .command('secret')
    .description('print a tenant’s webhook signing secret (HMAC-SHA256), or replace it with --rotate')
    .requiredOption('--tenant <name>', 'the tenant')
    .option('--rotate', 'replace it with a new one (receivers must accept the new one)')
    .addOption(databaseUrlOption())
    .action(async (opts: { tenant: string; rotate?: boolean; databaseUrl?: string }) => {
      await withKeys(opts.databaseUrl, 'judgekit keys secret', async (store) => {
        if (opts.rotate) return void out.write(`${await store.rotateWebhookSecret(opts.tenant)}\n`);
        const t = await store.getTenant(opts.tenant);
        if (!t) throw new ConfigError(`no tenant ${JSON.stringify(opts.tenant)}`);
        out.write(`${t.webhookSecret}\n`);
      });
    });
}
