import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveServeConfig } from './config.js';

function configFile(value: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'jk-config-')), 'judgekit.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('serve settings', () => {
  it('defaults to port 8000 on loopback with the auto runner', () => {
    expect(resolveServeConfig({}, {})).toMatchObject({ port: 8000, host: '127.0.0.1', runner: 'auto', apiKeys: [], docs: true });
  });

  it('takes flags over environment variables over the config file', () => {
    const path = configFile({ port: 9001, host: '0.0.0.0', concurrency: 3, maxLimits: { wallTimeMs: 10_000 } });
    const env = { JUDGEKIT_CONFIG: path, JUDGEKIT_PORT: '9002', JUDGEKIT_API_KEYS: 'a, b', JUDGEKIT_DOCS: 'false' };
    const config = resolveServeConfig({ port: '9003' }, env);
    expect(config).toMatchObject({ port: 9003, host: '0.0.0.0', concurrency: 3, apiKeys: ['a', 'b'], docs: false });
    expect(config.maxLimits).toEqual({ wallTimeMs: 10_000 });
    expect(resolveServeConfig({}, env).port).toBe(9002);
  });

  it('reads every setting from its environment variable', () => {
    const config = resolveServeConfig(
      {},
      {
        JUDGEKIT_HOST: '::1',
        JUDGEKIT_RUNNER: 'docker',
        JUDGEKIT_CONCURRENCY: '4',
        JUDGEKIT_MAX_QUEUED: '10',
        JUDGEKIT_RATE_LIMIT: '0',
        JUDGEKIT_RATE_LIMIT_WINDOW_MS: '1000',
        JUDGEKIT_BODY_LIMIT_BYTES: '2048',
        JUDGEKIT_MAX_WAIT_MS: '5',
        JUDGEKIT_SHUTDOWN_TIMEOUT_MS: '6',
        JUDGEKIT_PREFIX: '/judge',
        JUDGEKIT_JUDGE0: 'false',
        JUDGEKIT_JUDGE0_PREFIX: '/judge0',
        JUDGEKIT_LOG_LEVEL: 'warn',
        JUDGEKIT_TRUST_PROXY: '1',
      },
    );
    expect(config).toMatchObject({
      host: '::1',
      runner: 'docker',
      concurrency: 4,
      maxQueued: 10,
      rateLimit: 0,
      rateLimitWindowMs: 1000,
      bodyLimitBytes: 2048,
      maxWaitMs: 5,
      shutdownTimeoutMs: 6,
      prefix: '/judge',
      judge0: false,
      judge0Prefix: '/judge0',
      logLevel: 'warn',
      trustProxy: true,
    });
  });

  it('names the setting and its source when a value is wrong', () => {
    expect(() => resolveServeConfig({}, { JUDGEKIT_PORT: 'eighty' })).toThrow(/environment: port \(JUDGEKIT_PORT\)/);
    expect(() => resolveServeConfig({ runner: 'chroot' }, {})).toThrow(ConfigError);
    expect(() => resolveServeConfig({ config: configFile({ colour: 'red' }) }, {})).toThrow(/config file .*: \(root\)|colour/);
    expect(() => resolveServeConfig({ config: '/nonexistent/judgekit.json' }, {})).toThrow(/cannot be read/);
    expect(() => resolveServeConfig({ judge0Prefix: 'judge0' }, {})).toThrow(/judge0Prefix: a path like \/judge0/);
  });
});
