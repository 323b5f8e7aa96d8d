import type { Runner } from '@judgekit/core';
import { createServer } from '@judgekit/http-adapter';
import type { RedisBackend } from '@judgekit/redis';
import pretty from 'pino-pretty';
import { openCluster, startHeartbeat } from '../cluster/redis.js';
import { openTenancy } from '../migrate/tenancy.js';
import { pickRunner, type RunnerProbe } from '../runners.js';
import type { ServeConfig } from './config.js';

interface ServeIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** pino options for the log format: pretty lines on a terminal, JSON lines for machines. */
function loggerOptions(config: ServeConfig, io: ServeIo) {
  const prettyLogs = config.logFormat === 'pretty' || (config.logFormat === 'auto' && io.stdout.isTTY === true);
  if (!prettyLogs) return { level: config.logLevel };
  const colorize = io.stdout.isTTY === true && !io.env.NO_COLOR;
  return {
    level: config.logLevel,
    stream: pretty({ destination: io.stdout, colorize, translateTime: 'HH:MM:ss', ignore: 'pid,hostname', sync: true }),
  };
}

/**
 * `judgekit serve`: picks a sandbox (refusing to start without one), serves the HTTP API and
 * shuts down gracefully on SIGTERM/SIGINT (exit 0); a second signal cancels what still runs.
 */
export async function serve(config: ServeConfig, io: ServeIo = process): Promise<void> {
  // An API-only node (concurrency 0, cluster mode) judges nothing, so it needs no sandbox.
  const { runner, probes } =
    config.concurrency === 0 ? { runner: undefined, probes: [] as RunnerProbe[] } : await pickRunner(config.runner);
  const cleanUp = async (redis: RedisBackend | null, r: Runner | undefined) => {
    await r?.destroy().catch(() => {});
    await redis?.close().catch(() => {});
  };
  let redis: RedisBackend | null = null;
  if (config.redisUrl) {
    redis = await openCluster({
      redisUrl: config.redisUrl,
      redisPrefix: config.redisPrefix,
      role: 'api',
      concurrency: config.concurrency,
    }).catch(async (error: unknown) => {
      await cleanUp(null, runner);
      throw error;
    });
  }
  const tenancy = await openTenancy(config, redis).catch(async (error: unknown) => {
    await cleanUp(redis, runner);
    throw error;
  });
  const server = await createServer({
    ...(runner ? { runner } : {}),
    ...tenancy.server,
    ...(redis ? { cluster: redis.cluster } : {}),
    judgeOptions: {
      store: tenancy.store,
      queue: tenancy.queue,
      ...(redis ? { bus: redis.bus } : {}),
      concurrency: config.concurrency,
      maxQueued: config.maxQueued,
      ...(config.defaultLimits ? { defaultLimits: config.defaultLimits } : {}),
      ...(config.maxLimits ? { maxLimits: config.maxLimits } : {}),
      ...(config.languages ? { languages: config.languages } : {}),
    },
    port: config.port,
    host: config.host,
    prefix: config.prefix,
    apiKeys: config.apiKeys,
    corsOrigins: config.corsOrigins,
    rateLimit: config.rateLimit > 0 ? { max: config.rateLimit, timeWindowMs: config.rateLimitWindowMs } : false,
    bodyLimitBytes: config.bodyLimitBytes,
    maxWaitMs: config.maxWaitMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    docs: config.docs,
    playground: config.playground,
    judge0: config.judge0 ? { prefix: config.judge0Prefix, ...(tenancy.inputs ? { inputs: tenancy.inputs } : {}) } : false,
    trustProxy: config.trustProxy,
    logger: loggerOptions(config, io),
  });
  const { app, judge } = server;
  await tenancy.started(app.log);
  const heartbeat = redis && config.concurrency > 0 ? startHeartbeat(redis, judge) : null;
  for (const probe of probes) {
    if (probe.runner !== runner) app.log.warn({ runner: probe.kind, problems: probe.health.problems }, 'sandbox not available');
  }

  const warmUp = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    warmUp.abort();
    if (signals > 1) {
      app.log.warn({ signal }, 'second signal: cancelling what still runs');
      void judge.destroy();
      return;
    }
    app.log.info({ signal, shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing running submissions');
    server
      .close()
      .then(() => heartbeat?.stop())
      .then(() => tenancy.close())
      .then(() => redis?.close())
      .then(
        () => {
          app.log.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const address = await server.listen();
  const base = `${address}${config.prefix}`;
  // The one "listening" line is the server's log line; a person at a terminal also gets a request to try.
  if (io.stderr.isTTY) {
    const auth = tenancy.authenticated ? " -H 'Authorization: Bearer KEY'" : '';
    io.stderr.write(
      `\ntry:  curl -s${auth} -X POST '${base}/v1/submissions?wait=true' -H 'content-type: application/json' ` +
        `-d '{"language":"python3","source":"print(int(input()) * 2)","stdin":"21\\n"}'\n` +
        (config.playground ? `playground: ${base}/\n` : '') +
        (config.docs ? `docs: ${base}/docs\n\n` : '\n'),
    );
  }
  // Learn the toolchain versions in the background, so the first /v1/languages answers at once.
  void (async () => {
    for (const language of judge.languages.list()) {
      if (warmUp.signal.aborted) break;
      await judge.version(language.id, { signal: warmUp.signal }).catch(() => null);
    }
  })();
}
