/**
 * Durable history for judgekit on PostgreSQL: the store behind the hot cache, migrations,
 * cursor-paginated listing, tenants with hashed API keys and quotas, the webhook outbox and retention.
 *
 * @packageDocumentation
 * @module @judgekit/postgres
 */
// The public surface of @judgekit/postgres: every export is listed by name.
export { createPool, isConnectionError, type PoolOptions, redactUrl } from './pool/pool.js';
export { type RetentionOptions, RetentionSweeper } from './retention/retention.js';
export {
  assertMigrated,
  type MigrateOptions,
  migrate,
  migrationsDir,
  migrationsTable,
  type SchemaStatus,
  schemaStatus,
  shippedMigrations,
} from './schema/migrate.js';
export { DurableResultStore, type DurableResultStoreOptions, type DurableStoreHealth } from './store/durable-store.js';
export { maxPageSize } from './store/listing.js';
export {
  isStaleRowOwner,
  PostgresStore,
  type PostgresStoreOptions,
  processOwner,
  type UnfinishedCounts,
} from './store/postgres-store.js';
export { defaultMaxStoredOutputBytes, type TenantStoredSubmission } from './store/rows.js';
export {
  checkTenantId,
  hashKey,
  type KeyPrincipal,
  type KeyRecord,
  newApiKey,
  TenantKeys,
  type TenantKeysOptions,
  type TenantQuotas,
  type TenantRecord,
} from './tenants/keys.js';
export { WebhookOutbox, type WebhookOutboxOptions } from './webhooks/outbox.js';
