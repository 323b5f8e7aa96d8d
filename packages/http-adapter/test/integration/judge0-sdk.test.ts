import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { NsjailRunner } from '@judgekit/runner-nsjail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type JudgekitServer } from '../../src/index.js';
import { nsjailRunner } from './sandbox.js';

const run = promisify(execFile);
const venv = process.env.JUDGEKIT_JUDGE0_SDK_VENV ?? '/opt/judgekit/judge0-sdk-venv';
const python = `${venv}/bin/python`;
const driver = fileURLToPath(new URL('./judge0_sdk_driver.py', import.meta.url));

/** Judge0's official SDK when installed; with `CI` set its absence fails the run. */
function sdkInstalled(): boolean {
  if (existsSync(python)) return true;
  if (process.env.CI)
    throw new Error(`Judge0's Python SDK is not installed at ${venv}. Install it with \`sudo bash scripts/setup/judge0-sdk.sh\`.`);
  return false;
}

const runner = sdkInstalled() ? await nsjailRunner() : null;
const suite = runner ? describe : describe.skip;

type Summary = Record<string, unknown> & { status: number; stdout: string | null };

// Judge0's official Python SDK (`judge0` 0.0.8 from PyPI), unchanged, against a listening judgekit
// server with real nsjail sandboxes; test/integration/judge0_sdk_driver.py calls it.
suite('Judge0 compatibility with Judge0’s official SDK (judge0 on PyPI) and the nsjail sandbox', () => {
  let server: JudgekitServer;
  let base: string;

  beforeAll(async () => {
    server = await createServer({ runner: runner as NsjailRunner, port: 0, host: '127.0.0.1', logger: false });
    base = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
  });

  const sdk = async (scenario: string, base_ = base, ...extra: string[]) => {
    const { stdout } = await run(python, [driver, base_, scenario, ...extra], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  it('builds its client from /languages and /config_info, keyed on the version /about reports', async () => {
    const about = (await sdk('about')) as {
      version: string;
      statuses: { id: number }[];
      python: { id: number; source_file: string };
      config: Record<string, unknown>;
      supports: Record<string, boolean>;
    };
    expect(about.version).toBe('1.13.1');
    expect(about.statuses.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(about.python).toMatchObject({ id: 71, source_file: 'main.py' });
    // The SDK's pydantic model of /config_info requires every one of Judge0 1.13.1's keys.
    expect(about.config).toMatchObject({ max_submission_batch_size: 20, enable_network: false, cpu_time_limit: 5 });
    expect(about.supports).toEqual({
      PYTHON: true,
      C: true,
      CPP: true,
      JAVA: true,
      JAVASCRIPT: true,
      TYPESCRIPT: true,
      GO: true,
      RUST: true,
      BASH: true,
      MULTI_FILE: true,
      PYTHON2: false,
      RUBY: false,
    });
  });

  it('runs a Python program with stdin through judge0.run', async () => {
    const r = (await sdk('python')) as Summary;
    expect(r).toMatchObject({ status: 3, stdout: 'hello, Judge0\n', stderr: null, exit_code: 0 });
    expect(r.time as number).toBeGreaterThan(0);
    expect(r.memory as number).toBeGreaterThan(0);
  });

  it('runs test cases as a batch, polled as a batch, with expected outputs compared', async () => {
    const { results } = (await sdk('test_cases')) as { results: Summary[] };
    expect(results.map((s) => [s.status, s.stdout])).toEqual([
      [3, '2\n'],
      [3, '10\n'],
      [4, '14\n'],
    ]);
  });

  it('runs every language the SDK knows that judgekit has, by the ids the SDK hard-codes', async () => {
    const results = (await sdk('languages')) as Record<string, Summary>;
    for (const [alias, expected] of Object.entries({
      C: 'c\n',
      CPP: 'cpp\n',
      JAVA: 'java\n',
      JAVASCRIPT: 'javascript\n',
      TYPESCRIPT: 'typescript\n',
      GO: 'go\n',
      RUST: 'rust\n',
      BASH: 'bash\n',
    })) {
      expect(results[alias], alias).toMatchObject({ status: 3, stdout: expected });
    }
  });

  it('reports compile errors, time limits, signals, exit codes and wrong answers with Judge0’s statuses', async () => {
    const r = (await sdk('failures')) as Record<string, Summary>;
    expect(r.compile_error).toMatchObject({ status: 6, stdout: null });
    expect(r.compile_error!.compile_output).toMatch(/error/);
    expect(r.tle).toMatchObject({ status: 5 });
    expect(r.sigsegv).toMatchObject({ status: 7, exit_signal: 11 });
    expect(r.nzec).toMatchObject({ status: 11, exit_code: 4 });
    expect(r.wrong_answer).toMatchObject({ status: 4, stdout: '41\n' });
  });

  it('passes compiler options, merged streams, arguments, runs and limits as the SDK sends them', async () => {
    const r = (await sdk('options')) as { defined: Summary; merged: Summary };
    expect(r.defined).toMatchObject({ status: 3, stdout: '42\n' });
    expect(r.merged).toMatchObject({ status: 3, stdout: 'out\nerr\n', stderr: null });
  });

  it('runs a multi-file program (language 89) built from the SDK’s Filesystem', async () => {
    expect(await sdk('multi_file')).toMatchObject({ status: 3, stdout: 'hello, world\n' });
  });

  it('gives a single-file program its additional files', async () => {
    expect(await sdk('additional_files')).toMatchObject({ status: 3, stdout: '42\n' });
  });

  it('has a zip slip in additional_files refused with 422', async () => {
    const r = await sdk('zip_slip');
    expect(r).toMatchObject({ refused: true, status: 422, body: { additional_files: [expect.stringMatching(/a path with \.\./)] } });
    expect(existsSync('/tmp/judgekit-zip-slip-canary')).toBe(false);
  });

  it('creates and then polls until done with the SDK’s own wait loop', async () => {
    const r = (await sdk('wait_poll')) as { created: Summary; done: Summary };
    expect(r.created.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.done).toMatchObject({ token: r.created.token, status: 3, stdout: 'late\n' });
  });

  it('authenticates with X-Auth-Token against judgekit’s keys, and fails without it', async () => {
    const locked = await createServer({
      runner: runner as NsjailRunner,
      port: 0,
      host: '127.0.0.1',
      logger: false,
      apiKeys: ['sdk-key'],
      judgeOptions: { closeRunner: false },
    });
    try {
      const lockedBase = await locked.listen();
      expect(await sdk('python', lockedBase, 'sdk-key')).toMatchObject({ status: 3, stdout: 'hello, Judge0\n' });
      expect(await sdk('python', lockedBase)).toMatchObject({ client_error: expect.stringMatching(/Authentication failed/), status: 401 });
    } finally {
      await locked.close();
    }
  });
});
