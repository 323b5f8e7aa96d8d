import { readFileSync } from 'node:fs';
import type { NsjailRunner } from '@judgekit/runner-nsjail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createServer, type JudgekitServer } from '../../src/index.js';
import { nsjailRunner } from './sandbox.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

const runner = await nsjailRunner();
const suite = runner ? describe : describe.skip;

suite('HTTP API on a listening server with the nsjail sandbox', () => {
  let server: JudgekitServer;
  let base: string;

  beforeAll(async () => {
    server = await createServer({ runner: runner as NsjailRunner, port: 0, host: '127.0.0.1', logger: false, bodyLimitBytes: 256 * 1024 });
    base = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  async function poll(id: string): Promise<Record<string, unknown>> {
    for (;;) {
      const r = (await (await fetch(`${base}/result/${id}`)).json()) as Record<string, unknown>;
      if (r.status !== 'PENDING' && r.status !== 'PROCESSING') return r;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('runs the seed example flow as written', async () => {
    const hello = (await (await post('/execute', { source_code: "print('Hello, World!')", stdin_data: '' })).json()) as {
      submission_id: string;
      status: string;
    };
    expect(hello.status).toBe('PENDING');
    expect(await poll(hello.submission_id)).toMatchObject({ status: 'OK', stdout: 'Hello, World!\n', exit_code: 0 });

    const double = (await (await post('/execute', { source_code: 'n = int(input())\nprint(n * 2)', stdin_data: '5\n' })).json()) as {
      submission_id: string;
    };
    const result = await poll(double.submission_id);
    expect(result).toMatchObject({ status: 'OK', stdout: '10\n', stderr: '' });
    expect(result.execution_time).toBeGreaterThan(0);
    expect(result.memory).toBeGreaterThan(0);

    const del = await fetch(`${base}/result/${double.submission_id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect((await fetch(`${base}/result/${double.submission_id}`)).status).toBe(404);
  });

  it('maps a time limit to TLE, an exit code to RE and a compile error to RE with the compiler output', async () => {
    const submit = async (body: unknown) => ((await (await post('/execute', body)).json()) as { submission_id: string }).submission_id;
    const [tle, re, ce] = await Promise.all([
      submit({ source_code: fixture('forever.py') }),
      submit({ source_code: fixture('exit-3.py') }),
      submit({ source_code: fixture('compile-error.c'), language: 'c' }),
    ]);
    expect(await poll(tle)).toMatchObject({ status: 'TLE', verdict: 'time_limit_exceeded' });
    expect(await poll(re)).toMatchObject({ status: 'RE', verdict: 'runtime_error', exit_code: 3 });
    const compile = await poll(ce);
    expect(compile).toMatchObject({ status: 'RE', verdict: 'compile_error' });
    expect(compile.stderr).toMatch(/error/);
  });

  it('judges tests with ?wait=true on /v1', async () => {
    const r = await post('/v1/submissions?wait=true', {
      language: 'python3',
      source: fixture('double.py'),
      tests: [
        { input: '1\n', expectedOutput: '2\n' },
        { input: '21\n', expectedOutput: '42\n' },
        { input: '3\n', expectedOutput: '7\n' },
      ],
    });
    expect(r.status).toBe(200);
    const result = (await r.json()) as { verdict: string; tests: { verdict: string }[]; summary: { passed: number } };
    expect(result.verdict).toBe('wrong_answer');
    expect(result.tests.map((t) => t.verdict)).toEqual(['accepted', 'accepted', 'wrong_answer']);
    expect(result.summary.passed).toBe(2);
  });

  it('streams queued, running, each test and done as Server-Sent Events', async () => {
    const created = (await (
      await post('/v1/submissions', { language: 'python3', source: fixture('double.py'), tests: [{ input: '1\n' }, { input: '2\n' }] })
    ).json()) as { id: string };
    const response = await fetch(`${base}/v1/submissions/${created.id}/events`);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await response.text();
    const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ type: m[1], data: JSON.parse(m[2]!) }));
    const types = events.map((e) => e.type);
    expect(types[0]).toMatch(/queued|running|done/);
    expect(types.at(-1)).toBe('done');
    if (types[0] !== 'done') expect(types.filter((t) => t === 'test')).toHaveLength(2);
    expect(events.at(-1)?.data.result.verdict).toBe('accepted');
  });

  it('sends the same events over a WebSocket and closes with 1000', async () => {
    const created = (await (await post('/v1/submissions', { language: 'python3', source: fixture('hello.py') })).json()) as { id: string };
    const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/submissions/${created.id}/events`);
    const messages: { type: string }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    const code = await new Promise<number>((resolve, reject) => {
      socket.on('close', (c) => resolve(c));
      socket.on('error', reject);
    });
    expect(code).toBe(1000);
    expect(messages.at(-1)?.type).toBe('done');
  });

  it('closes a WebSocket for an unknown submission with 4404', async () => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/submissions/unknown/events`);
    const messages: { type: string; error?: { code: string } }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
    expect(code).toBe(4404);
    expect(messages[0]?.error?.code).toBe('JDG_ERR_SUBMISSION_NOT_FOUND');
  });

  it('lists the languages with the versions found in the sandbox', async () => {
    const { languages } = (await (await fetch(`${base}/v1/languages`)).json()) as { languages: { id: string; version: string | null }[] };
    expect(languages.find((l) => l.id === 'python3')?.version).toMatch(/^3\.\d+/);
    const nine = ['python3', 'c', 'cpp', 'java', 'javascript', 'typescript', 'go', 'rust', 'bash'];
    for (const id of nine) expect(languages.find((l) => l.id === id)?.version, `${id} has a detected version`).toMatch(/^\d+\.\d+/);
  });

  it('answers readiness, metrics and the error contract over real HTTP', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^judgekit_submissions_finished_total\{verdict="accepted"\} \d+/m);
    expect(metrics).toMatch(/^judgekit_submission_duration_seconds_count\{verdict="accepted"\} \d+/m);
    const big = await post('/v1/submissions', { language: 'python3', source: 'x'.repeat(300 * 1024) });
    expect(big.status).toBe(413);
    const bad = await fetch(`${base}/v1/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('JDG_ERR_HTTP_BODY_MALFORMED');
  });
});
