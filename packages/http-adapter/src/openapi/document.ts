import type { SwaggerOptions } from '@fastify/swagger';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { HttpApi } from '../http/api.js';
import type { ResolvedPluginOptions } from '../options.js';
import { adapterVersion } from '../version.js';
import capturedExamples from './examples.json' with { type: 'json' };
import { madeOperationId, operationIds } from './operations.js';
import { openApiRegistry } from './registry.js';

/** Tags whose routes answer in judgekit's error shape (the compatibility APIs answer in their own). */
const ownShape = new Set(['operations', 'seed', 'v1', 'cluster', 'sessions']);

/** What the document needs to know of a route beyond its schema. */
interface RouteFacts {
  tag: string | undefined;
  public: boolean;
  admin: boolean;
  rateLimited: boolean;
  body: boolean;
  input: boolean;
}

type Json = Record<string, unknown>;
type Operation = {
  operationId?: string;
  tags?: string[];
  parameters?: Json[];
  requestBody?: { content?: Record<string, { schema?: unknown; example?: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown; example?: unknown }> }>;
  description?: string;
};

/** The examples captured from a real server (`npm run capture-examples -w packages/http-adapter`). */
export interface CapturedExamples {
  /** By operationId: the request that was sent and what the server answered, by status. */
  operations: Record<
    string,
    { request?: { body?: unknown; query?: Record<string, string>; params?: Record<string, string> }; responses: Record<string, unknown> }
  >;
  /** One captured error body per status, shown on every judgekit route that declares the status. */
  errors: Record<string, unknown>;
}

function examples(): CapturedExamples | null {
  return (capturedExamples as CapturedExamples | undefined) ?? null;
}

const errorDescriptions: Record<string, string> = {
  '400':
    'The request is invalid (`JDG_ERR_INPUT_INVALID`, `JDG_ERR_LIMIT_EXCEEDS_MAX`, `JDG_ERR_HTTP_BODY_MALFORMED`); `details.issues` names each field.',
  '401': 'No API key, or one the server does not know (`JDG_ERR_HTTP_UNAUTHORIZED`).',
  '403': 'The key may not do this: an admin key is needed (`JDG_ERR_HTTP_FORBIDDEN`).',
  '404': 'No such submission (`JDG_ERR_SUBMISSION_NOT_FOUND`).',
  '413': 'The body is larger than the server’s body limit (`JDG_ERR_HTTP_BODY_TOO_LARGE`).',
  '414': 'A path segment is longer than the router reads (`JDG_ERR_HTTP_URL_TOO_LONG`).',
  '415': 'The body is not JSON (`JDG_ERR_HTTP_MEDIA_TYPE`).',
  '422': 'The language is not known to this server (`JDG_ERR_LANGUAGE_UNKNOWN`).',
  '429': 'Over the rate limit or a tenant quota (`JDG_ERR_HTTP_RATE_LIMITED`, `JDG_ERR_TENANT_QUOTA_EXCEEDED`); see `Retry-After`.',
  '431': 'The request line and headers are too large (`JDG_ERR_HTTP_HEADERS_TOO_LARGE`).',
  '500': 'The server failed unexpectedly (`JDG_ERR_HTTP_INTERNAL`, `JDG_ERR_STORE_FAILED`); the message says what, never a stack.',
  '501': 'The result store cannot list (`JDG_ERR_LISTING_UNAVAILABLE`).',
  '503': 'Not now: the queue is full, the server is draining, or a backing service is down; see `Retry-After`.',
};

/**
 * @internal
 * The options of @fastify/swagger for judgekit's document: OpenAPI 3.1 from the zod schemas, with
 * named components, an operationId on every route, only the errors each route can give,
 * examples captured from a real server, the event stream as `text/event-stream` with its
 * `access_token`, and the WebSocket upgrades.
 */
export function openApiOptions(options: ResolvedPluginOptions, served: readonly HttpApi[], prefix: string): SwaggerOptions {
  const authenticated = options.apiKeys.length > 0 || options.keys !== null;
  const facts = new Map<string, RouteFacts>();
  const zodTransform = createJsonSchemaTransform({ schemaRegistry: openApiRegistry });
  const zodTransformObject = createJsonSchemaTransformObject({ schemaRegistry: openApiRegistry });

  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'judgekit',
        version: adapterVersion,
        summary: 'Run untrusted code in real sandboxes and judge it.',
        description:
          'The seed API, the versioned API (`/v1`) with live events and sessions, and compatibility APIs (Piston v2, Judge0 CE 1.13.1). ' +
          'Every judgekit error answers `{ error: { code, message, details } }` with a stable code (see docs/errors.md); a ' +
          'compatibility API answers in the shape of the system it imitates. "Try it out" sends each route’s example: submit first, ' +
          'then use the `id` it answers in the routes that take one.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      tags: served.filter((api) => !api.undocumented).map((api) => ({ name: api.name, description: api.description })),
      components: authenticated ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {},
      security: authenticated ? [{ bearer: [] }] : [],
    },
    transform(input) {
      const out = zodTransform(input);
      // A 204 answer has no body: the document declares none (a zod `null` would show as a JSON body).
      const response = (out.schema as { response?: Record<string, { description?: string }> }).response;
      const noContent = (input.schema as { response?: Record<string, { description?: string }> } | undefined)?.response?.['204'];
      if (response?.['204']) response['204'] = { type: 'null', description: noContent?.description ?? 'No content.' } as never;
      const route = input.route;
      const schema = input.schema as
        | { tags?: string[]; body?: unknown; querystring?: unknown; params?: unknown; hide?: boolean }
        | undefined;
      const config = (route.config ?? {}) as { public?: boolean; admin?: boolean; rateLimit?: unknown };
      const url = documentPath(out.url ?? input.url);
      for (const method of [route.method].flat()) {
        facts.set(`${method} ${url}`, {
          tag: schema?.tags?.[0],
          public: config.public === true || /\/docs(\/|$)/.test(url),
          admin: config.admin === true,
          rateLimited: options.rateLimit !== false && config.rateLimit !== false,
          body: schema?.body !== undefined,
          input: schema?.body !== undefined || schema?.querystring !== undefined || schema?.params !== undefined,
        });
      }
      return out;
    },
    transformObject(input) {
      const document = zodTransformObject(input as never) as { paths: Record<string, Record<string, Operation>>; components?: Json };
      const captured = examples();
      for (const [path, methods] of Object.entries(document.paths ?? {})) {
        for (const [method, operation] of Object.entries(methods)) {
          const key = `${method.toUpperCase()} ${path}`;
          const bare = prefix && path.startsWith(prefix) ? path.slice(prefix.length) || '/' : path;
          operation.operationId = operationIds[`${method.toUpperCase()} ${bare}`] ?? madeOperationId(method, bare);
          const route = facts.get(key);
          if (route && ownShape.has(route.tag ?? '')) declareErrors(operation, route, authenticated, options.keys !== null, captured);
          if (operation.responses['204'])
            operation.responses['204'] = { description: operation.responses['204'].description ?? 'No content.' };
          if (bare === '/v1/submissions/{id}/events') describeEventStream(operation, authenticated);
          if (bare === '/v1/sessions' || bare === '/api/v2/connect') describeUpgrade(operation, bare, authenticated);
          if (captured) attachExamples(operation, captured.operations[operation.operationId]);
        }
      }
      pruneUnused(document);
      return document as never;
    },
  };
}

/**
 * Drops the component schemas nothing refers to: the zod provider names an input and an output
 * variant of each registered schema (`SubmissionInput` for requests, `SubmissionResult` for
 * answers), and the unused half would only clutter Swagger UI.
 */
function pruneUnused(document: { paths: unknown; components?: Json }): void {
  const schemas = document.components?.schemas as Record<string, unknown> | undefined;
  if (!schemas) return;
  const used = new Set<string>();
  const visit = (node: unknown) => {
    const text = JSON.stringify(node) ?? '';
    for (const match of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      const name = match[1]!;
      if (used.has(name)) continue;
      used.add(name);
      visit(schemas[name]);
    }
  };
  visit(document.paths);
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
}

/** `/v1/submissions/:id` → `/v1/submissions/{id}`, as the document writes paths. */
function documentPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Only the errors a route can give: its own (from its schema) and those its shape and the server's options bring. */
function declareErrors(
  operation: Operation,
  route: RouteFacts,
  authenticated: boolean,
  durableKeys: boolean,
  captured: CapturedExamples | null,
): void {
  const error = { $ref: '#/components/schemas/Error' };
  const isError = (status: string) => {
    const schema = operation.responses[status]?.content?.['application/json']?.schema as { $ref?: string } | undefined;
    return schema?.$ref === error.$ref;
  };
  // A status the route answers with a body of its own (the 503 of /readyz) is the route's, untouched.
  const own = new Set(Object.keys(operation.responses).filter((s) => Number(s) >= 400 && !isError(s)));
  const statuses = new Set(Object.keys(operation.responses).filter((s) => Number(s) >= 400 && isError(s)));
  if (route.input) statuses.add('400');
  if (route.body) {
    statuses.add('413');
    statuses.add('415');
  }
  if (authenticated && !route.public) statuses.add('401');
  if (authenticated && route.admin) statuses.add('403');
  else if (!authenticated) statuses.delete('403');
  if (!authenticated || route.public) statuses.delete('401');
  if (route.rateLimited && !route.public) statuses.add('429');
  else statuses.delete('429');
  // Tenant keys looked up in PostgreSQL: a key not seen before answers 503 while the database is down.
  if (durableKeys && !route.public) statuses.add('503');
  statuses.add('500');
  for (const status of own) statuses.delete(status);
  for (const status of Object.keys(operation.responses))
    if (Number(status) >= 400 && !own.has(status) && !statuses.has(status)) delete operation.responses[status];
  for (const status of [...statuses].sort()) {
    const example = captured?.errors[status];
    operation.responses[status] = {
      description: errorDescriptions[status] ?? 'An error.',
      content: { 'application/json': { schema: error, ...(example === undefined ? {} : { example }) } },
    };
  }
}

/** The events route: an SSE stream, `access_token` for EventSource, and the WebSocket upgrade on the same URL. */
function describeEventStream(operation: Operation, authenticated: boolean): void {
  operation.parameters = [
    ...(operation.parameters ?? []).filter((p) => p.name !== 'access_token'),
    {
      name: 'access_token',
      in: 'query',
      required: false,
      description:
        'The API key, for clients that cannot send `Authorization` (EventSource, browser WebSockets).' +
        (authenticated ? '' : ' Unused: this server has no keys.'),
      schema: { type: 'string' },
    },
  ];
  operation.responses['101'] = {
    description:
      'Switching Protocols: with `Connection: Upgrade` and `Upgrade: websocket` the same URL answers a WebSocket. Each message is one JSON ' +
      'event `{ type, id, ... }` (as the SSE `data:`); after `done` or `cancelled` the server closes with 1000, an unknown id with 4404.',
  };
}

const sessionTranscript = [
  '→ {"type":"start","language":"python3","source":"name = input(\'name? \')\\nprint(\'hi\', name)","tty":true}',
  '← {"type":"ready","id":"ses_3q…","language":"python3","version":"3.11.2","tty":true}',
  '← {"type":"stage","stage":"run"}',
  '← {"type":"data","stage":"run","stream":"stdout","data":"name? "}',
  '→ {"type":"stdin","data":"ada\\r"}',
  '← {"type":"data","stage":"run","stream":"stdout","data":"ada\\r\\nhi ada\\r\\n"}',
  '← {"type":"exit","stage":"run","exitCode":0,"signal":null,"cpuTimeMs":14.2,"wallTimeMs":2210.5,"memoryBytes":8847360,"limitExceeded":null}',
  '   (close 1000)',
].join('\n');

const pistonTranscript = [
  '→ {"type":"init","language":"python3","version":"*","files":[{"content":"print(input()[::-1])"}]}',
  '← {"type":"runtime","language":"python3","version":"3.11.2"}',
  '← {"type":"stage","stage":"run"}',
  '→ {"type":"data","stream":"stdin","data":"abc\\n"}',
  '← {"type":"data","stream":"stdout","data":"cba\\n"}',
  '← {"type":"exit","stage":"run","code":0,"signal":null}',
  '   (close 4999 Job Completed)',
].join('\n');

/** A WebSocket-only route: its answer is the upgrade, shown with a message transcript (docs/interactive.md). */
function describeUpgrade(operation: Operation, path: string, authenticated: boolean): void {
  for (const status of Object.keys(operation.responses)) if (Number(status) < 300) delete operation.responses[status];
  operation.responses['101'] = {
    description:
      'Switching Protocols: the WebSocket. Each message is one JSON text frame; the transcript shows a session (→ client, ← server). ' +
      'The protocol, its messages and close codes are in docs/interactive.md.',
    content: { 'text/plain': { schema: { type: 'string' }, example: path === '/v1/sessions' ? sessionTranscript : pistonTranscript } },
  };
  if (path === '/v1/sessions') {
    operation.parameters = [
      ...(operation.parameters ?? []).filter((p) => p.name !== 'access_token'),
      {
        name: 'access_token',
        in: 'query',
        required: false,
        description:
          'The API key, for browsers (a WebSocket cannot carry `Authorization` there).' +
          (authenticated ? '' : ' Unused: this server has no keys.'),
        schema: { type: 'string' },
      },
    ];
  }
}

function attachExamples(operation: Operation, captured: CapturedExamples['operations'][string] | undefined): void {
  if (!captured) return;
  const body = operation.requestBody?.content?.['application/json'];
  if (body && captured.request?.body !== undefined) body.example = captured.request.body;
  for (const parameter of operation.parameters ?? []) {
    const where = parameter.in === 'path' ? captured.request?.params : parameter.in === 'query' ? captured.request?.query : undefined;
    const value = where?.[parameter.name as string];
    if (value !== undefined) parameter.example = value;
  }
  for (const [status, example] of Object.entries(captured.responses)) {
    const response = operation.responses[status];
    if (!response) continue;
    // A route without a response schema (plain text, or a body of its own) still shows what it answers.
    response.content ??=
      typeof example === 'string'
        ? { 'text/plain': { schema: { type: 'string' } } }
        : { 'application/json': { schema: { type: Array.isArray(example) ? 'array' : 'object' } } };
    const content = response.content;
    const media = content['application/json'] ?? content['text/event-stream'] ?? Object.values(content)[0];
    if (media) media.example = example;
  }
}
