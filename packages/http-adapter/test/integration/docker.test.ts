import type { DockerRunner } from '@judgekit/runner-docker';
import { piston } from 'piston-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type JudgekitServer } from '../../src/index.js';
import { dockerRunner } from './sandbox.js';

const runner = await dockerRunner();
const suite = runner ? describe : describe.skip;

// The same HTTP API over the Docker runner (gVisor), on a listening server.
suite('HTTP API on a listening server with the Docker sandbox', () => {
  let server: JudgekitServer;
  let base: string;

  beforeAll(async () => {
    server = await createServer({ runner: runner as DockerRunner, port: 0, host: '127.0.0.1', logger: false });
    base = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('runs the seed example flow as written', async () => {
    const post = async (body: unknown) =>
      (
        (await (
          await fetch(`${base}/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        ).json()) as { submission_id: string }
      ).submission_id;
    const poll = async (id: string) => {
      for (;;) {
        const r = (await (await fetch(`${base}/result/${id}`)).json()) as Record<string, unknown>;
        if (r.status !== 'PENDING' && r.status !== 'PROCESSING') return r;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    expect(await poll(await post({ source_code: "print('Hello, World!')", stdin_data: '' }))).toMatchObject({
      status: 'OK',
      stdout: 'Hello, World!\n',
    });
    expect(await poll(await post({ source_code: 'n = int(input())\nprint(n * 2)', stdin_data: '5\n' }))).toMatchObject({
      status: 'OK',
      stdout: '10\n',
    });
  });

  it('answers piston-client', async () => {
    const result = await piston({ server: base }).execute('python3', 'print(input()[::-1])', { stdin: 'abc' });
    expect(result.run, JSON.stringify(result)).toMatchObject({ stdout: 'cba\n', code: 0, status: null });
  });

  it('judges tests with ?wait=true on /v1', async () => {
    const r = await fetch(`${base}/v1/submissions?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python3', source: 'print(int(input()) + 1)', tests: [{ input: '1', expectedOutput: '2' }] }),
    });
    expect(((await r.json()) as { verdict: string }).verdict).toBe('accepted');
  });

  it('sets Judge0’s stack_limit as the program’s RLIMIT_STACK in the container too', async () => {
    const source = 'import resource\nprint(resource.getrlimit(resource.RLIMIT_STACK)[0] // 1024)';
    const run = async (extra: Record<string, unknown>) =>
      (await (
        await fetch(`${base}/submissions?wait=true&fields=stdout,status,stack_limit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ language_id: 71, source_code: source, ...extra }),
        })
      ).json()) as Record<string, unknown>;
    expect(await run({ stack_limit: 16_000 })).toMatchObject({ stdout: '16000\n', stack_limit: 16_000, status: { id: 3 } });
    expect(await run({})).toMatchObject({ stdout: '64000\n', stack_limit: 64_000 });
  });
});
