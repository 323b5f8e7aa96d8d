import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LruResultStore } from '@judgekit/core';
import type { NsjailRunner } from '@judgekit/runner-nsjail';
import { WebhookDispatcher, withWebhooks } from '@judgekit/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreateServerOptions, createServer, type JudgekitServer, judge0CallbackFormat } from '../../src/index.js';
import { buildZip } from '../judge0-zip.js';
import { nsjailRunner } from './sandbox.js';

const runner = await nsjailRunner();
const suite = runner ? describe : describe.skip;

interface Example {
  name: string;
  given?: { body: unknown };
  request: { method: string; path: string; body?: unknown };
  response: { status: number; body: unknown };
}
const examples = (
  JSON.parse(readFileSync(new URL('../fixtures/judge0/documented-examples.json', import.meta.url), 'utf8')) as { cases: Example[] }
).cases;

/** Deep match with the fixture placeholders: <token>, <decimal>, <integer>, <datetime>, <any>. */
function matches(actual: unknown, expected: unknown, path = ''): string | null {
  if (expected === '<any>') return null;
  if (expected === '<token>')
    return typeof actual === 'string' && /^[0-9a-f-]{36}$/.test(actual) ? null : `${path}: ${JSON.stringify(actual)} is not a token`;
  if (expected === '<decimal>')
    return typeof actual === 'string' && /^\d+\.\d+$/.test(actual) ? null : `${path}: ${JSON.stringify(actual)} is not a decimal string`;
  if (expected === '<integer>') return Number.isInteger(actual) ? null : `${path}: ${JSON.stringify(actual)} is not an integer`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return `${path}: expected ${expected.length} items, got ${JSON.stringify(actual)}`;
    for (const [i, e] of expected.entries()) {
      const m = matches(actual[i], e, `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    const a = actual as Record<string, unknown>;
    const keys = Object.keys(expected);
    if (Object.keys(a).sort().join() !== [...keys].sort().join()) return `${path}: keys ${Object.keys(a).join()} instead of ${keys.join()}`;
    for (const key of keys) {
      const m = matches(a[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
      if (m) return m;
    }
    return null;
  }
  return actual === expected ? null : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

async function start(options: Partial<CreateServerOptions> = {}): Promise<{ server: JudgekitServer; base: string }> {
  // Every server shares the one runner; the suite closes it at the end.
  const server = await createServer({
    runner: runner as NsjailRunner,
    port: 0,
    host: '127.0.0.1',
    logger: false,
    ...options,
    judgeOptions: { closeRunner: false, ...options.judgeOptions },
  });
  return { server, base: await server.listen() };
}

const json = (base: string) => ({
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      text,
      body: text.length > 0 && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text,
    };
  },
  /** Creates and waits (wait=true), answering the chosen fields. */
  async run(submission: Record<string, unknown>, fields = '*', query = '') {
    const r = await this.call('POST', `/submissions?wait=true&fields=${fields}${query}`, submission);
    expect(r.status, r.text).toBe(201);
    return r.body as Record<string, unknown>;
  },
  async poll(token: string, until: (s: Record<string, unknown>) => boolean, fields = '*') {
    for (;;) {
      const r = await this.call('GET', `/submissions/${token}?fields=${fields}`);
      if (until(r.body)) return r.body as Record<string, unknown>;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  },
});

const c = (body: string) => ({
  language_id: 50,
  source_code: `#include <stdio.h>\n#include <stdlib.h>\n#include <signal.h>\nint main(void) {\n${body}\n}\n`,
});

suite('Judge0 CE 1.13.1 API on a listening server with the nsjail sandbox', () => {
  let server: JudgekitServer;
  let base: string;
  let api: ReturnType<typeof json>;

  beforeAll(async () => {
    const started = await start();
    server = started.server;
    base = started.base;
    api = json(base);
  });
  afterAll(async () => {
    await server?.close();
    await runner?.close();
  });

  describe('Judge0’s documented examples', () => {
    for (const example of examples) {
      it(`${example.name}`, async () => {
        let path = example.request.path;
        if (example.given) {
          const created = await api.call('POST', '/submissions', example.given.body);
          expect(created.status, created.text).toBe(201);
          const token = (created.body as { token: string }).token;
          await api.poll(token, (s) => (s.status as { id: number }).id > 2, 'status');
          path = path.replace('{token}', token);
        }
        const r = await api.call(example.request.method, path, example.request.body);
        expect(r.status, r.text).toBe(example.response.status);
        expect(matches(r.body, example.response.body)).toBeNull();
      });
    }
  });

  describe('statuses from real programs', () => {
    it('3 Accepted and 4 Wrong Answer, comparing expected_output as Judge0 does (trailing whitespace, trailing blank lines)', async () => {
      const program = { language_id: 71, source_code: 'print(input())\nprint("second   ")', stdin: 'first' };
      expect((await api.run({ ...program, expected_output: 'first  \r\nsecond\n\n\n' }, 'status')).status).toEqual({
        id: 3,
        description: 'Accepted',
      });
      expect((await api.run({ ...program, expected_output: ' first\nsecond' }, 'status')).status).toEqual({
        id: 4,
        description: 'Wrong Answer',
      });
      expect((await api.run({ ...program, expected_output: 'first\n\nsecond' }, 'status')).status).toMatchObject({ id: 4 });
    });

    it('5 Time Limit Exceeded, for CPU and for the wall clock', async () => {
      const cpu = await api.run({ language_id: 71, source_code: 'while True: pass', cpu_time_limit: 0.5 });
      expect(cpu).toMatchObject({ status: { id: 5 }, message: 'Time limit exceeded', exit_code: 0, exit_signal: null });
      expect(Number(cpu.time)).toBeGreaterThanOrEqual(0.5);
      const wall = await api.run({ language_id: 71, source_code: 'import time\ntime.sleep(30)', wall_time_limit: 1 });
      expect(wall).toMatchObject({ status: { id: 5 }, message: 'Time limit exceeded (wall clock)' });
      expect(Number(wall.wall_time)).toBeGreaterThanOrEqual(1);
    });

    it('6 Compilation Error with the compiler’s output and nothing measured', async () => {
      const r = await api.run({ language_id: 54, source_code: 'int main() { return undeclared; }' });
      expect(r).toMatchObject({
        status: { id: 6, description: 'Compilation Error' },
        time: null,
        memory: null,
        stdout: null,
        exit_code: null,
      });
      expect(r.compile_output).toMatch(/undeclared/);
    });

    it('7 SIGSEGV, 8 SIGXFSZ, 9 SIGFPE, 10 SIGABRT and 12 Other, each from its signal', async () => {
      const [segv, xfsz, fpe, abrt, other] = await Promise.all([
        api.run(c('volatile int *p = 0; return *p;')),
        api.run({
          ...c(
            'FILE *f = fopen("big", "w"); for (int i = 0; i < 4096; i++) fputs("0123456789abcdef0123456789abcdef", f); fclose(f); return 0;',
          ),
          max_file_size: 16,
        }),
        api.run(c('volatile int a = 1, b = 0; return a / b;')),
        api.run(c('abort();')),
        api.run(c('raise(SIGUSR1); return 0;')),
      ]);
      expect(segv).toMatchObject({
        status: { id: 7, description: 'Runtime Error (SIGSEGV)' },
        exit_signal: 11,
        message: 'Caught fatal signal 11',
      });
      expect(xfsz).toMatchObject({ status: { id: 8, description: 'Runtime Error (SIGXFSZ)' }, exit_signal: 25 });
      expect(fpe).toMatchObject({ status: { id: 9, description: 'Runtime Error (SIGFPE)' }, exit_signal: 8 });
      expect(abrt).toMatchObject({ status: { id: 10, description: 'Runtime Error (SIGABRT)' }, exit_signal: 6 });
      expect(other).toMatchObject({ status: { id: 12, description: 'Runtime Error (Other)' }, exit_signal: 10 });
    });

    it('8 SIGXFSZ also for output beyond max_file_size, as Judge0’s file-backed stdout', async () => {
      const r = await api.run({ language_id: 71, source_code: 'print("x" * 100000)', max_file_size: 64 });
      expect(r).toMatchObject({ status: { id: 8 }, exit_signal: 25, message: 'Output limit exceeded' });
    });

    it('11 NZEC from a non-zero exit', async () => {
      const r = await api.run({ language_id: 71, source_code: 'import sys\nprint("partial")\nsys.exit(3)' });
      expect(r).toMatchObject({
        status: { id: 11, description: 'Runtime Error (NZEC)' },
        exit_code: 3,
        exit_signal: null,
        message: 'Exited with error status 3',
        stdout: 'partial\n',
      });
    });

    it('12 Other for the memory limit, with the limit reported', async () => {
      const r = await api.run({
        language_id: 50,
        source_code:
          '#include <stdlib.h>\nint main(void){ size_t n = 200u << 20; volatile char *p = malloc(n); if (!p) return 2; for (size_t i = 0; i < n; i += 4096) p[i] = 1; return 0; }',
        memory_limit: 65536,
      });
      expect(r).toMatchObject({ status: { id: 12 }, message: 'Memory limit exceeded', exit_signal: 9 });
    });

    it('14 Exec Format Error for a program that is not one', async () => {
      const archive = buildZip([
        { name: 'run', data: 'chmod +x data.bin\n./data.bin\n' },
        { name: 'data.bin', data: Buffer.from([0, 1, 2, 3, 0, 0, 0, 9, 10, 0]) },
      ]);
      const r = await api.run({ language_id: 89, additional_files: archive.toString('base64') });
      expect(r).toMatchObject({ status: { id: 14, description: 'Exec Format Error' }, exit_code: 126 });
      expect(r.message).toMatch(/cannot execute binary file/);
    });

    it('1 In Queue, 2 Processing, and 13 Internal Error for a submission cancelled through judgekit’s own API', async () => {
      const single = await start({ judgeOptions: { concurrency: 1 } });
      const one = json(single.base);
      try {
        const running = (await one.call('POST', '/submissions', { language_id: 71, source_code: 'import time\ntime.sleep(20)' })).body
          .token as string;
        const queued = (await one.call('POST', '/submissions', { language_id: 71, source_code: 'print(1)' })).body.token as string;
        expect((await one.poll(running, (s) => (s.status as { id: number }).id === 2)).status).toEqual({
          id: 2,
          description: 'Processing',
        });
        const inQueue = (await one.call('GET', `/submissions/${queued}?fields=status,time,memory,finished_at`)).body;
        expect(inQueue).toEqual({ status: { id: 1, description: 'In Queue' }, time: null, memory: null, finished_at: null });
        // Judge0 refuses to delete what has not finished.
        expect((await one.call('DELETE', `/submissions/${queued}`)).body).toEqual({
          error: 'submission cannot be deleted because its status is 1 (In Queue)',
        });
        expect((await one.call('DELETE', `/submissions/${running}`)).body).toEqual({
          error: 'submission cannot be deleted because its status is 2 (Processing)',
        });
        expect((await one.call('POST', `/v1/submissions/${running}/cancel`)).status).toBe(200);
        const cancelled = await one.poll(running, (s) => (s.status as { id: number }).id > 2);
        expect(cancelled).toMatchObject({ status: { id: 13, description: 'Internal Error' }, message: 'cancelled' });
        expect((await one.poll(queued, (s) => (s.status as { id: number }).id > 2)).status).toMatchObject({ id: 3 });
      } finally {
        await single.server.close();
      }
    });
  });

  describe('fields, units and encodings', () => {
    it('answers every attribute for fields=*, with Judge0’s units: decimal seconds as strings, kilobytes as integers', async () => {
      const r = await api.run({
        language_id: 71,
        source_code: 'import sys\nprint(sys.argv[1:])\nprint("warn", file=sys.stderr)\nsys.stdin.read()',
        command_line_arguments: `one 'two three'`,
        stdin: 'given\n',
        expected_output: "['one', 'two three']",
        cpu_time_limit: 2,
        memory_limit: 100_000,
        max_file_size: 2048,
      });
      expect(Object.keys(r)).toHaveLength(35);
      expect(r).toMatchObject({
        // What was sent is answered back, as Judge0 keeps it.
        source_code: 'import sys\nprint(sys.argv[1:])\nprint("warn", file=sys.stderr)\nsys.stdin.read()',
        stdin: 'given\n',
        expected_output: "['one', 'two three']",
        additional_files: null,
        callback_url: null,
        compiler_options: null,
        language_id: 71,
        stdout: "['one', 'two three']\n",
        stderr: 'warn\n',
        status_id: 3,
        number_of_runs: 1,
        cpu_time_limit: '2.0',
        cpu_extra_time: '1.0',
        wall_time_limit: '10.0',
        memory_limit: 100_000,
        stack_limit: 64_000,
        max_processes_and_or_threads: 60,
        max_file_size: 2048,
        enable_per_process_and_thread_time_limit: false,
        enable_per_process_and_thread_memory_limit: false,
        enable_network: false,
        redirect_stderr_to_stdout: false,
        command_line_arguments: `one 'two three'`,
        exit_code: 0,
        exit_signal: null,
        language: { id: 71, name: expect.stringMatching(/^Python \(3\.\d+\.\d+\)$/) },
        status: { id: 3, description: 'Accepted' },
      });
      expect(r.time).toMatch(/^\d+\.\d{1,3}$/);
      expect(r.wall_time).toMatch(/^\d+\.\d{1,3}$/);
      expect(Number.isInteger(r.memory)).toBe(true);
      expect(r.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(r.finished_at as string)).toBeGreaterThanOrEqual(Date.parse(r.created_at as string));
    });

    it('refuses unknown fields with 400, as Judge0', async () => {
      expect((await api.call('GET', `/submissions/${randomUUID()}?fields=stdout,nope`)).body).toEqual({ error: 'invalid fields: [nope]' });
    });

    it('takes base64 input with and without line breaks, and answers base64 as Ruby writes it', async () => {
      const source = Buffer.from('import sys\ndata = sys.stdin.buffer.read()\nsys.stdout.write(data.decode()[::-1] * 30)\n');
      const broken = (b: Buffer) => b.toString('base64').replace(/(.{20})/g, '$1\n');
      for (const encode of [(b: Buffer) => b.toString('base64'), broken]) {
        const r = await api.run(
          {
            language_id: 71,
            source_code: encode(source),
            stdin: encode(Buffer.from('olleh')),
            expected_output: encode(Buffer.from('hello'.repeat(30))),
          },
          'stdout,status,message',
          '&base64_encoded=true',
        );
        expect(r.status).toMatchObject({ id: 3 });
        const stdout = r.stdout as string;
        // 150 bytes: 200 base64 characters in lines of 60, each ending with a newline.
        expect(stdout.split('\n').map((l) => l.length)).toEqual([60, 60, 60, 20, 0]);
        expect(Buffer.from(stdout, 'base64').toString()).toBe('hello'.repeat(30));
      }
      // A source that is not UTF-8 still reaches the sandbox byte for byte.
      const latin1 = Buffer.concat([Buffer.from('print(len("'), Buffer.from([0xe9]), Buffer.from('".encode("latin-1")))\n')]);
      const r = await api.run({ language_id: 71, source_code: latin1.toString('base64') }, 'stdout,stderr,status', '&base64_encoded=true');
      expect(r.status).toMatchObject({ id: 11 });
      expect(Buffer.from(r.stderr as string, 'base64').toString()).toMatch(/SyntaxError|utf-8/i);
    });

    it('answers 400 for a source that is not UTF-8 unless base64_encoded=true, as Judge0', async () => {
      const bytes = Buffer.concat([Buffer.from('echo bytes # '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
      const created = await api.call('POST', '/submissions?base64_encoded=true', {
        language_id: 46,
        source_code: bytes.toString('base64'),
      });
      expect(created.status, created.text).toBe(201);
      const token = created.body.token as string;
      await api.poll(token, (s) => (s.status as { id: number }).id > 2, 'status');
      expect(await api.call('GET', `/submissions/${token}?fields=source_code,stdout`)).toMatchObject({
        status: 400,
        body: { error: 'some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter' },
      });
      const encoded = await api.call('GET', `/submissions/${token}?fields=source_code,stdout&base64_encoded=true`);
      expect(Buffer.from(encoded.body.source_code as string, 'base64')).toEqual(bytes);
      expect(encoded.body.stdout).toBe('Ynl0ZXMK\n');
      expect((await api.call('GET', `/submissions/${token}`)).status).toBe(200);
      expect(await api.call('GET', `/submissions/batch?tokens=${token}&fields=source_code`)).toMatchObject({
        status: 400,
        body: {
          error: 'some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter',
        },
      });
    });

    it('encodes message and compile_output too when base64_encoded=true', async () => {
      const source = Buffer.from('import sys\nsys.exit(2)').toString('base64');
      const r = await api.run({ language_id: 71, source_code: source }, 'message', '&base64_encoded=true');
      expect(Buffer.from(r.message as string, 'base64').toString()).toBe('Exited with error status 2');
    });

    it('averages time and memory over number_of_runs, as Judge0 does, and stops at the first failing run', async () => {
      const r = await api.run({ language_id: 71, source_code: 'print(sum(range(200000)))', number_of_runs: 3 }, '*');
      const v1 = (await api.call('GET', `/v1/submissions/${r.token}`)).body as {
        tests: { cpuTimeMs: number; memoryBytes: number; verdict: string }[];
      };
      expect(v1.tests).toHaveLength(3);
      const meanMs = v1.tests.reduce((s, t) => s + t.cpuTimeMs, 0) / 3;
      expect(Number(r.time)).toBeCloseTo(Math.round(meanMs) / 1000, 3);
      expect(r.memory).toBe(Math.trunc(v1.tests.reduce((s, t) => s + t.memoryBytes / 1024, 0) / 3));
      const failing = await api.run({ language_id: 71, source_code: 'print(1)', expected_output: '2', number_of_runs: 5 }, 'token,status');
      const tests = ((await api.call('GET', `/v1/submissions/${failing.token}`)).body as { tests: { verdict: string }[] }).tests;
      expect(tests.map((t) => t.verdict)).toEqual(['wrong_answer', 'skipped', 'skipped', 'skipped', 'skipped']);
    });

    it('passes command_line_arguments as Bash would split them, after Judge0’s character filter', async () => {
      const r = await api.run(
        { language_id: 71, source_code: 'import sys\nprint(sys.argv[1:])', command_line_arguments: `a "b c" d\\ e; rm -rf / | cat` },
        'stdout',
      );
      expect(r.stdout).toBe("['a', 'b c', 'd e', 'rm', '-rf', '/', 'cat']\n");
    });

    it('refuses with 422 the fields judgekit cannot honour instead of ignoring them', async () => {
      const r = await api.call('POST', '/submissions', {
        language_id: 54,
        source_code: 'int main(){}',
        enable_network: true,
        enable_per_process_and_thread_time_limit: true,
        command_line_arguments: '*.txt',
        stack_limit: 200_000,
      });
      expect(r.status).toBe(422);
      expect(Object.keys(r.body).sort()).toEqual([
        'command_line_arguments',
        'enable_network',
        'enable_per_process_and_thread_time_limit',
        'stack_limit',
      ]);
      const interpreted = await api.call('POST', '/submissions', { language_id: 71, source_code: 'print(1)', compiler_options: '-O' });
      expect(interpreted.body).toEqual({ compiler_options: ['setting compiler options is only allowed for compiled languages'] });
    });

    it('passes compiler_options to the compiler, split as Bash would', async () => {
      const source = '#include <stdio.h>\nint main(void) { int unused; printf("%d %s\\n", ANSWER, NAME); return 0; }';
      const r = await api.run(
        { language_id: 50, source_code: source, compiler_options: `-DANSWER=42 '-DNAME="forty two"'` },
        'stdout,status',
      );
      expect(r).toEqual({ stdout: '42 forty two\n', status: { id: 3, description: 'Accepted' } });
      const strict = await api.run(
        { language_id: 50, source_code: source, compiler_options: '-DANSWER=1 -DNAME="x" -Wall -Werror' },
        'status,compile_output',
      );
      expect(strict.status).toMatchObject({ id: 6 });
      expect(strict.compile_output).toMatch(/unused variable/);
      const go = await api.run(
        {
          language_id: 60,
          source_code: 'package main\nimport "fmt"\nvar v string\nfunc main() { fmt.Println(v) }',
          compiler_options: '-ldflags=-X=main.v=injected',
        },
        'stdout',
      );
      expect(go.stdout).toBe('injected\n');
    });

    it('writes stderr into stdout in order with redirect_stderr_to_stdout, keeping signals and exit codes', async () => {
      const source =
        'import sys\nfor i in range(3):\n    print("out", i, flush=True)\n    print("err", i, file=sys.stderr, flush=True)\nsys.exit(5)';
      const r = await api.run(
        { language_id: 71, source_code: source, redirect_stderr_to_stdout: true },
        'stdout,stderr,status,exit_code,redirect_stderr_to_stdout',
      );
      expect(r).toEqual({
        stdout: 'out 0\nerr 0\nout 1\nerr 1\nout 2\nerr 2\n',
        stderr: null,
        exit_code: 5,
        redirect_stderr_to_stdout: true,
        status: { id: 11, description: 'Runtime Error (NZEC)' },
      });
      const segv = await api.run(
        { ...c('fputs("before\\n", stderr); volatile int *p = 0; return *p;'), redirect_stderr_to_stdout: 'true' },
        'stdout,status,exit_signal',
      );
      expect(segv).toMatchObject({ stdout: 'before\n', status: { id: 7 }, exit_signal: 11 });
    });

    it('bounds processes and threads by max_processes_and_or_threads', async () => {
      const forks = {
        language_id: 50,
        source_code: [
          '#include <stdio.h>',
          '#include <unistd.h>',
          '#include <sys/wait.h>',
          'int main(void) {',
          '  int ok = 0;',
          '  for (int i = 0; i < 20; i++) { pid_t p = fork(); if (p == 0) { sleep(1); _exit(0); } if (p > 0) ok++; }',
          '  while (wait(NULL) > 0) {}',
          '  printf("%d\\n", ok);',
          '  return 0;',
          '}',
        ].join('\n'),
      };
      const bounded = await api.run({ ...forks, max_processes_and_or_threads: 5 });
      expect(bounded.max_processes_and_or_threads).toBe(5);
      expect(Number(bounded.stdout)).toBeLessThan(5);
      const byDefault = await api.run(forks);
      expect(byDefault).toMatchObject({ stdout: '20\n', max_processes_and_or_threads: 60, status: { id: 3 } });
    });

    it('takes cpu_extra_time in seconds and answers it, the verdict still the CPU limit’s', async () => {
      const r = await api.run({ language_id: 71, source_code: 'while True: pass', cpu_time_limit: 0.5, cpu_extra_time: 2.5 });
      expect(r).toMatchObject({ cpu_time_limit: '0.5', cpu_extra_time: '2.5', status: { id: 5 }, message: 'Time limit exceeded' });
      expect(Number(r.time)).toBeLessThan(2);
      expect((await api.call('POST', '/submissions', { language_id: 71, source_code: 'x', cpu_extra_time: 5.5 })).body).toEqual({
        cpu_extra_time: ['must be less than or equal to 5.0'],
      });
    });

    it('bounds the stack by stack_limit (RLIMIT_STACK, as isolate’s -k), and by memory_limit alone for 0', async () => {
      // Recursion that needs about 40 MB of stack: past a 16 MB stack_limit, within Judge0's default 64 MB.
      const deep = {
        language_id: 50,
        source_code: [
          '#include <stdio.h>',
          '#include <sys/resource.h>',
          // pad is read after the call, so every level keeps a frame of its own.
          'static int down(int n) { volatile char pad[1000]; pad[n % 1000] = (char)n; if (n == 0) return 0; int r = down(n - 1); return r + (pad[n % 1000] & 1); }',
          'int main(void) {',
          '  struct rlimit r; getrlimit(RLIMIT_STACK, &r);',
          '  printf("%ld\\n", (long)(r.rlim_cur / 1024)); fflush(stdout);',
          '  return down(40000) >= 0 ? 0 : 1;',
          '}',
        ].join('\n'),
      };
      const small = await api.run({ ...deep, stack_limit: 16_000 });
      expect(small).toMatchObject({ stdout: '16000\n', stack_limit: 16_000, status: { id: 7 }, exit_signal: 11 });
      const byDefault = await api.run(deep);
      expect(byDefault).toMatchObject({ stdout: '64000\n', stack_limit: 64_000, status: { id: 3 } });
      const unbounded = await api.run({ ...deep, stack_limit: 0, memory_limit: 200_000 });
      expect(unbounded).toMatchObject({ stack_limit: 0, status: { id: 3 } });
      expect(Number((unbounded.stdout as string).trim())).toBeGreaterThanOrEqual(200_000);
      expect((await api.call('POST', '/submissions', { ...deep, stack_limit: 128_001 })).body).toEqual({
        stack_limit: ['must be less than or equal to 128000'],
      });
    });

    it('answers the judge’s own maxima as Judge0’s 422, in Judge0’s units', async () => {
      expect((await api.call('POST', '/submissions', { language_id: 71, source_code: 'x', memory_limit: 9_000_000 })).body).toEqual({
        memory_limit: ['must be less than or equal to 2097152'],
      });
      expect(
        (await api.call('POST', '/submissions', { language_id: 71, source_code: 'x', max_processes_and_or_threads: 5000 })).body,
      ).toEqual({
        max_processes_and_or_threads: ['must be less than or equal to 256'],
      });
    });
  });

  describe('batches', () => {
    it('takes at most 20, refuses 21 and none, and refuses wait', async () => {
      const item = { language_id: 46, source_code: 'echo $((6 * 7))' };
      const twenty = await api.call('POST', '/submissions/batch', { submissions: Array.from({ length: 20 }, () => item) });
      expect(twenty.status).toBe(201);
      const tokens = (twenty.body as { token: string }[]).map((t) => t.token);
      expect(new Set(tokens).size).toBe(20);
      expect((await api.call('POST', '/submissions/batch', { submissions: Array.from({ length: 21 }, () => item) })).body).toEqual({
        error: 'number of submissions in a batch should be less than or equal to 20',
      });
      expect((await api.call('POST', '/submissions/batch', { submissions: [] })).body).toEqual({
        error: 'there should be at least one submission in a batch',
      });
      expect((await api.call('POST', '/submissions/batch?wait=true', { submissions: [item] })).status).toBe(400);
      // Get them back as one batch; an unknown token answers null in its place.
      const unknown = randomUUID();
      for (const token of tokens) await api.poll(token, (s) => (s.status as { id: number }).id > 2, 'status');
      const got = await api.call(
        'GET',
        `/submissions/batch?tokens=${[...tokens.slice(0, 3), unknown].join(',')}&fields=token,stdout,status_id`,
      );
      expect(got.body).toEqual({
        submissions: [
          { token: tokens[0], stdout: '42\n', status_id: 3 },
          { token: tokens[1], stdout: '42\n', status_id: 3 },
          { token: tokens[2], stdout: '42\n', status_id: 3 },
          null,
        ],
      });
      expect((await api.call('GET', `/submissions/batch?tokens=${Array.from({ length: 21 }, randomUUID).join(',')}`)).status).toBe(400);
    });

    it('answers 422 when no item is valid', async () => {
      const r = await api.call('POST', '/submissions/batch', { submissions: [{ language_id: 71 }, { source_code: 'x' }] });
      expect(r.status).toBe(422);
      expect(r.body).toEqual([{ source_code: ["can't be blank"] }, { language_id: ["can't be blank"] }]);
    });
  });

  describe('callbacks', () => {
    it('PUTs Judge0’s default fields in base64 to callback_url once done, through judgekit’s webhooks', async () => {
      const received: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
      const receiver = createHttpServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk));
        req.on('end', () => {
          received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
          res.writeHead(200).end();
        });
      });
      receiver.listen(0, '127.0.0.1');
      await once(receiver, 'listening');
      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      // The local receiver is allow-listed; every other non-public address stays refused.
      const dispatcher = new WebhookDispatcher({ allow: ['127.0.0.1'], initialDelayMs: 50 });
      const served = await start({
        webhooks: dispatcher,
        judgeOptions: { store: withWebhooks(new LruResultStore(), dispatcher, { format: judge0CallbackFormat }) },
      });
      try {
        const a = json(served.base);
        expect((await a.call('GET', '/config_info')).body).toMatchObject({ enable_callbacks: true, callbacks_max_tries: 5 });
        const ok = await a.call('POST', '/submissions', {
          language_id: 71,
          source_code: 'print(input())',
          stdin: 'called back',
          callback_url: `${hook}/judge0/ok?x=1`,
        });
        expect(ok.status, ok.text).toBe(201);
        const broken = await a.call('POST', '/submissions?base64_encoded=true', {
          language_id: 50,
          source_code: Buffer.from('int main(void) { return }').toString('base64'),
          callback_url: `${hook}/judge0/broken`,
        });
        expect(broken.status, broken.text).toBe(201);
        const plain = await a.call('POST', '/submissions', { language_id: 71, source_code: 'print(2)' });
        for (const token of [ok.body.token, broken.body.token, plain.body.token] as string[])
          await a.poll(token, (s) => (s.status as { id: number }).id > 2, 'status');
        const deadline = Date.now() + 20_000;
        while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        expect(received.map((r) => r.url).sort()).toEqual(['/judge0/broken', '/judge0/ok?x=1']);
        const first = received.find((r) => r.url.startsWith('/judge0/ok'))!;
        expect(first.method).toBe('PUT');
        expect(first.headers['content-type']).toBe('application/json');
        const body = JSON.parse(first.body);
        expect(Object.keys(body)).toEqual(['stdout', 'time', 'memory', 'stderr', 'token', 'compile_output', 'message', 'status']);
        expect(body).toMatchObject({
          stdout: Buffer.from('called back\n').toString('base64') + '\n',
          token: ok.body.token,
          stderr: null,
          status: { id: 3, description: 'Accepted' },
        });
        const second = JSON.parse(received.find((r) => r.url === '/judge0/broken')!.body);
        expect(second).toMatchObject({ token: broken.body.token, stdout: null, status: { id: 6, description: 'Compilation Error' } });
        expect(Buffer.from(second.compile_output, 'base64').toString()).toMatch(/error/);
        // The callback_url is answered back on the submission.
        const echoed = await a.call('GET', `/submissions/${ok.body.token}?fields=callback_url`);
        expect(echoed.body).toEqual({ callback_url: `${hook}/judge0/ok?x=1` });
      } finally {
        await served.server.close();
        await dispatcher.close();
        receiver.closeAllConnections();
        receiver.close();
      }
    });

    it('refuses callback URLs the SSRF policy refuses with 422 on callback_url, queueing nothing', async () => {
      const dispatcher = new WebhookDispatcher({ allow: ['127.0.0.1'] });
      const served = await start({ webhooks: dispatcher });
      try {
        const a = json(served.base);
        for (const url of [
          'http://169.254.169.254/latest/meta-data',
          'http://10.1.2.3/cb',
          'http://[::1]:9/cb',
          'file:///etc/passwd',
          'http://user:pw@127.0.0.1/',
        ]) {
          const r = await a.call('POST', '/submissions', { language_id: 71, source_code: 'print(1)', callback_url: url });
          expect(r.status, url).toBe(422);
          expect(Object.keys(r.body), url).toEqual(['callback_url']);
          expect(r.body.callback_url[0], url).toMatch(/refused/i);
        }
        const batch = await a.call('POST', '/submissions/batch', {
          submissions: [
            { language_id: 71, source_code: 'print(1)', callback_url: 'http://192.168.0.1/' },
            { language_id: 71, source_code: 'print(1)' },
          ],
        });
        expect(batch.status).toBe(201);
        expect(Object.keys(batch.body[0])).toEqual(['callback_url']);
        expect(batch.body[1]).toMatchObject({ token: expect.any(String) });
        expect((await served.server.judge.list()).items).toHaveLength(1);
      } finally {
        await served.server.close();
        await dispatcher.close();
      }
      // A server without webhooks refuses callback_url as Judge0 with ENABLE_CALLBACKS=false.
      expect(
        (await api.call('POST', '/submissions', { language_id: 71, source_code: 'print(1)', callback_url: 'http://127.0.0.1:9/' })).body,
      ).toEqual({
        callback_url: ['setting callback is not allowed'],
      });
    });
  });

  describe('wait and the queue', () => {
    it('holds wait=true at most maxWaitMs, then answers the submission as it stands', async () => {
      const short = await start({ maxWaitMs: 300 });
      try {
        const r = await json(short.base).run({ language_id: 71, source_code: 'import time\ntime.sleep(3)' }, 'status,finished_at');
        expect([1, 2]).toContain((r.status as { id: number }).id);
        expect(r.finished_at).toBeNull();
      } finally {
        await short.server.close();
      }
    });

    it('answers 503 "queue is full" when the queue is full, and 400 when wait is turned off', async () => {
      const full = await start({ judgeOptions: { maxQueued: 0 }, judge0: { enableWait: false } });
      try {
        const api0 = json(full.base);
        const r = await api0.call('POST', '/submissions', { language_id: 71, source_code: 'print(1)' });
        expect(r).toMatchObject({ status: 503, body: { error: 'queue is full' } });
        expect(
          (await api0.call('POST', '/submissions/batch', { submissions: [{ language_id: 71, source_code: 'print(1)' }] })).status,
        ).toBe(503);
        expect((await api0.call('POST', '/submissions?wait=true', { language_id: 71, source_code: 'print(1)' })).body).toEqual({
          error: 'wait not allowed',
        });
      } finally {
        await full.server.close();
      }
    });
  });

  describe('additional_files attacks', () => {
    const canary = `/tmp/judgekit-zip-canary-${randomUUID()}`;
    const attacks = {
      'zip slip': buildZip([{ name: `../../../../../../..${canary}`, data: 'escaped' }]),
      'a symbolic link': buildZip([
        { name: 'link', mode: 0o120777, data: canary },
        { name: 'link/../escaped', data: 'x' },
      ]),
      'a zip bomb': buildZip([{ name: 'bomb', data: Buffer.alloc(9 * 1024 * 1024) }]),
      'an absolute path': buildZip([{ name: canary, data: 'escaped' }]),
    };
    for (const [name, archive] of Object.entries(attacks)) {
      it(`refuses ${name} with 422, writing nothing outside the sandbox`, async () => {
        const before = server.judge.stats();
        const r = await api.call('POST', '/submissions', {
          language_id: 71,
          source_code: 'print(1)',
          additional_files: archive.toString('base64'),
        });
        expect(r.status).toBe(422);
        expect(Object.keys(r.body)).toEqual(['additional_files']);
        expect(existsSync(canary)).toBe(false);
        const after = server.judge.stats();
        expect(after.queued + after.running + Object.values(after.finished).reduce((a, b) => a + b, 0)).toBe(
          before.queued + before.running + Object.values(before.finished).reduce((a, b) => a + b, 0),
        );
      });
    }
  });

  describe('language 89 and additional files', () => {
    it('compiles with the compile script and runs the run script with the arguments', async () => {
      const archive = buildZip([
        { name: 'compile', data: 'g++ -O2 -o prog src/main.cpp\n' },
        { name: 'run', data: './prog "$@"\n' },
        {
          name: 'src/main.cpp',
          data: '#include <iostream>\n#include "util.h"\nint main(int c, char **v) { std::cout << twice(21) << " " << (c > 1 ? v[1] : "-") << std::endl; }\n',
        },
        { name: 'src/util.h', data: 'inline int twice(int x) { return 2 * x; }\n' },
      ]);
      const r = await api.run(
        { language_id: 89, additional_files: archive.toString('base64'), command_line_arguments: 'arg', stdin: '' },
        'stdout,status,language,source_code,additional_files',
      );
      expect(r).toMatchObject({
        stdout: '42 arg\n',
        status: { id: 3 },
        language: { id: 89, name: 'Multi-file program' },
        source_code: null,
      });
      // The archive is answered back as Judge0 does: Ruby's Base64.encode64 of its bytes.
      expect(Buffer.from(r.additional_files as string, 'base64')).toEqual(archive);
      expect((r.additional_files as string).split('\n')[0]).toHaveLength(60);
    });

    it('needs no compile script, and reports a failing one as a compilation error', async () => {
      const plain = buildZip([
        { name: 'run', data: 'echo "no build: $(cat data.txt)"\n' },
        { name: 'data.txt', data: 'ok' },
      ]);
      expect((await api.run({ language_id: 89, additional_files: plain.toString('base64') }, 'stdout')).stdout).toBe('no build: ok\n');
      const broken = buildZip([
        { name: 'compile', data: 'echo "cannot build" >&2\nexit 1\n' },
        { name: 'run', data: 'echo never' },
      ]);
      const r = await api.run({ language_id: 89, additional_files: broken.toString('base64') }, 'status,compile_output,stdout');
      expect(r).toEqual({ status: { id: 6, description: 'Compilation Error' }, compile_output: 'cannot build\n', stdout: null });
    });

    it('gives a single-file program the archive’s files beside its source', async () => {
      const modules = buildZip([
        { name: 'helper.py', data: 'ANSWER = 42\n' },
        { name: 'pkg/__init__.py', data: 'NAME = "pkg"\n' },
      ]);
      const r = await api.run(
        {
          language_id: 71,
          source_code: 'import helper, pkg\nprint(helper.ANSWER, pkg.NAME)',
          additional_files: modules.toString('base64'),
        },
        'stdout',
      );
      expect(r.stdout).toBe('42 pkg\n');
    });
  });

  describe('the information routes', () => {
    it('serves languages with Judge0’s ids and this host’s versions', async () => {
      const languages = (await api.call('GET', '/languages')).body as { id: number; name: string }[];
      const ids = languages.map((l) => l.id);
      for (const id of [46, 48, 49, 50, 52, 53, 54, 60, 62, 63, 71, 73, 74, 89]) expect(ids).toContain(id);
      expect(ids).not.toContain(70);
      expect(languages.find((l) => l.id === 54)?.name).toMatch(/^C\+\+ \(GCC \d+\.\d+\.\d+\)$/);
      const all = (await api.call('GET', '/languages/all')).body as { is_archived: boolean }[];
      expect(all.every((l) => l.is_archived === false)).toBe(true);
      expect((await api.call('GET', '/languages/54')).body).toMatchObject({
        id: 54,
        source_file: 'main.cpp',
        compile_cmd: expect.stringMatching(/^g\+\+ /),
        run_cmd: './main',
      });
      expect((await api.call('GET', '/languages/70')).status).toBe(404);
    });

    it('reports the version implemented and the configuration', async () => {
      const version = await fetch(`${base}/version`);
      expect(version.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await version.text()).toBe('1.13.1');
      const config = (await api.call('GET', '/config_info')).body as Record<string, unknown>;
      expect(Object.keys(config)).toHaveLength(39);
      expect(config).toMatchObject({
        cpu_time_limit: 5,
        max_cpu_time_limit: 30,
        memory_limit: 128000,
        max_submission_batch_size: 20,
        enable_network: false,
        allow_enable_network: false,
        enable_compiler_options: true,
        max_queue_size: 1000,
        stack_limit: 64_000,
        max_stack_limit: 128_000,
        enable_callbacks: false,
      });
      expect((await api.call('GET', '/workers')).body).toMatchObject([{ available: server.judge.concurrency }]);
      expect((await api.call('GET', '/system_info')).body).toMatchObject({
        Architecture: expect.any(String),
        'CPU(s)': expect.any(String),
        Mem: expect.any(String),
      });
      await api.run({ language_id: 71, source_code: 'print(1)' }, 'status');
      const stats = (await api.call('GET', '/statistics')).body as {
        submissions: { total: number };
        statuses: { status: { id: number } }[];
      };
      expect(stats.submissions.total).toBeGreaterThan(0);
      expect(stats.statuses.map((s) => s.status.id)).toContain(3);
    });

    it('lists submissions newest first, page by page, with Judge0’s meta', async () => {
      const fresh = await start();
      try {
        const a = json(fresh.base);
        const created = (
          await a.call('POST', '/submissions/batch', {
            submissions: ['one', 'two', 'three'].map((word) => ({ language_id: 46, source_code: `echo ${word}` })),
          })
        ).body as { token: string }[];
        for (const { token } of created) await a.poll(token, (s) => (s.status as { id: number }).id > 2, 'status');
        const first = (await a.call('GET', '/submissions?page=1&per_page=2&fields=token,stdout')).body;
        expect(first).toEqual({
          submissions: [
            { token: created[2]!.token, stdout: 'three\n' },
            { token: created[1]!.token, stdout: 'two\n' },
          ],
          meta: { current_page: 1, next_page: 2, prev_page: null, total_pages: 2, total_count: 3 },
        });
        const second = (await a.call('GET', '/submissions?page=2&per_page=2&base64_encoded=true&fields=stdout')).body;
        expect(second).toEqual({
          submissions: [{ stdout: 'b25lCg==\n' }],
          meta: { current_page: 2, next_page: null, prev_page: 1, total_pages: 2, total_count: 3 },
        });
        expect((await a.call('GET', '/submissions?page=9')).body).toMatchObject({
          submissions: [],
          meta: { current_page: 9, total_count: 3 },
        });
      } finally {
        await fresh.server.close();
      }
    });

    it('answers 404 for an unknown token in Rails’ shape', async () => {
      expect(await api.call('GET', `/submissions/${randomUUID()}`)).toMatchObject({
        status: 404,
        body: { status: 404, error: 'Not Found' },
      });
      expect((await api.call('DELETE', `/submissions/${randomUUID()}`)).status).toBe(404);
    });
  });

  describe('authentication and authorization with judgekit’s keys', () => {
    it('takes X-Auth-Token (header or query) and Bearer, answers 401 and 403 with no body', async () => {
      const locked = await start({ apiKeys: ['k-one', 'k-two'] });
      try {
        const a = json(locked.base);
        const body = { language_id: 71, source_code: 'print(1)' };
        const denied = await a.call('POST', '/submissions', body);
        expect(denied).toMatchObject({ status: 401, text: '' });
        expect((await a.call('POST', '/submissions', body, { 'X-Auth-Token': 'wrong' })).status).toBe(401);
        expect((await a.call('POST', '/submissions', body, { 'X-Auth-Token': 'k-one' })).status).toBe(201);
        expect((await a.call('POST', '/submissions', body, { authorization: 'Bearer k-two' })).status).toBe(201);
        expect((await a.call('GET', '/statuses?X-Auth-Token=k-two')).status).toBe(200);
        expect((await a.call('POST', '/authenticate', undefined, { 'X-Auth-Token': 'k-one' })).status).toBe(200);
        expect(await a.call('POST', '/authorize', undefined, { 'X-Auth-Token': 'k-one' })).toMatchObject({ status: 403, text: '' });
        expect((await a.call('POST', '/authorize', undefined, { 'X-Auth-Token': 'k-one', 'X-Auth-User': 'k-two' })).status).toBe(200);
        const token = (await a.call('POST', '/submissions?wait=true', body, { 'X-Auth-Token': 'k-one' })).body.token as string;
        expect((await a.call('DELETE', `/submissions/${token}`, undefined, { 'X-Auth-Token': 'k-one' })).status).toBe(403);
        expect(
          (await a.call('DELETE', `/submissions/${token}`, undefined, { 'X-Auth-Token': 'k-one', 'X-Auth-User': 'k-one' })).status,
        ).toBe(200);
        // judgekit's own routes still want their Bearer key.
        expect((await a.call('GET', '/v1/languages', undefined, { 'X-Auth-Token': 'k-one' })).status).toBe(401);
      } finally {
        await locked.server.close();
      }
    });
  });

  it('moves under --judge0-prefix, leaving the root free', async () => {
    const moved = await start({ judge0: { prefix: '/judge0' } });
    try {
      const a = json(moved.base);
      expect((await a.call('GET', '/judge0/statuses')).status).toBe(200);
      expect((await a.call('GET', '/statuses')).status).toBe(404);
      expect(await a.call('GET', '/judge0/nowhere')).toMatchObject({ status: 404, body: { status: 404, error: 'Not Found' } });
    } finally {
      await moved.server.close();
    }
  });
});
