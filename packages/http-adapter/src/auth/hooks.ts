import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../errors/http-errors.js';
import type { ResolvedPluginOptions } from '../options.js';
import { ChainedKeys, FlatKeys, type KeyResolver, openPrincipal, type Principal } from './principal.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without an API key (health checks, docs). */
    public?: boolean;
    /** Needs an admin key (403 `JDG_ERR_HTTP_FORBIDDEN` otherwise). */
    admin?: boolean;
    /** A browser page (the queue dashboard): the key may also come as the password of HTTP basic authentication. */
    dashboard?: boolean;
  }
  interface FastifyRequest {
    /** Who is calling: set by judgekit's authentication before any route runs. */
    principal: Principal;
  }
}

/** @internal The resolver the options describe: tenant keys and/or the flat list; `null` for an open server. */
export function keyResolverOf(options: Pick<ResolvedPluginOptions, 'apiKeys' | 'keys'>): KeyResolver | null {
  const flat = options.apiKeys.length > 0 ? new FlatKeys(options.apiKeys) : null;
  if (options.keys && flat) return new ChainedKeys([options.keys, flat]);
  return options.keys ?? flat;
}

/**
 * The key a request presents: `Authorization: Bearer KEY`; on the Judge0 routes also Judge0's
 * `X-Auth-Token: KEY` (or `?X-Auth-Token=KEY`); on the events and sessions routes only (EventSource and browser WebSockets cannot send headers), `?access_token=KEY`.
 */
export function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1]!;
    // A browser asks for basic authentication on the dashboard: any user name, the key as password.
    const basic = request.routeOptions.config?.dashboard ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      return password.length > 0 ? password : null;
    }
    return null;
  }
  // Judge0's header (or query parameter), on the Judge0 routes only: each API keeps its own conventions.
  const query = request.query as Record<string, unknown> | undefined;
  if (request.routeOptions.config?.judge0) {
    const token = request.headers['x-auth-token'] ?? query?.['X-Auth-Token'];
    if (typeof token === 'string' && token.length > 0) return token.trim();
  }
  const url = request.routeOptions.url;
  if (url?.endsWith('/events') || url?.endsWith('/v1/sessions')) {
    const access = query?.access_token;
    if (typeof access === 'string' && access.length > 0) return access;
  }
  return null;
}

/**
 * Authentication, authorisation and rate limits, before any route: sets `request.principal`
 * from the presented key (401 without a valid one, unless the route is public or the server
 * has no keys), refuses admin routes to other keys (403), and counts requests per tenant (or
 * per address without keys) against the tenant's `rateLimit` quota or the server's limit.
 */
export async function registerAuth(app: FastifyInstance, options: ResolvedPluginOptions): Promise<void> {
  const resolver = keyResolverOf(options);
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (!resolver) {
      request.principal = openPrincipal;
      return;
    }
    const key = presentedKey(request);
    const principal = key === null ? null : await resolver.resolve(key);
    if (principal) request.principal = principal;
    // Judge0 routes answer a missing or wrong key themselves, in Judge0's shape.
    else if (config?.public || config?.judge0 || isDocsRoute(request)) {
      request.principal = { tenant: null, admin: false, keyId: null, quotas: {} };
      return;
    } else {
      throw new HttpError(
        'JDG_ERR_HTTP_UNAUTHORIZED',
        key === null ? 'An API key is required: Authorization: Bearer KEY.' : 'The API key is not valid.',
        {},
        { 'www-authenticate': config?.dashboard ? 'Basic realm="judgekit", charset="UTF-8"' : 'Bearer realm="judgekit"' },
      );
    }
    if (config?.admin && !principal.admin) {
      throw new HttpError('JDG_ERR_HTTP_FORBIDDEN', `${request.routeOptions.url ?? 'This route'} needs an admin key.`);
    }
  });

  if (options.rateLimit) {
    const { max, timeWindowMs } = options.rateLimit;
    await app.register(rateLimit, {
      global: true,
      max: (request) => request.principal?.quotas.rateLimit ?? max,
      timeWindow: timeWindowMs,
      // One bucket per tenant (all its keys together), per key without tenants, per address without keys:
      // only keys that passed authentication count apart, so an invented token never buys a fresh bucket.
      keyGenerator: (request) => {
        const p = request.principal;
        if (p?.tenant) return `tenant:${p.tenant}`;
        if (p?.keyId) return `key:${p.keyId}`;
        return `ip:${request.ip}`;
      },
      errorResponseBuilder: (_request, context) => {
        const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
        return new HttpError(
          'JDG_ERR_HTTP_RATE_LIMITED',
          `Rate limit of ${context.max} requests per ${context.after} reached; retry in ${seconds} s.`,
          { limit: context.max, retryAfterSeconds: seconds },
          { 'retry-after': String(seconds) },
        );
      },
    });
  }
}

/**
 * The tenant scope of a request for the judge's calls: its own tenant. Only listing crosses
 * tenants, for admins (see the listing route).
 */
export function tenantOf(request: FastifyRequest): { tenant: string | null } {
  return { tenant: request.principal?.tenant ?? null };
}

function isDocsRoute(request: FastifyRequest): boolean {
  const url = request.routeOptions.url ?? '';
  return /\/docs(\/|$)/.test(url);
}
