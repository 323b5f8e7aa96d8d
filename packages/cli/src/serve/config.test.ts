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

  it('reads languages from the config file, validated as the core validates a definition', () => {
    const lua = {
      id: 'lua',
      name: 'Lua 5.4',
      sourceFile: 'main.lua',
      extensions: ['.lua'],
      run: ['lua5.4', 'main.lua'],
      outOfMemoryPattern: 'not enough memory',
      version: { argv: ['lua5.4', '-v'], pattern: 'Lua (\\S+)' },
    };
    const [parsed] = resolveServeConfig({ config: configFile({ languages: [lua] }) }, {}).languages!;
    expect(parsed).toMatchObject({ id: 'lua', run: ['lua5.4', 'main.lua'] });
    expect(parsed!.version!.pattern.exec('Lua 5.4.6  Copyright')?.[1]).toBe('5.4.6');
    expect(parsed!.outOfMemoryPattern).toBeInstanceOf(RegExp);
    const bad = (language: unknown) => () => resolveServeConfig({ config: configFile({ languages: [language] }) }, {});
    expect(bad({ ...lua, run: [] })).toThrow(/config file .*: languages\.0: Language definition: run/);
    expect(bad({ ...lua, id: 'Lua!' })).toThrow(/languages\.0: Language definition: id/);
    expect(bad({ ...lua, version: { argv: ['lua'], pattern: '(' } })).toThrow(
      /languages\.0: Language definition: version\.pattern: not a valid regular expression/,
    );
    expect(bad({ ...lua, runLimit: { processes: 4 } })).toThrow(/languages\.0: Language definition: \(root\): .*runLimit/);
    expect(bad({ ...lua, runLimits: { cpuMs: 4 } })).toThrow(/languages\.0: Language definition: runLimits/);
    expect(bad({ ...lua, aliases: ['py'] })).toThrow(/languages\.0: .*"py" is already registered|py/);
    expect(bad({ ...lua, sourceFile: '../x' })).toThrow(ConfigError);
    // Every field of a definition has its JSON form, a pattern with flags included.
    const kotlin = {
      id: 'kotlin',
      name: 'Kotlin',
      sourceFile: 'Main.kt',
      sourceFileFrom: { pattern: { source: '^object\\s+(\\w+)', flags: 'm' }, file: '$1.kt' },
      syntaxCheck: { command: ['kotlinc', '-script-check', 'Main.kt'], pattern: '^error:' },
      run: ['kotlin', 'Main.kt'],
    };
    const [k] = resolveServeConfig({ config: configFile({ languages: [kotlin] }) }, {}).languages!;
    expect(k!.sourceFileFrom!.pattern.exec('import x\nobject Solution {')?.[1]).toBe('Solution');
    expect(k!.syntaxCheck!.pattern).toBeInstanceOf(RegExp);
    expect(() => resolveServeConfig({ config: configFile({ languages: {} }) }, {})).toThrow(/languages/);
  });
});
