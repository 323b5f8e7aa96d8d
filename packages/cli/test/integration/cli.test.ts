import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bin, partsReady, root } from './harness.js';

// The CLI from source, as a real process: `node --import tsx packages/cli/src/bin.ts ...`.
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

function start(args: string[], env: Record<string, string> = {}, stdin?: string): ChildProcess & { out: () => string; err: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0', ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (stdin !== undefined) child.stdin?.end(stdin);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  return Object.assign(child, { out: () => out, err: () => err });
}

/** The address of the server's one JSON "listening" line on stdout. */
function listeningAddress(child: ChildProcess & { out: () => string; err: () => string }): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${child.err()}`)), 60_000);
    child.stdout?.on('data', () => {
      const m = /"address":"(http:\/\/[^"]+)"[^\n]*"msg":"listening"/.exec(child.out());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function cli(args: string[], env: Record<string, string> = {}, stdin?: string) {
  const child = start(args, env, stdin);
  const code = await exited(child);
  return { code, stdout: child.out(), stderr: child.err() };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('judgekit basics', () => {
  it('prints its version and help', async () => {
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await cli(['--help']);
    expect(help.stdout).toMatch(/serve/);
    expect(help.stdout).toMatch(/doctor/);
  });

  it('lists the built-in languages', async () => {
    const r = await cli(['languages', '--json']);
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((l) => l.id);
    expect(ids).toEqual(expect.arrayContaining(['python3', 'c', 'cpp', 'java', 'javascript']));
  });

  it('refuses a bad setting with exit code 2, naming it', async () => {
    const r = await cli(['serve'], { JUDGEKIT_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/JUDGEKIT_PORT/);
  });

  it('exits 2 for every kind of usage error, before looking for a sandbox', async () => {
    for (const args of [
      ['run'],
      ['run', fixture('double.py'), '--no-such-flag'],
      ['run', fixture('double.py'), '--checker', 'fuzzy'],
      ['run', fixture('double.py'), '--cpu-time-ms', 'soon'],
      ['run', '/nonexistent/a.py'],
      ['run', fixture('double.py'), '--tests', '/nonexistent'],
      ['run', fixture('double.py'), '--tests', fixture('double-tests'), '--stdin', fixture('double-tests/1.in')],
      ['run', fixture('layouts/polygon/01')],
      ['frobnicate'],
    ]) {
      const r = await cli(args, { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).not.toMatch(/No sandbox|\n\s+at /);
    }
  });
});

const suite = (await partsReady()) ? describe : describe.skip;

suite('judgekit with the nsjail sandbox', () => {
  it('runs a program against a folder of tests and exits 0 when accepted', async () => {
    const r = await cli(['run', fixture('double.py'), '--tests', fixture('double-tests'), '--runner', 'nsjail']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/verdict: accepted — 3 of 3 passed/);
    expect(r.stdout).toMatch(/^test\s+verdict\s+cpu ms\s+wall ms\s+memory MiB/m);
    expect(r.stderr).toMatch(/test 3\/3/);
    // Not a terminal: no colour, no live line.
    expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/);
  });

  it('exits 1 on a wrong answer and prints JSON with --json', async () => {
    const r = await cli(['run', fixture('double-wrong.py'), '--tests', fixture('double-tests'), '--json', '--runner', 'nsjail']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as { verdict: string; tests: unknown[] };
    expect(result.verdict).toBe('wrong_answer');
    expect(result.tests).toHaveLength(3);
  });

  it.each([
    ['kattis', [], 'NAME.in + NAME.ans', 3],
    ['polygon', [], 'Polygon NN + NN.a', 2],
    ['io', [], 'input/NAME + output/NAME', 2],
    ['suffix', ['--in-suffix', '.in.txt', '--out-suffix', '.out.txt'], 'NAME.in.txt + NAME.out.txt', 2],
  ] as const)('judges the %s layout: the right program exits 0, the wrong one 1', async (layout, extra, described, count) => {
    const dir = fixture(`layouts/${layout}`);
    const right = await cli(['run', fixture('double.py'), '--tests', dir, ...extra, '--runner', 'nsjail']);
    expect(right.code, right.stdout + right.stderr).toBe(0);
    expect(right.stderr).toContain(described);
    expect(right.stdout).toMatch(new RegExp(`verdict: accepted — ${count} of ${count} passed`));
    const wrong = await cli(['run', fixture('double-wrong.py'), '--tests', dir, ...extra, '--runner', 'nsjail']);
    expect(wrong.code, wrong.stdout).toBe(1);
    expect(wrong.stdout).toMatch(new RegExp(`verdict: wrong_answer — 0 of ${count} passed, ${count} failed`));
    expect(wrong.stdout).toMatch(/expected: "\S+"\n\s+got: {6}"\S+"/);
  });

  it('never passes tests without an expected output, and says how many had none', async () => {
    const r = await cli(['run', fixture('double.py'), '--tests', fixture('layouts/no-answers'), '--runner', 'nsjail']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ *1 +no expected output/m);
    expect(r.stdout).toMatch(/verdict: not verified — 0 of 2 passed, 2 had no expected output/);
    const json = await cli(['run', fixture('double.py'), '--tests', fixture('layouts/no-answers'), '--json', '--runner', 'nsjail']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).run).toMatchObject({ verdict: 'not verified', ok: false, missingExpectedOutputs: 2 });
  });

  it('shows the traceback and the limit of a failing test', async () => {
    const crash = await cli(['run', fixture('crash.py'), '--tests', fixture('double-tests'), '--runner', 'nsjail']);
    expect(crash.code).toBe(1);
    expect(crash.stdout).toMatch(/stderr:\n\s+about to fail\n[\s\S]*Traceback[\s\S]*ValueError: bad 1/);
    const slow = await cli([
      'run',
      fixture('sleep-then-print.py'),
      '--tests',
      fixture('layouts/no-answers'),
      '--wall-time-ms',
      '300',
      '--runner',
      'nsjail',
    ]);
    expect(slow.stdout).toMatch(/time_limit_exceeded — wall time limit of 300 ms reached/);
  });

  it('prints the compiler output and nothing misleading after a compile error', async () => {
    const r = await cli(['run', fixture('compile-error.c'), '--tests', fixture('double-tests'), '--runner', 'nsjail']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^compile error \(exit code 1\)\n[\s\S]*error: expected/);
    expect(r.stdout).toMatch(/verdict: compile_error — the program did not run \(3 tests not run\)\n$/);
    expect(r.stdout).not.toMatch(/max cpu|MiB/);
  });

  it('reports a Python syntax error as a compile error, found before any test runs', async () => {
    const r = await cli(['run', fixture('syntax-error.py'), '--tests', fixture('double-tests'), '--runner', 'nsjail']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^compile error \(exit code 1\)\n[\s\S]*File "main.py", line 1[\s\S]*SyntaxError: '\(' was never closed/);
    expect(r.stdout).toMatch(/verdict: compile_error — the program did not run \(3 tests not run\)\n$/);
  });

  it('judges a Java public class Solution in Solution.java under its own name', async () => {
    const r = await cli(['run', fixture('Solution.java'), '--tests', fixture('double-tests'), '--runner', 'nsjail']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verdict: accepted — 3 of 3 passed/);
  });

  it('forwards piped stdin to a single run', async () => {
    const r = await cli(['run', fixture('sum.py'), '--runner', 'nsjail'], {}, '4 5\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^9$/m);
  });

  it('runs with --stdin and --lang', async () => {
    const r = await cli(['run', fixture('double.py'), '--lang', 'py', '--stdin', fixture('double-tests/2.in'), '--runner', 'nsjail']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^42$/m);
  });

  it('doctor reports a ready sandbox and the detected versions', async () => {
    const r = await cli(['doctor', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { probedWith: string; languages: { id: string; version: string | null }[] };
    expect(report.probedWith).toBe('nsjail');
    expect(report.languages.find((l) => l.id === 'python3')?.version).toMatch(/^3\./);
  });

  it('serves, logs JSON lines with request ids, and on SIGTERM lets running work finish and exits 0', async () => {
    const child = start(['serve', '--port', '0', '--runner', 'nsjail'], {
      JUDGEKIT_LOG_LEVEL: 'info',
      JUDGEKIT_SHUTDOWN_TIMEOUT_MS: '20000',
    });
    children.push(child);
    const base = await listeningAddress(child);
    const source = 'import time\ntime.sleep(1.5)\nprint("finished")\n';
    const held = fetch(`${base}/v1/submissions?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-graceful-1' },
      body: JSON.stringify({ language: 'python3', source }),
    });
    // Shut down while the submission runs.
    for (let i = 0; i < 100 && !/submission running/.test(child.out()); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const response = await held;
    expect(response.status).toBe(200);
    const result = (await response.json()) as { verdict: string; tests: { stdout: string }[] };
    expect(result.verdict).toBe('accepted');
    expect(result.tests[0]?.stdout).toBe('finished\n');
    expect(await exited(child)).toBe(0);

    const lines = child
      .out()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const lifecycle = lines.filter((l) => typeof l.submissionId === 'string');
    expect(lifecycle.map((l) => l.event)).toEqual(expect.arrayContaining(['queued', 'running', 'done']));
    for (const l of lifecycle) expect(l.reqId).toBe('req-graceful-1');
    const request = lines.find((l) => l.msg === 'request' && l.reqId === 'req-graceful-1');
    expect(request).toMatchObject({ method: 'POST', statusCode: 200 });
    expect(lines.some((l) => l.msg === 'stopped')).toBe(true);
    // One "listening" line, JSON like every other line when stdout is not a terminal.
    expect(lines.filter((l) => /listening/i.test(String(l.msg)))).toEqual([
      expect.objectContaining({ msg: 'listening', runner: 'nsjail' }),
    ]);
    expect(child.err()).not.toMatch(/try:/);
  });

  it('serves with pretty logs when asked, still one listening line', async () => {
    const child = start(['serve', '--port', '0', '--runner', 'nsjail', '--log-format', 'pretty'], { NO_COLOR: '1' });
    children.push(child);
    for (let i = 0; i < 600 && !/listening/.test(child.out()); i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    const out = child.out();
    expect(out.match(/listening/g)).toHaveLength(1);
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: listening/m);
    expect(out).not.toMatch(/\x1b\[/);
    expect(() => JSON.parse(out.split('\n')[0]!)).toThrow();
  });

  it('serves a language added in the config file, and judges in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jk-serve-config-'));
    const config = join(dir, 'judgekit.json');
    writeFileSync(
      config,
      JSON.stringify({
        languages: [
          {
            id: 'py-plain',
            name: 'Python without site',
            sourceFile: 'prog.py',
            extensions: ['.pyp'],
            run: ['/usr/bin/python3', '-S', 'prog.py'],
            version: { argv: ['/usr/bin/python3', '--version'], pattern: 'Python (\\S+)' },
          },
        ],
      }),
    );
    const child = start(['serve', '--port', '0', '--runner', 'nsjail', '--config', config]);
    children.push(child);
    const base = await listeningAddress(child);
    const { languages } = (await (await fetch(`${base}/v1/languages`)).json()) as { languages: { id: string; version: string | null }[] };
    expect(languages.find((l) => l.id === 'py-plain')?.version).toMatch(/^3\./);
    const r = await fetch(`${base}/v1/submissions?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        language: 'py-plain',
        source: 'import sys; print("site" in sys.modules)',
        tests: [{ expectedOutput: 'False\n' }],
      }),
    });
    expect(((await r.json()) as { verdict: string }).verdict).toBe('accepted');
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    writeFileSync(config, JSON.stringify({ languages: [{ id: 'x', name: 'x', sourceFile: 'x', run: 'x' }] }));
    const bad = await cli(['serve', '--port', '0', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/languages\.0: Language definition: run/);
  });

  it('refuses to start when the chosen sandbox is not available', async () => {
    const r = await cli(['serve', '--port', '0', '--runner', 'docker'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No sandbox works/);
  });
});
