import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { redisUrlEnv } from './cluster/redis.js';
import { doctor, formatDoctor } from './doctor/doctor.js';
import { registerKeysCommand } from './keys/command.js';
import { formatLanguages, listLanguages } from './languages.js';
import { databaseUrlOption, registerMigrateCommand } from './migrate/command.js';
import { databaseUrlEnv } from './migrate/history.js';
import { addHistoryOptions, historyFlags } from './migrate/serve-options.js';
import { runInteractive } from './run/interactive.js';
import { run } from './run/run.js';
import { UsageError } from './run/usage-error.js';
import { NoSandboxError } from './runners.js';
import { ConfigError, configEnv, resolveServeConfig, serveEnv } from './serve/config.js';
import { serve } from './serve/serve.js';
import { registerWorkerCommand } from './worker/command.js';

/** The CLI's version, from its package.json. */
export function cliVersion(): string {
  // Both src/ and dist/ sit one level under the package folder.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a whole number greater than 0.`);
  return n;
};

const runnerOption = () =>
  new Option('--runner <runner>', 'sandbox: auto picks nsjail, then Docker (gVisor)').choices(['auto', 'nsjail', 'docker']).default('auto');

/** Exit codes: 0 success (accepted), 1 not accepted / not ready, 2 bad usage or configuration. */
export function buildProgram(): Command {
  const program = new Command('judgekit')
    // Usage errors (unknown option, missing argument) reach main() as CommanderError: exit code 2 for all of them.
    .exitOverride()
    .description('Run untrusted code in real sandboxes and judge it; serve the same over HTTP.')
    .version(cliVersion(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(add --help for usage)');

  program
    .command('languages')
    .description('list the languages judgekit knows')
    .option('--detect', 'also detect each toolchain version inside a sandbox')
    .addOption(runnerOption())
    .option('--json', 'print JSON')
    .action(async (opts: { detect?: boolean; runner: 'auto' | 'nsjail' | 'docker'; json?: boolean }) => {
      const rows = await listLanguages({ detect: opts.detect ?? false, runner: opts.runner });
      process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : formatLanguages(rows));
    });

  const serveCommand = program
    .command('serve')
    .description('serve the HTTP API (seed API, /v1, Piston v2, /docs) with the best sandbox available')
    .option('-p, --port <port>', `port (default 8000; ${serveEnv.port})`)
    .option('-H, --host <host>', `address to listen on (default 127.0.0.1; ${serveEnv.host})`)
    .addOption(new Option('--runner <runner>', `sandbox (default auto; ${serveEnv.runner})`).choices(['auto', 'nsjail', 'docker']))
    .option(
      '-c, --concurrency <n>',
      `submissions judged at once; 0: an API-only node (needs --redis-url) (default: CPU count; ${serveEnv.concurrency})`,
    )
    .option(
      '--redis-url <url>',
      `cluster mode: the shared queue, results and events on Redis, redis:// or rediss:// (${serveEnv.redisUrl})`,
    )
    .option('--redis-prefix <prefix>', `prefix of every Redis key (default judgekit; ${serveEnv.redisPrefix})`)
    .option('--max-queued <n>', `most waiting submissions, then 503 (default 1000; ${serveEnv.maxQueued})`)
    .option(
      '--api-key <key>',
      `accept this Bearer key; repeat for several (${serveEnv.apiKeys}, comma-separated)`,
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option(
      '--cors-origin <origin>',
      `allow this browser origin (CORS), * for any; repeat for several; off by default (${serveEnv.corsOrigins}, comma-separated)`,
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option('--rate-limit <n>', `requests per window per key or address, 0 = off (default 600; ${serveEnv.rateLimit})`)
    .option('--rate-limit-window-ms <ms>', `rate limit window (default 60000; ${serveEnv.rateLimitWindowMs})`)
    .option('--body-limit-bytes <n>', `largest request body (default 16777216; ${serveEnv.bodyLimitBytes})`)
    .option('--max-wait-ms <ms>', `longest ?wait=true hold (default 60000; ${serveEnv.maxWaitMs})`)
    .option('--shutdown-timeout-ms <ms>', `on SIGTERM, time for submissions to finish (default 30000; ${serveEnv.shutdownTimeoutMs})`)
    .option('--prefix <path>', `path prefix of every route (default none; ${serveEnv.prefix})`)
    .option('--no-docs', `do not serve /docs (${serveEnv.docs}=false)`)
    .option('--no-playground', `do not serve the browser playground at / (${serveEnv.playground}=false)`)
    .option('--judge0-prefix <path>', `path prefix of the Judge0-compatible routes (default: the root; ${serveEnv.judge0Prefix})`)
    .option('--no-judge0', `do not serve the Judge0-compatible API (${serveEnv.judge0}=false)`)
    .option('--log-level <level>', `pino level (default info; ${serveEnv.logLevel})`)
    .addOption(
      new Option('--log-format <format>', `auto: pretty on a terminal, JSON lines otherwise (default auto; ${serveEnv.logFormat})`).choices(
        ['auto', 'json', 'pretty'],
      ),
    )
    .option('--trust-proxy', `trust X-Forwarded-* (${serveEnv.trustProxy})`)
    .option('--config <file>', `JSON config file with the same settings in camelCase (${configEnv})`);
  addHistoryOptions(serveCommand).action(async (opts: Record<string, unknown>) => {
    const fromCli = (key: string) => (serveCommand.getOptionValueSource(key) === 'cli' ? opts[key] : undefined);
    const config = resolveServeConfig({
      port: fromCli('port'),
      host: fromCli('host'),
      runner: fromCli('runner'),
      concurrency: fromCli('concurrency'),
      maxQueued: fromCli('maxQueued'),
      apiKeys: fromCli('apiKey'),
      corsOrigins: fromCli('corsOrigin'),
      rateLimit: fromCli('rateLimit'),
      rateLimitWindowMs: fromCli('rateLimitWindowMs'),
      bodyLimitBytes: fromCli('bodyLimitBytes'),
      maxWaitMs: fromCli('maxWaitMs'),
      shutdownTimeoutMs: fromCli('shutdownTimeoutMs'),
      prefix: fromCli('prefix'),
      docs: fromCli('docs'),
      playground: fromCli('playground'),
      judge0: fromCli('judge0'),
      judge0Prefix: fromCli('judge0Prefix'),
      logLevel: fromCli('logLevel'),
      logFormat: fromCli('logFormat'),
      trustProxy: fromCli('trustProxy'),
      redisUrl: fromCli('redisUrl'),
      redisPrefix: fromCli('redisPrefix'),
      ...historyFlags(fromCli),
      config: opts.config as string | undefined,
    });
    await serve(config);
  });

  program
    .command('run')
    .description('judge one program in a sandbox: one run (stdin from --stdin FILE or a pipe), or every test of --tests DIR')
    .argument('<file>', 'source file; the language comes from its extension unless --lang is given')
    .option('-l, --lang <language>', 'language id or alias (python3, c, cpp, java, javascript, ...)')
    .option('--stdin <file>', 'file given on stdin (single run); - reads this command’s stdin (the default when it is piped)')
    .option('--tests <dir>', 'folder of tests: NAME.in with NAME.out or NAME.ans; input/ + output/; Polygon NN + NN.a')
    .option('--in-suffix <suffix>', 'with --tests: inputs are NAME + this suffix (e.g. .in.txt)')
    .option('--out-suffix <suffix>', 'with --tests: expected outputs are NAME + this suffix (default .out)')
    .addOption(new Option('--checker <checker>', 'output comparison (default lines)').choices(['exact', 'lines', 'tokens', 'float']))
    .option('--cpu-time-ms <ms>', 'CPU time limit per test', positiveInt('--cpu-time-ms'))
    .option('--wall-time-ms <ms>', 'wall time limit per test', positiveInt('--wall-time-ms'))
    .option('--memory-mb <mib>', 'memory limit per test in MiB', positiveInt('--memory-mb'))
    .option('--stop-on-first-failure', 'skip the remaining tests after the first failure')
    .option('-i, --interactive', 'attach your terminal to a sandboxed session of the program (Ctrl-C, resizes and input reach it)')
    .addOption(runnerOption())
    .option('--json', 'print the result as JSON (no progress)')
    .addHelpText(
      'after',
      [
        '',
        'Exit code: 0 when every test has an expected output and passed (one run: it ran cleanly), 1 otherwise,',
        '2 for bad usage. A test without an expected output is run and shown, but never counted as passed.',
        '',
        'Examples:',
        '  judgekit run sum.py --tests tests/',
        '  echo "4 5" | judgekit run sum.cpp',
        '  judgekit run Main.java --tests data/ --in-suffix .in.txt --out-suffix .out.txt',
        '  judgekit run game.py --interactive',
      ].join('\n'),
    )
    .action(async (file: string, opts: Parameters<typeof run>[1] & { interactive?: boolean }) => {
      process.exitCode = opts.interactive ? await runInteractive(file, opts) : await run(file, opts);
    });

  program
    .command('doctor')
    .description(
      'check the sandboxes (and how to fix them), PostgreSQL and Redis when their URLs are set, and the toolchain of each language',
    )
    .option('--json', 'print JSON')
    .addOption(databaseUrlOption())
    .option('--redis-url <url>', `Redis of the cluster mode (${redisUrlEnv})`)
    .action(async (opts: { json?: boolean; databaseUrl?: string; redisUrl?: string }) => {
      const databaseUrl = opts.databaseUrl ?? process.env[databaseUrlEnv];
      const redisUrl = opts.redisUrl ?? process.env[redisUrlEnv];
      const report = await doctor({ ...(databaseUrl ? { databaseUrl } : {}), ...(redisUrl ? { redisUrl } : {}) });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report));
      process.exitCode = report.probedWith ? 0 : 1;
    });

  registerWorkerCommand(program);
  registerMigrateCommand(program);
  registerKeysCommand(program);

  return program;
}

/** Runs the CLI; known failures print a message (no stack) and set exit code 2 (1 for no sandbox). */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    const program = buildProgram();
    for (const command of program.commands) command.exitOverride();
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; commander already printed the message of the others.
      process.exitCode = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? 0 : 2;
    } else if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`judgekit: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof NoSandboxError) {
      process.stderr.write(`judgekit: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      const e = error as { code?: string; message?: string };
      process.stderr.write(`judgekit: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}\n`);
      process.exitCode = 2;
    }
  }
}
