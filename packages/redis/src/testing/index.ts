/**
 * Test helpers of @judgekit/redis: a throw-away `redis-server` of a test's own.
 *
 * @packageDocumentation
 * @module @judgekit/redis/testing
 */
export { redisServerPath, startTestRedis, type TestRedis, type TestRedisOptions } from './redis-server.js';
