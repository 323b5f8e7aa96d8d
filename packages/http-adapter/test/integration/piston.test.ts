import { readFileSync } from 'node:fs';
import type { NsjailRunner } from '@judgekit/runner-nsjail';
import { piston } from 'piston-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type JudgekitServer } from '../../src/index.js';
import { nsjailRunner } from './sandbox.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

const runner = await nsjailRunner();
const suite = runner ? describe : describe.skip;

// The real `piston-client` package from npm, unchanged, against a listening judgekit server.
suite('Piston v2 compatibility with piston-client and the nsjail sandbox', () => {
  let server: JudgekitServer;
  let client: ReturnType<typeof piston>;

  beforeAll(async () => {
    server = await createServer({ runner: runner as NsjailRunner, port: 0, host: '127.0.0.1', logger: false });
    client = piston({ server: await server.listen() });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists the installed runtimes with their versions and aliases', async () => {
    const runtimes = await client.runtimes();
    expect(Array.isArray(runtimes)).toBe(true);
    const python = (runtimes as { language: string; version: string; aliases: string[] }[]).find((r) => r.language === 'python3');
    expect(python?.version).toMatch(/^3\.\d+\.\d+/);
    expect(python?.aliases).toContain('py');
    const listed = (runtimes as { language: string; version: string }[]).map((r) => r.language);
    for (const id of ['python3', 'c', 'cpp', 'java', 'javascript', 'typescript', 'go', 'rust', 'bash']) expect(listed).toContain(id);
  });

  it('runs a Python program with stdin and arguments', async () => {
    const result = await client.execute('python3', 'import sys\nprint(input(), sys.argv[1:])', { stdin: 'hello', args: ['a', 'b'] });
    expect(result.language).toBe('python3');
    expect(result.run).toMatchObject({ stdout: "hello ['a', 'b']\n", code: 0, signal: null, status: null });
  });

  it('reports a timeout as TO with SIGKILL', async () => {
    const result = await client.execute('python3', fixture('forever.py'), { runTimeout: 1000 });
    expect(result.run.status).toBe('TO');
    expect(result.run.signal).toBe('SIGKILL');
  });

  it('returns a failed compile as compile and as run', async () => {
    const result = await client.execute('c', fixture('compile-error.c'));
    expect(result.compile?.code).not.toBe(0);
    expect(result.compile?.stderr).toMatch(/error/);
    expect(result.run).toEqual(result.compile);
  });

  it('runs a compiled C program', async () => {
    const result = await client.execute('c', '#include <stdio.h>\nint main(void) { puts("from C"); return 0; }\n');
    expect(result.compile?.code).toBe(0);
    expect(result.run.stdout).toBe('from C\n');
  });

  it('applies compile_timeout to the compile step: a 1 ms compile ends as TO', async () => {
    const source = '#include <stdio.h>\nint main(void) { puts("from C"); return 0; }\n';
    const result = await client.execute('c', source, { compileTimeout: 1 });
    expect(result.compile).toMatchObject({ code: null, signal: 'SIGKILL', status: 'TO' });
    expect(result.run).toEqual(result.compile);
  });

  it('keeps the process limit: a contained fork bomb that exits 0 is not a clean run', async () => {
    const result = await client.execute('python3', fixture('fork-until-refused.py'), { runTimeout: 5000 });
    expect(result.run, JSON.stringify(result.run)).toMatchObject({ status: 'RE', message: 'process limit reached' });
    expect(Number(result.run.stdout)).toBeGreaterThan(0);
  });

  it('answers an unknown runtime with 400 { message }', async () => {
    const result = await client.execute('cobol', 'DISPLAY "x".');
    expect(result).toEqual({ message: 'cobol-* runtime is unknown' });
  });
});
