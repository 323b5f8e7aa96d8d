// Captures the OpenAPI document's examples from a real server (nsjail): sends each route's
// example request, keeps what the server answered, and writes src/openapi/examples.json.
// Run as root after `npm run build`:  npx tsx packages/http-adapter/scripts/capture-openapi-examples.ts
import { writeFileSync } from 'node:fs';
import { ConfigKeys, createServer, hashApiKey, type JudgekitServer } from '@judgekit/http-adapter';
import { NsjailRunner } from '@judgekit/runner-nsjail';
import type { CapturedExamples } from '../src/openapi/document.js';

type Step = {
  op: string;
  method: string;
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: string;
};

const out: CapturedExamples = { operations: {}, errors: {} };

async function send(base: string, step: Step): Promise<{ status: number; body: unknown }> {
  let path = step.path;
  for (const [k, v] of Object.entries(step.params ?? {})) path = path.replace(`{${k}}`, encodeURIComponent(v));
  const query = step.query ? `?${new URLSearchParams(step.query)}` : '';
  const headers: Record<string, string> = { ...step.headers };
  let body: string | undefined;
  if (step.raw !== undefined) body = step.raw;
  else if (step.body !== undefined) {
    body = JSON.stringify(step.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${path}${query}`, { method: step.method, headers, body });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, body: type.includes('json') ? JSON.parse(text) : text };
}

async function record(base: string, step: Step): Promise<unknown> {
  const { status, body } = await send(base, step);
  if (status >= 400) throw new Error(`${step.op}: ${step.method} ${step.path} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
  out.operations[step.op] ??= { responses: {} };
  const entry = out.operations[step.op]!;
  const request: NonNullable<CapturedExamples['operations'][string]['request']> = {};
  if (step.body !== undefined) request.body = step.body;
  if (step.query) request.query = step.query;
  if (step.params) request.params = step.params;
  if (Object.keys(request).length > 0) entry.request = request;
  if (status !== 204) entry.responses[String(status)] = body;
  return body;
}

async function error(base: string, status: number, step: Omit<Step, 'op'>): Promise<void> {
  const answer = await send(base, { op: 'error', ...step });
  if (answer.status !== status)
    throw new Error(`expected ${status} from ${step.method} ${step.path}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  out.errors[String(status)] = answer.body;
}

const served: JudgekitServer[] = [];
async function serve(options: Partial<Parameters<typeof createServer>[0]> = {}): Promise<string> {
  const server = await createServer({ runner: new NsjailRunner(), port: 0, logger: false, ...options });
  served.push(server);
  return server.listen();
}

try {
  const base = await serve({ rateLimit: false });
  const sum = {
    language: 'cpp',
    source: '#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }\n',
  };

  // operations
  await record(base, { op: 'getHealth', method: 'GET', path: '/healthz' });
  await record(base, { op: 'getReadiness', method: 'GET', path: '/readyz' });
  const metrics = (await send(base, { op: 'getMetrics', method: 'GET', path: '/metrics' })).body as string;
  out.operations.getMetrics = { responses: { '200': metrics.split('\n').slice(0, 12).join('\n') } };

  // v1
  await record(base, { op: 'listLanguages', method: 'GET', path: '/v1/languages' });
  const done = (await record(base, {
    op: 'createSubmission',
    method: 'POST',
    path: '/v1/submissions',
    query: { wait: 'true' },
    body: {
      language: 'python3',
      source: 'print(int(input()) * 2)',
      tests: [
        { input: '21', expectedOutput: '42' },
        { input: '5', expectedOutput: '10' },
      ],
    },
  })) as { id: string };
  const queued = await send(base, {
    op: 'x',
    method: 'POST',
    path: '/v1/submissions',
    body: { ...sum, tests: [{ input: '1 2', expectedOutput: '3' }] },
  });
  out.operations.createSubmission!.responses['202'] = queued.body;
  await record(base, { op: 'getSubmission', method: 'GET', path: '/v1/submissions/{id}', params: { id: done.id } });
  const events = await send(base, { op: 'x', method: 'GET', path: `/v1/submissions/${done.id}/events` });
  out.operations.watchSubmission = { request: { params: { id: done.id } }, responses: { '200': events.body } };
  const batch = (await record(base, {
    op: 'createSubmissionBatch',
    method: 'POST',
    path: '/v1/submissions/batch',
    body: {
      submissions: [
        { language: 'python3', source: 'print(input()[::-1])', stdin: 'judgekit' },
        { language: 'cobol', source: 'DISPLAY 1.' },
      ],
    },
  })) as { submissions: { id?: string }[] };
  await new Promise((r) => setTimeout(r, 1500));
  const ids = [done.id, batch.submissions[0]!.id!].join(',');
  await record(base, { op: 'listSubmissions', method: 'GET', path: '/v1/submissions', query: { limit: '2' } });
  const byIds = await send(base, { op: 'x', method: 'GET', path: '/v1/submissions', query: { ids } });
  void byIds;
  const slow = (
    await send(base, {
      op: 'x',
      method: 'POST',
      path: '/v1/submissions',
      body: { language: 'python3', source: 'import time\ntime.sleep(30)', stdin: '' },
    })
  ).body as { id: string };
  await new Promise((r) => setTimeout(r, 500));
  await record(base, { op: 'cancelSubmission', method: 'POST', path: '/v1/submissions/{id}/cancel', params: { id: slow.id } });
  await record(base, { op: 'deleteSubmission', method: 'DELETE', path: '/v1/submissions/{id}', params: { id: slow.id } });
  out.operations.deleteSubmission!.request = { params: { id: slow.id } };
  await record(base, { op: 'listWorkers', method: 'GET', path: '/v1/workers' });

  // seed
  const seed = (await record(base, {
    op: 'seedExecute',
    method: 'POST',
    path: '/execute',
    body: { source_code: "print('Hello, World!')", stdin_data: '' },
  })) as { submission_id: string };
  await new Promise((r) => setTimeout(r, 1500));
  await record(base, {
    op: 'seedGetResult',
    method: 'GET',
    path: '/result/{submission_id}',
    params: { submission_id: seed.submission_id },
  });
  await record(base, {
    op: 'seedDeleteResult',
    method: 'DELETE',
    path: '/result/{submission_id}',
    params: { submission_id: seed.submission_id },
  });

  // Piston
  await record(base, { op: 'pistonRuntimes', method: 'GET', path: '/api/v2/runtimes' });
  await record(base, {
    op: 'pistonExecute',
    method: 'POST',
    path: '/api/v2/execute',
    body: { language: 'python3', version: '*', files: [{ name: 'main.py', content: 'print(input()[::-1])' }], stdin: 'piston' },
  });

  // Judge0
  const j0 = (await record(base, {
    op: 'judge0CreateSubmission',
    method: 'POST',
    path: '/submissions',
    query: { base64_encoded: 'false', wait: 'true' },
    body: { source_code: 'print(int(input()) + 1)', language_id: 71, stdin: '41', expected_output: '42' },
  })) as { token: string };
  await record(base, {
    op: 'judge0GetSubmission',
    method: 'GET',
    path: '/submissions/{token}',
    params: { token: j0.token },
    query: { base64_encoded: 'false' },
  });
  await record(base, {
    op: 'judge0ListSubmissions',
    method: 'GET',
    path: '/submissions',
    query: { base64_encoded: 'false', per_page: '1' },
  });
  const j0batch = (await record(base, {
    op: 'judge0CreateSubmissionBatch',
    method: 'POST',
    path: '/submissions/batch',
    query: { base64_encoded: 'false' },
    body: {
      submissions: [
        { source_code: 'print(1)', language_id: 71 },
        { source_code: 'print(2)', language_id: 71 },
      ],
    },
  })) as { token: string }[];
  await new Promise((r) => setTimeout(r, 1500));
  await record(base, {
    op: 'judge0GetSubmissionBatch',
    method: 'GET',
    path: '/submissions/batch',
    query: { tokens: j0batch.map((t) => t.token).join(','), base64_encoded: 'false' },
  });
  await record(base, {
    op: 'judge0DeleteSubmission',
    method: 'DELETE',
    path: '/submissions/{token}',
    params: { token: j0batch[1]!.token },
    query: { base64_encoded: 'false' },
  });
  for (const [op, path] of [
    ['judge0Languages', '/languages'],
    ['judge0AllLanguages', '/languages/all'],
    ['judge0Statuses', '/statuses'],
    ['judge0About', '/about'],
    ['judge0Version', '/version'],
    ['judge0ConfigInfo', '/config_info'],
    ['judge0SystemInfo', '/system_info'],
    ['judge0Workers', '/workers'],
    ['judge0Statistics', '/statistics'],
  ] as const) {
    await record(base, { op, method: 'GET', path });
  }
  await record(base, { op: 'judge0Language', method: 'GET', path: '/languages/{id}', params: { id: '71' } });
  await record(base, { op: 'judge0Authenticate', method: 'POST', path: '/authenticate' });
  await record(base, { op: 'judge0Authorize', method: 'POST', path: '/authorize' });

  // errors, one real answer per status
  await error(base, 400, { method: 'POST', path: '/v1/submissions', body: { language: 'python3' } });
  await error(base, 404, { method: 'GET', path: '/v1/submissions/01a23451-72dc-7000-8961-39307f429bde' });
  await error(base, 414, { method: 'GET', path: `/v1/submissions/${'x'.repeat(300)}` });
  await error(base, 415, { method: 'POST', path: '/v1/submissions', raw: 'print(1)', headers: { 'content-type': 'text/x-python' } });
  await error(base, 422, { method: 'POST', path: '/v1/submissions', body: { language: 'cobol', source: 'DISPLAY 1.' } });
  await error(base, 431, { method: 'GET', path: '/v1/languages', headers: { 'x-padding': 'x'.repeat(40_000) } }).catch(() => {});
  const keys = new ConfigKeys({
    keys: [
      { sha256: hashApiKey('ops-admin-key'), tenant: 'ops', admin: true },
      { sha256: hashApiKey('acme-key'), tenant: 'acme' },
    ],
  });
  const guarded = await serve({ keys, rateLimit: { max: 2, timeWindowMs: 60_000 }, bodyLimitBytes: 1024 });
  await error(guarded, 401, { method: 'GET', path: '/v1/languages' });
  await error(guarded, 403, { method: 'GET', path: '/v1/workers', headers: { authorization: 'Bearer acme-key' } });
  await error(guarded, 413, {
    method: 'POST',
    path: '/v1/submissions',
    body: { language: 'python3', source: 'x'.repeat(4096) },
    headers: { authorization: 'Bearer ops-admin-key' },
  });
  await send(guarded, { op: 'x', method: 'GET', path: '/v1/languages', headers: { authorization: 'Bearer ops-admin-key' } });
  await error(guarded, 429, { method: 'GET', path: '/v1/languages', headers: { authorization: 'Bearer ops-admin-key' } });
  const full = await serve({ judgeOptions: { maxQueued: 0 }, rateLimit: false });
  await error(full, 503, { method: 'POST', path: '/v1/submissions', body: { language: 'python3', source: 'print(1)', stdin: '' } });

  const file = new URL('../src/openapi/examples.json', import.meta.url);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(
    `captured ${Object.keys(out.operations).length} operations and ${Object.keys(out.errors).length} error statuses into ${file.pathname}`,
  );
} finally {
  await Promise.all(served.map((s) => s.close()));
}
