/**
 * judgekit over HTTP: a Fastify plugin and a standalone server with the seed API, `/v1`, Piston v2, Judge0 CE 1.13.1, OpenAPI docs and metrics.
 *
 * @packageDocumentation
 * @module @judgekit/http-adapter
 */
// The public surface of @judgekit/http-adapter: every export is listed by name.

export {
  ChainedKeys,
  type ConfigKeyEntry,
  ConfigKeys,
  type ConfigTenant,
  FlatKeys,
  hashApiKey,
  type KeyResolver,
  openPrincipal,
  type Principal,
  type TenantQuotas,
} from './auth/principal.js';
export { TenantQueue, type TenantQueueOptions } from './auth/tenant-queue.js';
export { dashboardPath } from './cluster/routes.js';
export type { WorkersResponse } from './cluster/schemas.js';
export type { ClusterCounts, ClusterSource, ClusterWorker } from './cluster/source.js';
export { type ErrorBody, type HttpErrorCode, httpErrorCodes, statusOfCode } from './errors/http-errors.js';
export { judge0CallbackFormat } from './judge0/callback.js';
export type { EchoCacheOptions, SubmissionInputs } from './judge0/echo.js';
export type { Judge0ApiOptions, Judge0Defaults } from './judge0/options.js';
export type { ZipLimits } from './judge0/zip.js';
export type { JudgekitPluginOptions, RateLimitOptions, ReadinessCheck } from './options.js';
export { toPistonResponse } from './piston/mapper.js';
export type { PistonExecuteResponse, PistonStage } from './piston/schemas.js';
export { judgekitPlugin } from './plugin.js';
export { seedStatus, toSeedResult } from './seed/mapper.js';
export type { SeedResult, SeedStatus } from './seed/schemas.js';
export { type CreateServerOptions, createServer, type JudgekitServer } from './server.js';
export type { ListOrGetResponse } from './v1/listing.js';
export type { BatchCreateResponse, LanguageInfo } from './v1/schemas.js';
