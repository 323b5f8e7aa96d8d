import { createServer, type JudgekitServer } from '@judgekit/http-adapter';
import type { NsjailRunner } from '@judgekit/runner-nsjail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { nsjailRunner } from '../../../http-adapter/test/integration/sandbox.js';
import { type JudgeEvent, JudgekitClient, JudgekitClientError } from '../../src/index.js';

const runner = await nsjailRunner();
const suite = runner ? describe : describe.skip;

const echo = { language: 'python3', source: 'print(input()[::-1])' };

suite('@judgekit/client against a listening server (nsjail)', () => {
  let server: JudgekitServer;
  let client: JudgekitClient;

  beforeAll(async () => {
    server = await createServer({ runner: runner as NsjailRunner, port: 0, logger: false, rateLimit: false });
    client = new JudgekitClient({ baseUrl: await server.listen(), WebSocket });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('runs a submission and reports each test live over SSE', async () => {
    const events: JudgeEvent[] = [];
    const result = await client.run(
      {
        ...echo,
        tests: [
          { input: 'abc', expectedOutput: 'cba' },
          { input: 'xy', expectedOutput: 'no' },
        ],
      },
      { onEvent: (e) => events.push(e) },
    );
    expect(result.status).toBe('done');
    expect(result.verdict).toBe('wrong_answer');
    expect(result.tests.map((t) => t.verdict)).toEqual(['accepted', 'wrong_answer']);
    const tests = events.filter((e) => e.type === 'test');
    expect(tests.map((e) => (e.type === 'test' ? `${e.index}/${e.total}` : ''))).toEqual(['0/2', '1/2']);
    expect(events.at(-1)?.type).toBe('done');
  });

  it('watches over a WebSocket to the final event', async () => {
    const queued = await client.submit({ ...echo, stdin: 'hello' });
    const types: string[] = [];
    for await (const event of client.watch(queued.id, { transport: 'websocket' })) types.push(event.type);
    expect(types.at(-1)).toBe('done');
    expect((await client.get(queued.id)).tests[0]?.stdout).toBe('olleh\n');
  });

  it('submits with wait, gets many, lists and deletes', async () => {
    const done = await client.submit({ ...echo, stdin: 'ab', metadata: { suite: 'client' } }, { wait: true });
    expect(done).toMatchObject({ status: 'done', verdict: 'accepted' });
    const many = await client.getMany([done.id, 'missing']);
    expect(many[0]).toMatchObject({ id: done.id, verdict: 'accepted' });
    expect(many[1]).toMatchObject({ id: 'missing', error: { code: 'JDG_ERR_SUBMISSION_NOT_FOUND' } });
    const page = await client.list({ metadata: { suite: 'client' }, limit: 5 });
    expect(page.submissions.map((s) => s.id)).toEqual([done.id]);
    await client.delete(done.id);
    await expect(client.get(done.id)).rejects.toMatchObject({ code: 'JDG_ERR_SUBMISSION_NOT_FOUND', status: 404 });
  });

  it('queues a batch, refusing an unknown language on its own', async () => {
    const items = await client.batch([
      { ...echo, stdin: 'x' },
      { language: 'cobol', source: 'x' },
    ]);
    expect(items[0]).toMatchObject({ status: 'queued' });
    expect(items[1]).toMatchObject({ error: { code: 'JDG_ERR_LANGUAGE_UNKNOWN' } });
    await client.wait((items[0] as { id: string }).id);
  });

  it('cancels a running submission', async () => {
    const queued = await client.submit({
      language: 'python3',
      source: 'while True: pass',
      stdin: '',
      limits: { wallTimeMs: 20_000, cpuTimeMs: 20_000 },
    });
    const seen = client.wait(queued.id);
    await client.cancel(queued.id);
    expect((await seen).status).toBe('cancelled');
  });

  it('lists the languages with their detected versions', async () => {
    const languages = await client.languages();
    expect(languages.find((l) => l.id === 'cpp')).toMatchObject({ compiled: true, version: expect.any(String) });
  });

  it('refuses a bad submission with the server’s code and issues', async () => {
    const error = await client.submit({ language: 'python3' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JudgekitClientError);
    expect(error).toMatchObject({
      code: 'JDG_ERR_INPUT_INVALID',
      status: 400,
      details: { issues: [expect.objectContaining({ path: 'source' })] },
    });
  });

  it('runs an interactive session: a prompt, typed input, the exit', async () => {
    const session = await client.session({ language: 'python3', source: 'name = input("name? ")\nprint("hi", name)', tty: true });
    expect(session.id).toMatch(/^ses_/);
    let screen = '';
    const reading = (async () => {
      for await (const out of session.output) {
        screen += out.data;
        if (screen.includes('name? ') && !screen.includes('ada')) session.write('ada\r');
      }
    })();
    const exit = await session.exit;
    await reading;
    expect(exit).toMatchObject({ stage: 'run', exitCode: 0, signal: null, limitExceeded: null });
    expect(screen).toContain('hi ada');
  });

  it('refuses a session in an unknown language with the server’s code', async () => {
    await expect(client.session({ language: 'cobol', source: 'x' })).rejects.toMatchObject({ code: 'JDG_ERR_LANGUAGE_UNKNOWN' });
  });

  it('aborts a wait with its signal, while the submission goes on', async () => {
    const queued = await client.submit({ language: 'python3', source: 'import time; time.sleep(3)', stdin: '' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(client.wait(queued.id, { signal: controller.signal })).rejects.toMatchObject({ code: 'JDG_ERR_CLIENT_ABORTED' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await client.get(queued.id)).status).not.toBe('cancelled');
    await client.cancel(queued.id);
  });
});

suite('@judgekit/client retries and keys', () => {
  let server: JudgekitServer;
  let base: string;

  beforeAll(async () => {
    server = await createServer({
      // A runner of its own: the first suite's server closed the first one with its judge.
      runner: (await nsjailRunner()) as NsjailRunner,
      port: 0,
      logger: false,
      apiKeys: ['k-client-test', 'k-second'],
      rateLimit: { max: 3, timeWindowMs: 1500 },
    });
    base = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('retries a 429 after its Retry-After and then succeeds', async () => {
    const client = new JudgekitClient({ baseUrl: base, apiKey: 'k-client-test' });
    const started = Date.now();
    for (let i = 0; i < 4; i++) expect((await client.languages()).length).toBeGreaterThan(0);
    // The fourth call met the limit, waited for the window the server named, then passed.
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('gives the 429 up when retries are off, with the server’s Retry-After', async () => {
    await new Promise((r) => setTimeout(r, 1600));
    const client = new JudgekitClient({ baseUrl: base, apiKey: 'k-client-test', retry: { retries: 0 } });
    for (let i = 0; i < 3; i++) await client.languages();
    await expect(client.languages()).rejects.toMatchObject({
      code: 'JDG_ERR_HTTP_RATE_LIMITED',
      status: 429,
      retryAfterSeconds: expect.any(Number),
    });
  });

  it('sends its key on requests, SSE and WebSocket; refuses without one', async () => {
    await expect(new JudgekitClient({ baseUrl: base, retry: { retries: 0 } }).languages()).rejects.toMatchObject({
      code: 'JDG_ERR_HTTP_UNAUTHORIZED',
      status: 401,
    });
    // Another key has a bucket of its own: three calls fit in it.
    const client = new JudgekitClient({ baseUrl: base, apiKey: 'k-second', WebSocket, retry: { retries: 0 } });
    const queued = await client.submit({ ...echo, stdin: 'k' });
    expect((await client.wait(queued.id)).verdict).toBe('accepted');
    const types: string[] = [];
    for await (const event of client.watch(queued.id, { transport: 'websocket' })) types.push(event.type);
    expect(types).toEqual(['done']);
  });
});
