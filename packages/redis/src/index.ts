/**
 * Scale-out for judgekit on Redis: a BullMQ job queue shared by API nodes and worker machines, a
 * result store with immutable final results and TTLs, events and cancels across processes, a
 * registry of the workers alive, and the Bull Board dashboard.
 *
 * @packageDocumentation
 * @module @judgekit/redis
 */
// The public surface of @judgekit/redis: every export is listed by name.
export { type ClusterCounts, openRedisBackend, type RedisBackend, type RedisBackendOptions } from './backend.js';
export {
  type ConnectionMode,
  type ConnectRedisOptions,
  checkRedisUrl,
  closeRedis,
  connectRedis,
  isConnectionError,
  redactRedisUrl,
} from './connection/connection.js';
export { registerDashboard } from './dashboard/dashboard.js';
export { RedisSubmissionBus, type RedisSubmissionBusOptions } from './events/redis-bus.js';
export { BullJobQueue, type BullJobQueueOptions } from './queue/bull-queue.js';
export { RedisResultStore, type RedisResultStoreOptions } from './store/redis-store.js';
export { type WorkerInfo, WorkerRegistry, type WorkerRegistryOptions, workerId } from './workers/registry.js';
