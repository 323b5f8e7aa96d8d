import { createServer } from '@judgekit/http-adapter';
import { pickRunner } from '../runners.js';
import type { ServeConfig } from './config.js';

/**
 * `judgekit serve`: picks a sandbox (refusing to start without one), serves the HTTP API and
 * shuts down gracefully on SIGTERM/SIGINT (exit 0); a second signal cancels what still runs.
 */
export async function serve(config: ServeConfig, io: { stderr: NodeJS.WritableStream } = process): Promise<void> {
  const { runner, probes } = await pickRunner(config.runner);
  const server = await createServer({
    runner,
    judgeOptions: {
      concurrency: config.concurrency,
      maxQueued: config.maxQueued,
      ...(config.defaultLimits ? { defaultLimits: config.defaultLimits } : {}),
      ...(config.maxLimits ? { maxLimits: config.maxLimits } : {}),
    },
    port: config.port,
    host: config.host,
    prefix: config.prefix,
    apiKeys: config.apiKeys,
    rateLimit: config.rateLimit > 0 ? { max: config.rateLimit, timeWindowMs: config.rateLimitWindowMs } : false,
    bodyLimitBytes: config.bodyLimitBytes,
    maxWaitMs: config.maxWaitMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    docs: config.docs,
    judge0: config.judge0 ? { prefix: config.judge0Prefix } : false,
    trustProxy: config.trustProxy,
    logger: { level: config.logLevel },
  });
  const { app, judge } = server;
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
    server.close().then(
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
  app.log.info({ address: base, runner: runner.name, concurrency: config.concurrency, auth: config.apiKeys.length > 0 }, 'listening');
  const auth = config.apiKeys.length > 0 ? " -H 'Authorization: Bearer KEY'" : '';
  io.stderr.write(
    `judgekit serving on ${base} with the ${runner.name} sandbox (docs: ${base}/docs)\n` +
      `try:  curl -s${auth} -X POST ${base}/v1/submissions?wait=true -H 'content-type: application/json' ` +
      `-d '{"language":"python3","source":"print(int(input()) * 2)","stdin":"21\\n"}'\n`,
  );
  // Learn the toolchain versions in the background, so the first /v1/languages answers at once.
  void (async () => {
    for (const language of judge.languages.list()) {
      if (warmUp.signal.aborted) break;
      await judge.version(language.id, { signal: warmUp.signal }).catch(() => null);
    }
  })();
}
