import { FakeRunner } from '@judgekit/core';
import type { NsjailRunner } from '@judgekit/runner-nsjail';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigKeys, createServer, hashApiKey, type JudgekitServer } from '../../src/index.js';
import captured from '../../src/openapi/examples.json' with { type: 'json' };
import { nsjailRunner } from './sandbox.js';

type Media = { schema?: unknown; example?: unknown };
type Operation = {
  operationId: string;
  tags: string[];
  parameters?: { name: string; in: string; example?: unknown; schema?: unknown }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
};
type Doc = {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

const servers: JudgekitServer[] = [];
async function documentOf(options: Partial<Parameters<typeof createServer>[0]> = {}): Promise<{ doc: Doc; server: JudgekitServer }> {
  const server = await createServer({ runner: new FakeRunner(), logger: false, ...options });
  servers.push(server);
  const doc = (await server.app.inject({ method: 'GET', url: '/docs/json' })).json() as Doc;
  return { doc, server };
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
const ownTags = new Set(['operations', 'seed', 'v1', 'cluster']);

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 for the validator from npm, with and without keys', async () => {
    const keys = new ConfigKeys({ keys: [{ sha256: hashApiKey('k'), tenant: 't', admin: true }] });
    for (const options of [{}, { keys }, { apiKeys: ['k'], rateLimit: false as const }]) {
      const { doc } = await documentOf(options);
      expect(doc.openapi).toBe('3.1.0');
      const result = await new Validator().validate(doc as never);
      expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
      expect(result.valid).toBe(true);
    }
  });

  it('names judgekit, an operationId on every route (unique), and named component schemas', async () => {
    const { doc } = await documentOf();
    expect(doc.info.title).toBe('judgekit');
    const ids = operations(doc).map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['SubmissionInput', 'SubmissionResult', 'TestResult', 'StepResult', 'LimitsInput', 'Error', 'Language']),
    );
    const create = doc.paths['/v1/submissions']!.post!;
    expect(JSON.stringify(create.requestBody)).toContain('#/components/schemas/SubmissionInput"');
    // Every named schema is used: no unused input/output twins.
    const text = JSON.stringify(doc.paths) + JSON.stringify(doc.components);
    for (const name of Object.keys(doc.components.schemas)) expect(text, name).toContain(`#/components/schemas/${name}"`);
    expect(JSON.stringify(create.responses['200'])).toContain('#/components/schemas/SubmissionResult');
  });

  it('declares only the errors each route can give, 413/415/500 where they apply', async () => {
    const open = (await documentOf()).doc;
    const statuses = (doc: Doc, path: string, method: string) => Object.keys(doc.paths[path]![method]!.responses).sort();
    expect(statuses(open, '/v1/languages', 'get')).toEqual(['200', '429', '500']);
    expect(statuses(open, '/healthz', 'get')).toEqual(['200', '500']);
    expect(statuses(open, '/v1/submissions', 'post')).toEqual(['200', '202', '400', '413', '415', '422', '429', '500', '503']);
    expect(statuses(open, '/v1/submissions/{id}', 'get')).toEqual(['200', '400', '404', '414', '429', '500']);
    expect(statuses(open, '/readyz', 'get')).toEqual(['200', '500', '503']);
    const keyed = (await documentOf({ apiKeys: ['k'], rateLimit: false })).doc;
    expect(statuses(keyed, '/v1/languages', 'get')).toEqual(['200', '401', '500']);
    expect(statuses(keyed, '/v1/workers', 'get')).toEqual(['200', '401', '403', '500', '503']);
    expect(statuses(keyed, '/healthz', 'get')).toEqual(['200', '500']);
  });

  it('declares the event stream as text/event-stream with access_token, and its WebSocket upgrade', async () => {
    const { doc } = await documentOf({ apiKeys: ['k'] });
    const events = doc.paths['/v1/submissions/{id}/events']!.get!;
    expect(Object.keys(events.responses['200']!.content!)).toEqual(['text/event-stream']);
    expect(events.parameters?.find((p) => p.name === 'access_token')).toMatchObject({ in: 'query' });
    expect(events.responses['101']).toBeDefined();
    expect(String(events.responses['200']!.content!['text/event-stream']!.example)).toContain('event: done');
    const sessions = doc.paths['/v1/sessions']!.get!;
    expect(Object.keys(sessions.responses).filter((s) => Number(s) < 300)).toEqual(['101']);
    expect(String(sessions.responses['101']!.content!['text/plain']!.example)).toContain('"type":"ready"');
    expect(sessions.parameters?.find((p) => p.name === 'access_token')).toMatchObject({ in: 'query' });
    expect(Object.keys(doc.paths['/api/v2/connect']!.get!.responses)).toContain('101');
  });

  it('gives every route an example answer, and each example fits its schema', async () => {
    const { doc } = await documentOf({ apiKeys: ['k'] });
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'https://judgekit.invalid/doc', components: doc.components });
    const check = (where: string, media: Media | undefined) => {
      if (!media || media.example === undefined || media.schema === undefined) return false;
      const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"https://judgekit.invalid/doc#/components/'));
      const ok = ajv.validate(schema, media.example);
      expect(ok, `${where}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      return true;
    };
    let checked = 0;
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      const body = op.requestBody?.content['application/json'];
      if (body) expect(check(`${where} request`, body), `${where} has a request example`).toBe(true);
      // A WebSocket-only route answers with its upgrade (101), shown with a transcript.
      const upgradeOnly = !Object.keys(op.responses).some((s) => s.startsWith('2'));
      const success = Object.entries(op.responses).filter(
        ([status]) => Number(status) < 300 && status !== '204' && (upgradeOnly || status !== '101'),
      );
      if (!op.responses['204']) expect(success.length, where).toBeGreaterThan(0);
      for (const [status, response] of success) {
        const media = response.content && Object.values(response.content)[0];
        expect(media?.example, `${where} ${status} has an example answer`).toBeDefined();
        if (check(`${where} ${status}`, media)) checked++;
      }
      if (ownTags.has(op.tags[0]!)) {
        for (const [status, response] of Object.entries(op.responses).filter(([s]) => Number(s) >= 400 && s !== '500')) {
          if (check(`${where} ${status}`, response.content?.['application/json'])) checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('shows judgekit’s title and logo in Swagger UI, not Fastify’s', async () => {
    const { server } = await documentOf();
    const page = await server.app.inject({ method: 'GET', url: '/docs' });
    expect(page.body).toContain('<title>judgekit API</title>');
    // Swagger UI swaps its header image for the one given, as a data URI.
    const script = (await server.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })).body;
    const logo = /data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/.exec(script)?.[1];
    expect(Buffer.from(logo ?? '', 'base64').toString()).toContain('aria-label="judgekit"');
  });
});

const runner = await nsjailRunner();
const sandboxed = runner ? describe : describe.skip;

// "Try it out" sends the example as it stands: each one must succeed against a real server.
sandboxed('the examples, sent as "Try it out" sends them to a real server (nsjail)', () => {
  let server: JudgekitServer;
  let base: string;
  let doc: Doc;
  beforeAll(async () => {
    server = await createServer({ runner: runner as NsjailRunner, port: 0, logger: false, rateLimit: false });
    base = await server.listen();
    doc = (await (await fetch(`${base}/docs/json`)).json()) as Doc;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers each body example of a judgekit, Piston or Judge0 route with the documented success', async () => {
    const sent: string[] = [];
    for (const { path, method, op } of operations(doc)) {
      const body = op.requestBody?.content['application/json']?.example;
      if (body === undefined || path.includes('{')) continue;
      const query = new URLSearchParams();
      for (const p of op.parameters ?? []) if (p.in === 'query' && p.example !== undefined) query.set(p.name, String(p.example));
      const response = await fetch(`${base}${path}${query.size ? `?${query}` : ''}`, {
        method: method.toUpperCase(),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const documented = Object.keys(op.responses).filter((s) => Number(s) < 300);
      expect(documented, `${method} ${path} answered ${response.status}: ${await response.clone().text()}`).toContain(
        String(response.status),
      );
      const example = (captured.operations as Record<string, { responses: Record<string, unknown> }>)[op.operationId]?.responses[
        String(response.status)
      ] as { verdict?: string } | undefined;
      const answer = (await response.json()) as { verdict?: string };
      if (example?.verdict) expect(answer.verdict).toBe(example.verdict);
      sent.push(op.operationId);
    }
    expect(sent).toEqual(
      expect.arrayContaining(['createSubmission', 'createSubmissionBatch', 'seedExecute', 'pistonExecute', 'judge0CreateSubmission']),
    );
  });
});
