import type { FastifyInstance } from 'fastify';
import type { AdapterContext } from '../context.js';
import type { ResolvedPluginOptions } from '../options.js';

/**
 * @internal
 * One API the plugin serves. Each lives in a folder of its own — `schemas.ts` (zod: its request
 * and response shapes, the source of its types and of its part of the OpenAPI document),
 * `mapper.ts` (its fields onto `SubmissionInput`, and judgekit's results and errors back into its
 * own shapes) and `routes.ts` (exports the `HttpApi`) — and is listed once in `src/apis.ts`.
 *
 * A compatibility API only maps: limits, versions and languages are checked by the judge, once,
 * and its errors are mapped back.
 */
export interface HttpApi {
  /** Short name, also the OpenAPI tag of its routes. */
  readonly name: string;
  /** What the OpenAPI document says about the tag. */
  readonly description: string;
  /** Left out of the OpenAPI document (its routes serve pages, not an API). @defaultValue false */
  readonly undocumented?: boolean;
  /** Path prefix of its routes inside the plugin, e.g. `/api/v2`; none by default. */
  readonly prefix?: string;
  /** Whether the plugin's options turn it on (always, without this). */
  enabled?(options: ResolvedPluginOptions): boolean;
  /**
   * Registers its routes. It runs in a Fastify context of its own, so an error handler, a
   * content-type parser or a not-found handler it sets stays inside its routes.
   */
  register(app: FastifyInstance, ctx: AdapterContext): Promise<void>;
}
