import { hostname } from 'node:os';
import { Judge, type ResultStore } from '@judgekit/core';
import { judge0CallbackFormat } from '@judgekit/http-adapter';
import { redactRedisUrl } from '@judgekit/redis';
import { WebhookDispatcher, withWebhooks } from '@judgekit/webhooks';
import pino from 'pino';
import { openCluster, startHeartbeat } from '../cluster/redis.js';
import { type History, openHistory } from '../migrate/history.js';
import { pickRunner, type RunnerChoice } from '../runners.js';

/** Settings of `judgekit worker`. */
export interface WorkerConfig {
  redisUrl: string;
  redisPrefix: string;
  runner: RunnerChoice;
  concurrency: number;
  databaseUrl?: string;
  /** Apply migrations at start when a database is set. */
  migrate: boolean;
  webhookAllow: string[];
  /** After SIGTERM, how long running submissions may take before they are cancelled, in ms. */
  shutdownTimeoutMs: number;
  /** A job whose worker died is taken back this long after its last sign of life, in ms. */
  stallTimeoutMs: number;
  logLevel: string;
}

/**
 * `judgekit worker`: judges submissions from the cluster's shared queue with the best sandbox
 * available, announcing itself in the worker registry. SIGTERM (or SIGINT) stops it taking new
 * jobs, lets the running ones finish (within `shutdownTimeoutMs`, then cancels them) and exits 0;
 * a second signal cancels at once. A worker whose runner becomes unavailable takes no jobs and
 * gives back those it held, reporting itself unhealthy, until the runner is back.
 */
export async function worker(config: WorkerConfig): Promise<void> {
  const log = pino({ level: config.logLevel, base: { pid: process.pid, hostname: hostname(), role: 'worker' } });
  const { runner } = await pickRunner(config.runner);
  let history: History | null = null;
  const redis = await openCluster({
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    role: 'worker',
    concurrency: config.concurrency,
    stallTimeoutMs: config.stallTimeoutMs,
    log,
  }).catch(async (error: unknown) => {
    await runner.destroy().catch(() => {});
    throw error;
  });
  let dispatcher: WebhookDispatcher | null = null;
  let store: ResultStore;
  try {
    if (config.databaseUrl) {
      history = await openHistory({
        databaseUrl: config.databaseUrl,
        migrate: config.migrate,
        webhookAllow: config.webhookAllow,
        cache: redis.store,
        log,
      });
      store = history.store;
    } else {
      dispatcher = new WebhookDispatcher({ allow: config.webhookAllow });
      // Judge0 callbacks get Judge0's body, as on a single-process server.
      store = withWebhooks(redis.store, dispatcher, { format: judge0CallbackFormat });
    }
  } catch (error) {
    await redis.close().catch(() => {});
    await runner.destroy().catch(() => {});
    throw error;
  }
  const judge = new Judge({ runner, concurrency: config.concurrency, queue: redis.queue, store, bus: redis.bus });
  const heartbeat = startHeartbeat(redis, judge);
  judge.on('event', (e) => {
    if (e.type === 'done')
      log.info({ submissionId: e.id, verdict: e.result.verdict, message: e.result.message ?? undefined }, 'submission done');
    else if (e.type === 'cancelled') log.info({ submissionId: e.id }, 'submission cancelled');
  });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: cancelling what still runs');
      void judge.destroy();
      return;
    }
    log.info(
      { signal, running: judge.stats().running, shutdownTimeoutMs: config.shutdownTimeoutMs },
      'stopping: finishing running submissions, taking no new ones',
    );
    const timer = setTimeout(() => {
      log.warn({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutdown bound reached: cancelling what still runs');
      void judge.destroy();
    }, config.shutdownTimeoutMs);
    timer.unref();
    judge
      .close()
      .then(() => heartbeat.stop())
      .then(() => Promise.all([history?.close(), dispatcher?.close()]))
      .then(() => redis.close())
      .then(
        () => {
          clearTimeout(timer);
          log.info('stopped');
          log.flush?.();
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  log.info(
    {
      redis: redactRedisUrl(config.redisUrl),
      prefix: config.redisPrefix,
      runner: runner.name,
      concurrency: config.concurrency,
      durable: history !== null,
    },
    'worker ready',
  );
}
