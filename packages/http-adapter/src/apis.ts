import { clusterApi } from './cluster/routes.js';
import type { HttpApi } from './http/api.js';
import { judge0Api } from './judge0/routes.js';
import { opsApi } from './ops/routes.js';
import { pistonApi } from './piston/routes.js';
import { playgroundApi } from './playground/routes.js';
import { seedApi } from './seed/routes.js';
import { v1Api } from './v1/routes.js';

/**
 * @internal
 * The APIs the plugin serves, in this order — the one place an API is registered.
 *
 * To add one (Judge0's goes in `src/judge0/`): give it a folder with `schemas.ts`, `mapper.ts` and
 * a `routes.ts` that exports an {@link HttpApi}, add it to this list, and, when it can be turned
 * off, an option in `options.ts` that its `enabled` reads. Each API is registered in a Fastify
 * context of its own under its `prefix`, after authentication, rate limits and the error shape,
 * and its routes appear in the OpenAPI document under its `name` as tag.
 */
export const apis: readonly HttpApi[] = [opsApi, seedApi, v1Api, clusterApi, pistonApi, judge0Api, playgroundApi];
