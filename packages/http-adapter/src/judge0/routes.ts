import { isJudgeError, maxListLimit, type SubmissionResult } from '@judgekit/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { keyResolverOf, tenantOf } from '../auth/hooks.js';
import type { AdapterContext } from '../context.js';
import { toHttpFailure } from '../errors/http-errors.js';
import type { HttpApi } from '../http/api.js';
import { requestSignal } from '../http/request-signal.js';
import { authzHeader, credential } from './auth.js';
import { encode64, utf8OrNull } from './base64.js';
import { EchoCache, echoFromInput } from './echo.js';
import { fieldErrorsOf, type Judge0Failure, railsError } from './errors.js';
import { parseFields, type SubmissionField } from './fields.js';
import { configInfo, judge0Version, Statistics, systemInfo, workersInfo } from './info.js';
import { commandText, type Judge0LanguageEntry, judge0IdOf, judge0Language, judge0LanguageTable, multiFileLanguage } from './languages.js';
import type { ResolvedJudge0Options } from './options.js';
import { Judge0Invalid, metadataKey, type RequestContext, readRequest, toSubmission } from './request.js';
import { type SubmissionEcho, serializeSubmission } from './response.js';
import {
  judge0About,
  judge0BatchBody,
  judge0Error,
  judge0FieldErrors,
  judge0LanguageSchema,
  judge0Languages,
  judge0Query,
  judge0Statuses as judge0StatusesSchema,
  judge0SubmissionBody,
  judge0SubmissionObject,
  judge0Token,
} from './schemas.js';
import { judge0Status, judge0Statuses } from './statuses.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A Judge0-compatible route: it authenticates with `X-Auth-Token` and answers Judge0's error shapes. */
    judge0?: boolean;
  }
}

const tags = ['judge0'];

/** A Judge0 answer raised from inside a handler. */
class Judge0Reply extends Error {
  constructor(readonly failure: Judge0Failure) {
    super(`Judge0 answer ${failure.status}`);
  }
}

const fail = (status: number, error: string | null): never => {
  throw new Judge0Reply({ status, body: error === null ? null : { error }, headers: {} });
};

/**
 * The Judge0 CE 1.13.1-compatible API, at the root unless its `prefix` option moves it (the
 * prefix is the server's choice, so the API registers its routes under it itself).
 */
export const judge0Api: HttpApi = {
  name: 'judge0',
  description: 'Judge0 CE 1.13.1 compatibility: Judge0’s language ids, statuses, units and error shapes.',
  enabled: (options) => options.judge0 !== null,
  async register(app: FastifyInstance, ctx: AdapterContext) {
    const options = ctx.options.judge0;
    if (!options) return;
    await app.register((child: FastifyInstance) => judge0Routes(child, ctx, options), { prefix: options.prefix });
  },
};

/**
 * The Judge0 CE 1.13.1-compatible API: submissions (single, batch, wait, fields, base64), languages
 * with Judge0's ids, statuses, and the information routes, so Judge0's clients work unchanged.
 * Registered by the plugin in a context of its own (its prefix, error shapes, body parsers).
 */
export async function judge0Routes(app: FastifyInstance, ctx: AdapterContext, options: ResolvedJudge0Options): Promise<void> {
  const { judge } = ctx;
  const keys = keyResolverOf(ctx.options);
  const statistics = new Statistics(judge);
  const echoes = new EchoCache(options.echo);
  app.addHook('onClose', async () => statistics.close());
  if (options.enableAdditionalFiles && !judge.languages.find(multiFileLanguage.id)) judge.languages.register(multiFileLanguage);

  const requestContext: RequestContext = {
    options,
    languageOf: (entry) => judge.languages.find(entry.language),
    compilerOptions: true,
    // Callbacks go through the server's webhook machinery (SSRF policy, retries); without it they are refused.
    callbacks: ctx.options.webhooks !== null,
  };

  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), judge0: true } as typeof route.config;
  });
  // Judge0's authentication: every route needs X-Auth-Token (or judgekit's Bearer key) when keys are configured.
  app.addHook('onRequest', async (request) => {
    // judgekit's authentication resolved the key (Bearer, X-Auth-Token or ?X-Auth-Token=) to a tenant before this.
    if (keys && request.principal.keyId === null) fail(401, null);
  });
  // Judge0 clients post JSON; some omit the content type or send text/plain.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const failure = error instanceof Judge0Reply ? error.failure : judge0FailureOf(error, ctx.options.retryAfterSeconds);
    if (failure.status >= 500) request.log.error({ err: error }, 'request failed');
    reply.code(failure.status).headers(failure.headers);
    return failure.body === null ? reply.send() : reply.send(failure.body);
  });
  if (options.prefix !== '') app.setNotFoundHandler((_request, reply) => reply.code(404).send(railsError(404).body));

  // Judge0's authorization (X-Auth-User) for its privileged routes: an admin key of judgekit's.
  const authorize = async (request: FastifyRequest) => {
    if (!keys) return;
    const user = credential(request, authzHeader);
    const principal = user === null ? null : await keys.resolve(user);
    if (!principal?.admin) fail(403, null);
  };

  /** The display name of an entry, from the version this host detected. */
  const nameOf = async (entry: Judge0LanguageEntry): Promise<string | null> => {
    const language = judge.languages.find(entry.language);
    if (!language) return null;
    const version = await judge.version(language.id).catch(() => null);
    return version === null ? null : entry.name(version);
  };
  const available = async () => {
    const named = await Promise.all(judge0LanguageTable.map(async (entry) => ({ entry, name: await nameOf(entry) })));
    return named
      .filter((l): l is { entry: Judge0LanguageEntry; name: string } => l.name !== null)
      .sort((a, b) => a.name.localeCompare(b.name, 'en') || a.entry.id - b.entry.id);
  };
  const languageNameOf = async (result: SubmissionResult): Promise<string> => {
    const id = Number(result.metadata?.[metadataKey.languageId] ?? judge0IdOf(result.language.id));
    const entry = judge0Language(id);
    const name = entry ? await nameOf(entry) : null;
    return name ?? entry?.judge0Name ?? result.language.id;
  };
  /** What the submission was sent with: this process's copy, else the durable store's input. */
  const echoOf = async (result: SubmissionResult): Promise<SubmissionEcho | null> => {
    const held = echoes.get(result.id);
    if (held || !options.inputs) return held;
    const input = await options.inputs.getInput(result.id);
    if (!input) return null;
    return echoFromInput(input, Number(result.metadata?.[metadataKey.languageId] ?? judge0IdOf(result.language.id)));
  };
  /** The submission as Judge0 answers it; throws {@link NotUtf8} for a source that is not text without base64. */
  const serialize = async (result: SubmissionResult, fields: readonly SubmissionField[], base64: boolean) => {
    const echo = fields.some((f) => echoFields.has(f)) ? await echoOf(result) : null;
    if (!base64 && fields.includes('source_code') && echo?.sourceCode && utf8OrNull(echo.sourceCode) === null) throw new NotUtf8();
    return serializeSubmission(result, {
      fields,
      base64,
      languageName: fields.includes('language') ? await languageNameOf(result) : '',
      echo,
    });
  };
  /** Judge0's answer when text it would answer is not UTF-8 (`render_conversion_error`). */
  const one = async (result: SubmissionResult, fields: readonly SubmissionField[], base64: boolean, token?: string) => {
    try {
      return await serialize(result, fields, base64);
    } catch (error) {
      if (!(error instanceof NotUtf8)) throw error;
      const body: Record<string, string> = { error: `some attributes for this submission ${utf8Advice}` };
      if (token) body.token = token;
      return body;
    }
  };
  const many = async (results: (SubmissionResult | null)[], fields: readonly SubmissionField[], base64: boolean) => {
    try {
      return await Promise.all(results.map((r) => (r ? serialize(r, fields, base64) : null)));
    } catch (error) {
      if (error instanceof NotUtf8) fail(400, `some attributes for one or more submissions ${utf8Advice}`);
      throw error;
    }
  };

  const readFields = (request: FastifyRequest): readonly SubmissionField[] => {
    const { fields, invalid } = parseFields(param(request, 'fields'));
    if (invalid.length > 0) fail(400, `invalid fields: [${invalid.join(', ')}]`);
    return fields;
  };

  /** Validates, maps and queues one Judge0 submission; throws Judge0Invalid or a judge error. */
  const create = async (body: unknown, base64: boolean, request: FastifyRequest): Promise<string> => {
    const parsed = readRequest(body, base64, requestContext);
    const input = await toSubmission(parsed, requestContext, judge.maxLimits);
    try {
      const token = await ctx.submit(input, request);
      echoes.set(token, {
        sourceCode: parsed.sourceCode,
        stdin: parsed.stdin,
        expectedOutput: parsed.expectedOutput,
        additionalFiles: parsed.additionalFiles ? encode64(parsed.additionalFiles) : null,
      });
      return token;
    } catch (error) {
      const errors = isJudgeError(error) ? fieldErrorsOf(error, parsed.languageId, judge.maxLimits) : null;
      if (errors) throw new Judge0Invalid(errors);
      throw error;
    }
  };

  app.post(
    '/submissions',
    {
      schema: {
        tags,
        summary: 'Create a submission (Judge0)',
        description:
          'Judge0 CE 1.13.1’s create: 201 `{ token }`, or with `wait=true` the submission (its `fields`) once done. Limits in seconds ' +
          'and kilobytes with Judge0’s defaults; 422 `{ field: [messages] }` for a field Judge0 or judgekit refuses.',
        querystring: judge0Query,
        body: judge0SubmissionBody,
        response: { 201: z.union([judge0Token, judge0SubmissionObject]), 400: judge0Error, 422: judge0FieldErrors, 503: judge0Error },
      },
    },
    async (request, reply) => {
      const base64 = param(request, 'base64_encoded') === 'true';
      const wait = param(request, 'wait') === 'true';
      if (wait && !options.enableWait) fail(400, 'wait not allowed');
      const fields = readFields(request);
      const token = await create(request.body, base64, request);
      if (!wait) return reply.code(201).send({ token });
      const result = await holdUntilDone(ctx, token, requestSignal(reply), tenantOf(request));
      return reply.code(201).send(await one(result, fields, base64, token));
    },
  );

  app.post(
    '/submissions/batch',
    {
      schema: {
        tags,
        summary: 'Create a batch of submissions (Judge0)',
        description:
          'At most `max_submission_batch_size` (20). Each item answers `{ token }` or its own 422 errors; 201 when any was queued, ' +
          '422 when none was. `wait=true` is refused (400): a batch is never held.',
        querystring: judge0Query,
        body: judge0BatchBody,
        response: {
          201: z.array(z.union([judge0Token, judge0FieldErrors])),
          400: judge0Error,
          422: z.array(judge0FieldErrors),
          503: judge0Error,
        },
      },
    },
    async (request, reply) => {
      if (param(request, 'wait') === 'true') fail(400, 'wait is not allowed for batched submissions');
      const base64 = param(request, 'base64_encoded') === 'true';
      const items = (request.body as { submissions?: unknown } | null)?.submissions;
      const count = Array.isArray(items) ? items.length : 0;
      if (count > options.maxBatchSize)
        fail(400, `number of submissions in a batch should be less than or equal to ${options.maxBatchSize}`);
      if (count === 0) fail(400, 'there should be at least one submission in a batch');
      const answers: Record<string, unknown>[] = [];
      let queued = 0;
      for (const item of items as unknown[]) {
        try {
          answers.push({ token: await create(item, base64, request) });
          queued++;
        } catch (error) {
          if (error instanceof Judge0Invalid) {
            answers.push(error.errors);
            continue;
          }
          if (isJudgeError(error) && (error.code === 'JDG_ERR_QUEUE_FULL' || error.code === 'JDG_ERR_JUDGE_CLOSED')) {
            // Nothing queued yet: the whole batch is refused, as Judge0 refuses it before creating any.
            if (queued === 0) throw error;
            answers.push({ error: error.code === 'JDG_ERR_QUEUE_FULL' ? 'queue is full' : error.message });
            continue;
          }
          throw error;
        }
      }
      return reply.code(queued > 0 ? 201 : 422).send(answers);
    },
  );

  app.get(
    '/submissions/batch',
    {
      schema: {
        tags,
        summary: 'Get a batch of submissions (Judge0)',
        description: '`tokens` (query or header), comma-separated, at most 20; an unknown token answers `null` in its place.',
        querystring: judge0Query.extend({ tokens: z.string().optional().describe('Comma-separated tokens.') }),
        response: { 200: z.object({ submissions: z.array(judge0SubmissionObject.nullable()) }), 400: judge0Error },
      },
    },
    async (request) => {
      const fields = readFields(request);
      const base64 = param(request, 'base64_encoded') === 'true';
      const header = request.headers.tokens;
      const raw = typeof header === 'string' ? header : param(request, 'tokens');
      const tokens = (raw ?? '')
        .trim()
        .split(',')
        .filter((t) => t.length > 0);
      if (tokens.length > options.maxBatchSize)
        fail(400, `number of submissions in a batch should be less than or equal to ${options.maxBatchSize}`);
      if (tokens.length === 0) fail(400, 'there should be at least one submission in a batch');
      const found = await Promise.all(tokens.map((token) => find(ctx, token, tenantOf(request))));
      return { submissions: await many(found, fields, base64) };
    },
  );

  app.get(
    '/submissions',
    {
      schema: {
        tags,
        summary: 'List submissions (Judge0)',
        description:
          'Newest first, paginated with `page` (from 1) and `per_page` (default 20), with Judge0’s `meta`. From the judge’s store: the ' +
          'in-memory cache (results of the last hour) or the durable history; `total_count` counts at most ' +
          `${listingScanBound} submissions. 400 when the store cannot list.`,
        querystring: judge0Query.extend({ page: z.string().optional(), per_page: z.string().optional() }),
        response: {
          200: z.object({ submissions: z.array(judge0SubmissionObject), meta: z.record(z.string(), z.unknown()) }),
          400: judge0Error,
        },
      },
    },
    async (request) => {
      await authorize(request);
      const page = rubyInteger(param(request, 'page'), 1);
      const perPage = rubyInteger(param(request, 'per_page'), 20);
      if (page <= 0) fail(400, `invalid page: ${page}`);
      if (perPage <= 0) fail(400, `invalid per_page: ${perPage}`);
      const fields = readFields(request);
      const base64 = param(request, 'base64_encoded') === 'true';
      // The X-Auth-Token key's tenant, as on every other Judge0 route (X-Auth-User only authorises the route).
      const { items, counted, more } = await listPage(ctx, (page - 1) * perPage, perPage, tenantOf(request));
      const totalPages = Math.ceil(counted / perPage);
      return {
        submissions: await many(items, fields, base64),
        meta: {
          current_page: page,
          next_page: page < totalPages || more ? page + 1 : null,
          prev_page: page > 1 ? page - 1 : null,
          total_pages: totalPages,
          total_count: counted,
        },
      };
    },
  );

  app.get(
    '/submissions/:token',
    {
      schema: {
        tags,
        summary: 'Get a submission (Judge0)',
        description: 'The submission’s `fields` (default eight, `*` for all), text in base64 with `base64_encoded=true`.',
      },
    },
    async (request) => {
      const fields = readFields(request);
      const base64 = param(request, 'base64_encoded') === 'true';
      const result = await find(ctx, (request.params as { token: string }).token, tenantOf(request));
      if (!result) throw new Judge0Reply(railsError(404));
      try {
        return await serialize(result, fields, base64);
      } catch (error) {
        if (error instanceof NotUtf8) fail(400, `some attributes for this submission ${utf8Advice}`);
        throw error;
      }
    },
  );

  app.delete(
    '/submissions/:token',
    {
      schema: {
        tags,
        summary: 'Delete a submission (Judge0)',
        description: 'A finished submission is deleted and answered (always base64); one in queue or processing is refused with 400.',
        querystring: judge0Query,
        response: { 200: judge0SubmissionObject, 400: judge0Error },
      },
    },
    async (request) => {
      await authorize(request);
      if (!options.enableSubmissionDelete) fail(400, 'delete not allowed');
      const fields = readFields(request);
      const token = (request.params as { token: string }).token;
      const result = await find(ctx, token, tenantOf(request));
      if (!result) throw new Judge0Reply(railsError(404));
      const status = result.status === 'queued' ? judge0Status(1) : result.status === 'running' ? judge0Status(2) : null;
      if (status) fail(400, `submission cannot be deleted because its status is ${status.id} (${status.description})`);
      const answer = await serialize(result, fields, true);
      await judge.delete(token, tenantOf(request));
      ctx.origins.delete(token);
      echoes.delete(token);
      return answer;
    },
  );

  app.get('/languages', { schema: { tags, summary: 'Languages (Judge0 ids)', response: { 200: judge0Languages } } }, async () =>
    (await available()).map(({ entry, name }) => ({ id: entry.id, name })),
  );

  app.get(
    '/languages/all',
    { schema: { tags, summary: 'Active and archived languages (Judge0 ids)', response: { 200: judge0Languages } } },
    async () => (await available()).map(({ entry, name }) => ({ id: entry.id, name, is_archived: false })),
  );

  app.get(
    '/languages/:id',
    { schema: { tags, summary: 'A language (Judge0 id)', response: { 200: judge0LanguageSchema } } },
    async (request) => {
      const raw = (request.params as { id: string }).id;
      const entry = /^\d{1,9}$/.test(raw) ? judge0Language(Number(raw)) : undefined;
      const language = entry ? judge.languages.find(entry.language) : undefined;
      const name = entry ? await nameOf(entry) : null;
      if (!entry || !language || name === null) throw new Judge0Reply(railsError(404));
      return {
        id: entry.id,
        name,
        is_archived: false,
        source_file: language.sourceFile,
        compile_cmd: commandText(language, 'compile'),
        run_cmd: commandText(language, 'run'),
      };
    },
  );

  app.get('/statuses', { schema: { tags, summary: 'The 14 statuses (Judge0)', response: { 200: judge0StatusesSchema } } }, async () =>
    judge0Statuses.map((s) => ({ ...s })),
  );

  app.get('/about', { schema: { tags, summary: 'About (Judge0)', response: { 200: judge0About } } }, async () => ({
    version: judge0Version,
    homepage: null,
    source_code: null,
    maintainer: 'judgekit (a Judge0 CE 1.13.1-compatible API)',
  }));

  app.get('/version', { schema: { tags, summary: 'The Judge0 API version implemented' } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(judge0Version),
  );

  app.get('/config_info', { schema: { tags, summary: 'Configuration (Judge0)' } }, async () =>
    configInfo(judge, options, {
      compilerOptions: requestContext.compilerOptions,
      callbacks: requestContext.callbacks,
      maxQueued: judge.maxQueued,
    }),
  );

  app.get('/system_info', { schema: { tags, summary: 'System information (Judge0)' } }, async () => systemInfo());

  app.get('/workers', { schema: { tags, summary: 'Workers (Judge0)' } }, async () => workersInfo(judge, judge.concurrency));

  app.get('/statistics', { schema: { tags, summary: 'Statistics (Judge0)' } }, async () => {
    const names = new Map((await available()).map(({ entry, name }) => [entry.id, name]));
    return statistics.report((id) => names.get(id) ?? judge0Language(id)?.judge0Name ?? null);
  });

  app.post('/authenticate', { schema: { tags, summary: 'Check an authentication token (Judge0)' } }, async (_request, reply) =>
    reply.code(200).send(),
  );

  app.post('/authorize', { schema: { tags, summary: 'Check an authorization token (Judge0)' } }, async (request, reply) => {
    await authorize(request);
    return reply.code(200).send();
  });
}

/** Text Judge0 would answer is not UTF-8 (only a source can be: judgekit's outputs are text). */
class NotUtf8 extends Error {}
const utf8Advice = 'cannot be converted to UTF-8, use base64_encoded=true query parameter';

/** The attributes Judge0 answers from what was sent rather than from the run. */
const echoFields = new Set<SubmissionField>(['source_code', 'stdin', 'expected_output', 'additional_files']);

/** Most submissions a listing walks to count them (Judge0 counts its whole table). */
const listingScanBound = 10_000;

/**
 * One Judge0 page out of the judge's cursor listing: skips `offset`, takes `count`, and walks on
 * (at most {@link listingScanBound} in all) to count the rest. Newest first, as Judge0's default scope.
 */
async function listPage(
  ctx: AdapterContext,
  offset: number,
  count: number,
  scope: { tenant: string | null },
): Promise<{ items: SubmissionResult[]; counted: number; more: boolean }> {
  const items: SubmissionResult[] = [];
  let seen = 0;
  let cursor: string | undefined;
  try {
    do {
      const page = await ctx.judge.list({ limit: maxListLimit, ...(cursor ? { cursor } : {}) }, scope);
      for (const result of page.items) {
        if (seen >= offset && items.length < count) items.push(result);
        seen++;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor && seen < listingScanBound);
  } catch (error) {
    if (isJudgeError(error, 'JDG_ERR_LISTING_UNAVAILABLE')) {
      fail(400, 'listing submissions is not available: this judge’s result store cannot list (serve with --database-url)');
    }
    throw error;
  }
  return { items, counted: seen, more: cursor !== undefined };
}

/** Ruby's `String#to_i`: the leading integer, 0 when there is none; `fallback` when absent. */
function rubyInteger(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const match = /^\s*([+-]?\d+)/.exec(raw);
  return match ? Number(match[1]) : 0;
}

/** A request parameter from the query string, or from a JSON body (Rails merges both). */
function param(request: FastifyRequest, name: string): string | undefined {
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.[name];
  if (typeof fromQuery === 'string') return fromQuery;
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const fromBody = (body as Record<string, unknown>)[name];
    if (typeof fromBody === 'string') return fromBody;
  }
  return undefined;
}

async function find(ctx: AdapterContext, token: string, scope: { tenant: string | null }): Promise<SubmissionResult | null> {
  try {
    return await ctx.judge.get(token, scope);
  } catch (error) {
    if (isJudgeError(error, 'JDG_ERR_SUBMISSION_NOT_FOUND') || isJudgeError(error, 'JDG_ERR_INPUT_INVALID')) return null;
    throw error;
  }
}

/** Holds a `wait=true` create until the submission ends, the server's bound passes, or the client leaves. */
async function holdUntilDone(
  ctx: AdapterContext,
  id: string,
  signal: AbortSignal,
  scope: { tenant: string | null },
): Promise<SubmissionResult> {
  try {
    return await ctx.judge.wait(id, { ...scope, timeoutMs: ctx.options.maxWaitMs, signal });
  } catch (error) {
    if (isJudgeError(error, 'JDG_ERR_WAIT_TIMEOUT') || signal.aborted) return ctx.judge.get(id, scope);
    throw error;
  }
}

/** Any error as Judge0 answers it. */
function judge0FailureOf(error: unknown, retryAfterSeconds: number): Judge0Failure {
  if (error instanceof Judge0Invalid) return { status: 422, body: error.errors, headers: {} };
  if (isJudgeError(error, 'JDG_ERR_QUEUE_FULL'))
    return { status: 503, body: { error: 'queue is full' }, headers: { 'retry-after': String(retryAfterSeconds) } };
  if (isJudgeError(error, 'JDG_ERR_JUDGE_CLOSED'))
    return { status: 503, body: { error: error.message }, headers: { 'retry-after': String(retryAfterSeconds) } };
  if (isJudgeError(error, 'JDG_ERR_SUBMISSION_NOT_FOUND')) return railsError(404);
  const failure = toHttpFailure(error, retryAfterSeconds);
  if (failure.code === 'JDG_ERR_HTTP_UNAUTHORIZED') return { status: 401, body: null, headers: failure.headers };
  if (failure.code === 'JDG_ERR_HTTP_RATE_LIMITED') return { status: 429, body: { error: failure.message }, headers: failure.headers };
  if (failure.code === 'JDG_ERR_INPUT_INVALID' && failure.status === 400)
    return { status: 400, body: { error: failure.message }, headers: {} };
  if (failure.code === 'JDG_ERR_SUBMISSION_NOT_FOUND') return railsError(404);
  return railsError(failure.status >= 400 ? failure.status : 500, failure.headers);
}
