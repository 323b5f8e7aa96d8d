import { queueStoreContractSuite } from '@judgekit/core/testing';
import { BullJobQueue, closeRedis, connectRedis, RedisResultStore } from '@judgekit/redis';
import { redisServerPath, startTestRedis, type TestRedis } from '@judgekit/redis/testing';
import type { Redis } from 'ioredis';
import { describe } from 'vitest';

// The queue and store contract against BullMQ on a real redis-server of this test's own.
if (!redisServerPath() && process.env.CI) throw new Error('redis-server is not installed (scripts/setup/redis.sh)');

let redis: TestRedis;
let fast: Redis;
let patient: Redis;

if (redisServerPath()) {
  queueStoreContractSuite({
    name: 'BullMQ/Redis',
    shared: true,
    immutableFinals: true,
    async setup() {
      redis = await startTestRedis();
      fast = await connectRedis(redis.url);
      patient = await connectRedis(redis.url, { mode: 'patient' });
    },
    async teardown() {
      await closeRedis(fast);
      await closeRedis(patient);
      await redis.destroy();
    },
    createQueue: ({ concurrency, namespace }) =>
      new BullJobQueue({ connection: fast, workerConnection: patient, prefix: namespace, concurrency, releaseDelayMs: 50 }),
    createStore: ({ ttlMs, namespace }) => new RedisResultStore({ client: fast, prefix: namespace, ttlMs }),
  });
} else {
  describe.skip('BullMQ/Redis contract (redis-server not installed)', () => {});
}
