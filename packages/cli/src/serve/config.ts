import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type LanguageDefinition, limitsSchema } from '@judgekit/core';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { parseLanguages } from './languages.js';

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every setting of `judgekit serve`; each is a flag, an environment variable and a config file key. */
export const serveConfigSchema = z.strictObject({
  port: int(0, 65_535).describe('Port to listen on.'),
  host: z.string().min(1).describe('Address to listen on.'),
  runner: z.enum(['auto', 'nsjail', 'docker']).describe('Sandbox backend; auto picks nsjail, then Docker.'),
  concurrency: int(0, 1024).describe('Submissions judged at once; 0 makes an API-only node (needs redisUrl).'),
  maxQueued: int(0, 10_000_000).describe('Most submissions waiting; beyond it 503.'),
  apiKeys: z.array(z.string().min(1)).describe('API keys (Bearer); empty: no authentication.'),
  corsOrigins: z
    .array(z.string().regex(/^(\*|https?:\/\/[^\s/]+)$/, 'an origin like https://contest.example, or *'))
    .describe('Browser origins allowed to call the API (CORS); * for any; empty: off.'),
  rateLimit: int(0, 10_000_000).describe('Requests per window per key or address; 0 turns it off.'),
  rateLimitWindowMs: int(1, 86_400_000).describe('Rate limit window in milliseconds.'),
  bodyLimitBytes: int(1024, 1024 * 1024 * 1024).describe('Largest request body in bytes.'),
  maxWaitMs: int(0, 3_600_000).describe('Longest a ?wait=true request is held, in milliseconds.'),
  shutdownTimeoutMs: int(0, 3_600_000).describe('On SIGTERM, how long submissions may take to finish, in milliseconds.'),
  prefix: z.string().regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'a path like /judge, or empty'),
  docs: bool.describe('Serve Swagger UI at /docs.'),
  playground: bool.describe('Serve the browser playground at /.'),
  judge0: bool.describe('Serve the Judge0 CE 1.13.1-compatible API.'),
  judge0Prefix: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'a path like /judge0, or empty')
    .describe('Path prefix of the Judge0 routes.'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  logFormat: z.enum(['auto', 'json', 'pretty']).describe('auto: pretty on a terminal, JSON lines otherwise.'),
  trustProxy: bool.describe('Trust X-Forwarded-* (behind a proxy).'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .optional()
    .describe('PostgreSQL for durable history, tenants, keys and webhooks.'),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL')
    .optional()
    .describe('Redis for the cluster mode: the shared BullMQ queue, results and events of every API node and worker.'),
  redisPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 letters, digits, _ . -')
    .describe('Prefix of every Redis key and channel (clusters sharing one Redis use different prefixes).'),
  migrate: bool.describe('Apply the database migrations at start (else refuse to start when the schema is behind).'),
  retentionDays: int(1, 36_500).optional().describe('Delete finished submissions older than this many days; absent keeps them forever.'),
  webhookAllow: z
    .array(z.string().min(1))
    .describe('Callback destinations allowed although not public: addresses, CIDR ranges or host names.'),
  keys: z
    .array(z.strictObject({ sha256: z.string(), tenant: z.string(), admin: z.boolean().optional(), id: z.string().optional() }))
    .optional()
    .describe('Tenants’ API keys by SHA-256 (config file only; without a database).'),
  tenants: z
    .record(
      z.string(),
      z.strictObject({
        rateLimit: z.number().int().min(0).nullable().optional(),
        maxQueued: z.number().int().min(0).nullable().optional(),
        maxRunning: z.number().int().min(1).nullable().optional(),
        maxLimits: limitsSchema.nullable().optional(),
        webhookSecret: z.string().min(16).optional(),
      }),
    )
    .optional()
    .describe('Quotas and webhook secrets of the config file’s tenants (config file only).'),
  defaultLimits: limitsSchema.optional().describe('Limits when a submission sets none (config file only).'),
  maxLimits: limitsSchema.optional().describe('Highest limits a submission may ask for (config file only).'),
  languages: z
    .array(z.unknown())
    .optional()
    .describe('Languages to add (or replace), each with the fields of a LanguageDefinition (config file only).'),
});

/** The resolved settings of `judgekit serve`. */
export type ServeConfig = Omit<z.output<typeof serveConfigSchema>, 'languages'> & { languages?: LanguageDefinition[] };

/** Defaults of `judgekit serve`. */
export function serveDefaults(): ServeConfig {
  return {
    port: 8000,
    host: '127.0.0.1',
    runner: 'auto',
    concurrency: availableParallelism(),
    maxQueued: 1000,
    apiKeys: [],
    corsOrigins: [],
    rateLimit: 600,
    rateLimitWindowMs: 60_000,
    bodyLimitBytes: 16 * 1024 * 1024,
    maxWaitMs: 60_000,
    shutdownTimeoutMs: 30_000,
    prefix: '',
    docs: true,
    playground: true,
    judge0: true,
    judge0Prefix: '',
    logLevel: 'info',
    logFormat: 'auto',
    trustProxy: false,
    migrate: true,
    webhookAllow: [],
    redisPrefix: 'judgekit',
  };
}

/** Environment variable of each setting (config file and limits excepted). */
export const serveEnv: Record<Exclude<keyof ServeConfig, 'defaultLimits' | 'maxLimits' | 'languages' | 'keys' | 'tenants'>, string> = {
  port: 'JUDGEKIT_PORT',
  host: 'JUDGEKIT_HOST',
  runner: 'JUDGEKIT_RUNNER',
  concurrency: 'JUDGEKIT_CONCURRENCY',
  maxQueued: 'JUDGEKIT_MAX_QUEUED',
  apiKeys: 'JUDGEKIT_API_KEYS',
  corsOrigins: 'JUDGEKIT_CORS_ORIGINS',
  rateLimit: 'JUDGEKIT_RATE_LIMIT',
  rateLimitWindowMs: 'JUDGEKIT_RATE_LIMIT_WINDOW_MS',
  bodyLimitBytes: 'JUDGEKIT_BODY_LIMIT_BYTES',
  maxWaitMs: 'JUDGEKIT_MAX_WAIT_MS',
  shutdownTimeoutMs: 'JUDGEKIT_SHUTDOWN_TIMEOUT_MS',
  prefix: 'JUDGEKIT_PREFIX',
  docs: 'JUDGEKIT_DOCS',
  playground: 'JUDGEKIT_PLAYGROUND',
  judge0: 'JUDGEKIT_JUDGE0',
  judge0Prefix: 'JUDGEKIT_JUDGE0_PREFIX',
  logLevel: 'JUDGEKIT_LOG_LEVEL',
  logFormat: 'JUDGEKIT_LOG_FORMAT',
  trustProxy: 'JUDGEKIT_TRUST_PROXY',
  databaseUrl: 'JUDGEKIT_DATABASE_URL',
  redisUrl: 'JUDGEKIT_REDIS_URL',
  redisPrefix: 'JUDGEKIT_REDIS_PREFIX',
  migrate: 'JUDGEKIT_MIGRATE',
  retentionDays: 'JUDGEKIT_RETENTION_DAYS',
  webhookAllow: 'JUDGEKIT_WEBHOOK_ALLOW',
};

/** Environment variable naming the JSON config file. */
export const configEnv = 'JUDGEKIT_CONFIG';

export { ConfigError };

/**
 * Resolves the settings: flags over environment variables over the config file over defaults.
 * Every layer is validated; an error names the setting and where it came from.
 */
export function resolveServeConfig(
  flags: Partial<Record<keyof ServeConfig, unknown>> & { config?: string },
  env: NodeJS.ProcessEnv = process.env,
): ServeConfig {
  const layers: { source: string; values: Record<string, unknown> }[] = [];
  const configPath = flags.config ?? env[configEnv];
  if (configPath) layers.push({ source: `config file ${configPath}`, values: readConfigFile(configPath) });
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(serveEnv)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    fromEnv[key] =
      key === 'apiKeys' || key === 'corsOrigins' || key === 'webhookAllow'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : value;
  }
  layers.push({ source: 'environment', values: fromEnv });
  const fromFlags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) if (key !== 'config' && value !== undefined) fromFlags[key] = value;
  layers.push({ source: 'command line', values: fromFlags });

  const config: Record<string, unknown> = { ...serveDefaults() };
  for (const layer of layers) {
    const parsed = serveConfigSchema.partial().safeParse(layer.values);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = issue.path.map(String).join('.');
      const hint = layer.source === 'environment' && key in serveEnv ? ` (${serveEnv[key as keyof typeof serveEnv]})` : '';
      throw new ConfigError(`${layer.source}: ${key || '(root)'}${hint}: ${issue.message}`);
    }
    for (const [key, value] of Object.entries(parsed.data)) if (value !== undefined) config[key] = value;
    if (parsed.data.languages !== undefined) config.languages = parseLanguages(parsed.data.languages, layer.source);
  }
  if (config.concurrency === 0 && !config.redisUrl) {
    throw new ConfigError('concurrency: 0 (an API-only node) needs a shared queue: --redis-url redis://HOST:PORT (or JUDGEKIT_REDIS_URL).');
  }
  return config as ServeConfig;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${path}: cannot be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path}: not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(`config file ${path}: must be a JSON object`);
  return value as Record<string, unknown>;
}
