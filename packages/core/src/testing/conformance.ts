import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isJudgeError } from '../errors/judge-error.js';
import { c, python3 } from '../languages/builtins.js';
import { buildCommand, type LanguageDefinition } from '../languages/definition.js';
import type { ExecOutcome, Runner, Sandbox } from '../runner/contract.js';
import { defaultCompileLimits, defaultLimits, type Limits } from '../runner/limits.js';

const MiB = 1024 * 1024;

/**
 * Paths every runner refuses with `JDG_ERR_SANDBOX_PATH_INVALID`, on `write` and on `read`, each
 * with the words its message contains. The conformance suite runs them all against the real
 * sandbox; they are exported for runners' own tests.
 */
export const refusedSandboxPaths: readonly { name: string; path: string; why: RegExp }[] = [
  { name: 'empty', path: '', why: /empty/ },
  { name: 'absolute', path: '/etc/passwd', why: /absolute/ },
  { name: '"./main.py"', path: './main.py', why: /"\." component/ },
  { name: '"a/./b"', path: 'a/./b', why: /"\." component/ },
  { name: '"."', path: '.', why: /"\." component/ },
  { name: '"a//b"', path: 'a//b', why: /empty component/ },
  { name: '"a/"', path: 'a/', why: /empty component/ },
  { name: '"../x"', path: '../x', why: /"\.\." component/ },
  { name: '"a/../../x"', path: 'a/../../x', why: /"\.\." component/ },
  { name: '".."', path: '..', why: /"\.\." component/ },
  { name: 'with a NUL byte', path: 'a\0b', why: /NUL/ },
  { name: 'with a 256-character component', path: 'x'.repeat(256), why: /longer than 255/ },
  { name: 'of 4201 characters', path: `${'a/'.repeat(2100)}b`, why: /longer than 4096/ },
];

/** What the conformance suite needs from a runner package. */
export interface ConformanceOptions {
  /** Creates the runner under test (called once, before the suite). */
  createRunner(): Runner | Promise<Runner>;
  /**
   * Lists what a disposed sandbox left behind on the host (work directories, cgroups,
   * containers, processes). The suite expects an empty list after every sandbox is disposed.
   */
  leftovers(): Promise<string[]>;
  /** Languages to use; default the built-in `python3` and `c`. */
  languages?: { python?: LanguageDefinition; c?: LanguageDefinition };
  /** Name shown in the describe block. @defaultValue the runner's name */
  name?: string;
}

/**
 * The runner conformance suite: every runner package runs it unchanged against its real sandbox.
 * Call it at the top level of a vitest test file.
 *
 * @example
 * ```ts
 * import { runnerConformanceSuite } from '@judgekit/core/testing'
 * runnerConformanceSuite({ createRunner: () => new NsjailRunner(), leftovers: listLeftovers })
 * ```
 */
export function runnerConformanceSuite(options: ConformanceOptions): void {
  const py = options.languages?.python ?? python3;
  const cc = options.languages?.c ?? c;
  let runner: Runner;

  const limits = (overrides: Partial<Limits> = {}): Limits => ({ ...defaultLimits, ...overrides });

  async function withSandbox<T>(language: LanguageDefinition, fn: (box: Sandbox) => Promise<T>): Promise<T> {
    const box = await runner.open({ language });
    try {
      return await fn(box);
    } finally {
      await box.dispose();
    }
  }

  async function compileIn(box: Sandbox, language: LanguageDefinition, source: string): Promise<ExecOutcome | null> {
    await box.write([{ path: language.sourceFile, content: source }]);
    if (!language.compile) return null;
    const compileLimits = { ...defaultCompileLimits, ...language.compileLimits };
    return box.exec({
      argv: buildCommand(language.compile, { limits: compileLimits, args: [], sourceFile: language.sourceFile }),
      limits: compileLimits,
      env: language.env,
    });
  }

  /** Writes, compiles (when needed) and runs one program in a fresh sandbox. */
  async function run(
    language: LanguageDefinition,
    source: string,
    opts: { stdin?: string; limits?: Partial<Limits>; args?: string[] } = {},
  ): Promise<ExecOutcome> {
    return withSandbox(language, async (box) => {
      const compiled = await compileIn(box, language, source);
      if (compiled && compiled.exitCode !== 0) throw new Error(`fixture failed to compile: ${compiled.stderr}`);
      const runLimits = limits({ ...language.runLimits, ...opts.limits });
      return box.exec({
        argv: buildCommand(language.run, { limits: runLimits, args: opts.args ?? [], sourceFile: language.sourceFile }),
        stdin: opts.stdin,
        limits: runLimits,
        env: language.env,
      });
    });
  }

  describe(`runner conformance: ${options.name ?? 'runner'}`, () => {
    beforeAll(async () => {
      runner = await options.createRunner();
    });
    afterAll(async () => {
      await runner?.close();
    });

    it('runs hello world', async () => {
      const out = await run(py, 'print("hello, world")');
      expect(out).toMatchObject({ exitCode: 0, signal: null, stdout: 'hello, world\n', limitExceeded: null });
      expect(out.wallTimeMs).toBeGreaterThan(0);
    });

    it('passes stdin to the program and its stdout back', async () => {
      const input = Array.from({ length: 1000 }, (_, i) => `${i}`).join('\n') + '\n';
      const out = await run(py, 'import sys\nnums = [int(x) for x in sys.stdin.read().split()]\nprint(sum(nums), len(nums))', {
        stdin: input,
      });
      expect(out.stdout).toBe('499500 1000\n');
    });

    it('keeps stderr apart from stdout', async () => {
      const out = await run(py, 'import sys\nprint("out")\nprint("err", file=sys.stderr)');
      expect(out.stdout).toBe('out\n');
      expect(out.stderr).toBe('err\n');
    });

    it('reports the exit code', async () => {
      const out = await run(py, 'import sys\nsys.exit(3)');
      expect(out).toMatchObject({ exitCode: 3, signal: null, limitExceeded: null });
    });

    it('passes arguments to the program', async () => {
      const out = await run(py, 'import sys\nprint(sys.argv[1:])', { args: ['a b', '--x'] });
      expect(out.stdout).toBe("['a b', '--x']\n");
    });

    it('reports death by SIGSEGV', async () => {
      const out = await run(cc, 'int main(void) { volatile int *p = 0; *p = 1; return 0; }');
      expect(out).toMatchObject({ exitCode: null, signal: 'SIGSEGV', limitExceeded: null });
    });

    it('reports abort() as SIGABRT (the program is not PID 1)', async () => {
      const out = await run(cc, '#include <stdlib.h>\nint main(void) { abort(); }');
      expect(out).toMatchObject({ exitCode: null, signal: 'SIGABRT' });
    });

    it('stops a busy loop at the cpu time limit', async () => {
      const out = await run(cc, 'int main(void) { volatile unsigned long i = 0; for (;;) i++; }', {
        limits: { cpuTimeMs: 1000, wallTimeMs: 5000 },
      });
      expect(out.limitExceeded).toBe('cpu');
      expect(out.cpuTimeMs).toBeGreaterThanOrEqual(1000);
      expect(out.cpuTimeMs).toBeLessThanOrEqual(1150);
    });

    it('stops a sleeping program at the wall time limit', async () => {
      const started = performance.now();
      const out = await run(py, 'import time\ntime.sleep(5)', { limits: { wallTimeMs: 1000 } });
      expect(out.limitExceeded).toBe('wall');
      expect(out.wallTimeMs).toBeGreaterThanOrEqual(1000);
      expect(out.wallTimeMs).toBeLessThanOrEqual(1300);
      expect(performance.now() - started).toBeLessThan(5000);
    });

    it('measures the peak memory of a program that touches 100 MiB', async () => {
      const out = await run(
        cc,
        '#include <stdlib.h>\n#include <string.h>\nint main(void) { size_t n = 100u << 20; char *volatile p = malloc(n); memset(p, 1, n); return p[n - 1] == 1 ? 0 : 1; }',
        { limits: { memoryBytes: 256 * MiB } },
      );
      expect(out).toMatchObject({ exitCode: 0, limitExceeded: null });
      expect(out.memoryBytes).toBeGreaterThanOrEqual(100 * MiB);
      expect(out.memoryBytes).toBeLessThanOrEqual(120 * MiB);
    });

    it('kills a program above the memory limit and says it was memory', async () => {
      const out = await run(
        cc,
        '#include <stdlib.h>\n#include <string.h>\nint main(void) { for (;;) { char *p = malloc(1 << 20); if (!p) return 7; memset(p, 1, 1 << 20); } }',
        { limits: { memoryBytes: 64 * MiB } },
      );
      expect(out.limitExceeded).toBe('memory');
    });

    it('kills endless printing at the output limit', async () => {
      const out = await run(py, 'while True:\n    print("y" * 1000)', { limits: { outputBytes: 64 * 1024, wallTimeMs: 10_000 } });
      expect(out.limitExceeded).toBe('output');
      expect(out.stdoutTruncated).toBe(true);
      expect(Buffer.byteLength(out.stdout)).toBeLessThanOrEqual(64 * 1024);
    });

    it('contains a fork bomb at the process limit and keeps working after it', async () => {
      const out = await run(cc, '#include <unistd.h>\nint main(void) { for (;;) fork(); }', {
        limits: { processes: 16, wallTimeMs: 2000, cpuTimeMs: 2000 },
      });
      expect(out.limitExceeded).not.toBeNull();
      const after = await run(py, 'print("alive")');
      expect(after.stdout).toBe('alive\n');
    });

    it('has no network', async () => {
      const server = net.createServer((s) => s.end('reached\n'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      try {
        const out = await run(
          py,
          [
            'import socket',
            `for host, port in [("127.0.0.1", ${port}), ("1.1.1.1", 53), ("8.8.8.8", 443)]:`,
            '    try:',
            '        s = socket.create_connection((host, port), timeout=2)',
            '        print("connected", host, s.recv(16))',
            '    except OSError as e:',
            '        print("blocked", host)',
          ].join('\n'),
          { limits: { wallTimeMs: 10_000 } },
        );
        expect(out.stdout).toBe('blocked 127.0.0.1\nblocked 1.1.1.1\nblocked 8.8.8.8\n');
      } finally {
        server.close();
      }
    });

    it('has a read-only root and a writable work directory', async () => {
      const out = await run(
        py,
        [
          'import os',
          'for p in ["/usr/judgekit-probe", "/etc/judgekit-probe", "/judgekit-probe", "/bin/judgekit-probe"]:',
          '    try:',
          '        open(p, "w").write("x")',
          '        print("WROTE", p)',
          '    except OSError:',
          '        print("ro", p)',
          'open("here.txt", "w").write("ok")',
          'print(open("here.txt").read())',
        ].join('\n'),
      );
      expect(out.stdout).toBe('ro /usr/judgekit-probe\nro /etc/judgekit-probe\nro /judgekit-probe\nro /bin/judgekit-probe\nok\n');
    });

    it('keeps two sandboxes from seeing each other’s files', async () => {
      const secret = `secret-${Math.random().toString(36).slice(2)}`;
      await withSandbox(py, async (a) => {
        await a.write([{ path: `${secret}.txt`, content: secret }]);
        await a.exec({ argv: ['python3', '-c', `open("/tmp/${secret}.tmp", "w").write("x")`], limits: limits() });
        const seen = await run(
          py,
          [
            'import os, sys',
            `name = "${secret}"`,
            'found = []',
            'for root, dirs, files in os.walk("/"):',
            '    if root == "/":',
            '        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "usr", "lib", "lib64", "lib32")]',
            '    found += [os.path.join(root, f) for f in files if name in f]',
            'print("found", found)',
          ].join('\n'),
          { limits: { wallTimeMs: 20_000, cpuTimeMs: 15_000 } },
        );
        expect(seen.stdout).toBe('found []\n');
      });
    });

    it('stops a write at the file size limit', async () => {
      const out = await run(
        cc,
        '#include <stdio.h>\n#include <string.h>\nint main(void) { static char b[65536]; memset(b, 1, sizeof b); FILE *f = fopen("big.bin", "wb"); for (int i = 0; i < 64; i++) { if (fwrite(b, 1, sizeof b, f) != sizeof b) return 5; fflush(f); } return 0; }',
        { limits: { fileSizeBytes: 1 * MiB } },
      );
      expect(out.limitExceeded).toBe('filesize');
    });

    it('reports a compile error with the compiler’s message', async () => {
      await withSandbox(cc, async (box) => {
        const out = await compileIn(box, cc, 'int main(void) { return undefined_name; }');
        expect(out?.exitCode).not.toBe(0);
        expect(out?.stderr).toContain('undefined_name');
      });
    });

    it('reads back a produced file and refuses a symlink to a host file', async () => {
      await withSandbox(py, async (box) => {
        await box.write([
          { path: 'main.py', content: 'import os\nopen("out.txt","w").write("made")\nos.symlink("/etc/hostname", "link.txt")' },
        ]);
        const out = await box.exec({ argv: ['python3', 'main.py'], limits: limits() });
        expect(out.exitCode).toBe(0);
        expect(Buffer.from(await box.read('out.txt')).toString()).toBe('made');
        await expect(box.read('link.txt')).rejects.toSatisfy((e: unknown) => isJudgeError(e, 'JDG_ERR_SANDBOX_PATH_INVALID'));
        await expect(box.read('../../etc/hostname')).rejects.toSatisfy((e: unknown) => isJudgeError(e, 'JDG_ERR_SANDBOX_PATH_INVALID'));
        await expect(box.write([{ path: 'link.txt', content: 'x' }])).rejects.toSatisfy((e: unknown) =>
          isJudgeError(e, 'JDG_ERR_SANDBOX_PATH_INVALID'),
        );
      });
    });

    it('releases every resource after dispose', async () => {
      const box = await runner.open({ language: py });
      await box.write([{ path: 'main.py', content: 'import subprocess\nsubprocess.Popen(["sleep", "30"])\nprint("started")' }]);
      const out = await box.exec({ argv: ['python3', 'main.py'], limits: limits() });
      expect(out.stdout).toBe('started\n');
      await box.dispose();
      await box.dispose();
      await expect(box.exec({ argv: ['true'], limits: limits() })).rejects.toSatisfy((e: unknown) =>
        isJudgeError(e, 'JDG_ERR_SANDBOX_DISPOSED'),
      );
      expect(await options.leftovers()).toEqual([]);
    });

    it.each(refusedSandboxPaths)('refuses a path $name on write and on read, writing nothing', async ({ path, why }) => {
      await withSandbox(py, async (box) => {
        for (const call of [() => box.write([{ path, content: 'x' }]), () => box.read(path)]) {
          const error = await call().catch((e: unknown) => e);
          expect(isJudgeError(error, 'JDG_ERR_SANDBOX_PATH_INVALID')).toBe(true);
          expect((error as Error).message).toMatch(why);
        }
        const out = await box.exec({
          argv: ['python3', '-c', 'import os; print(sorted(os.listdir(".")))'],
          limits: limits(),
        });
        expect(out.stdout).toBe('[]\n');
      });
    });

    it('refuses argv and env it must not pass on, running nothing', async () => {
      await withSandbox(py, async (box) => {
        const marker = ['python3', '-c', 'open("ran.txt", "w")'];
        const requests: { argv: string[]; env?: Record<string, string> }[] = [
          { argv: [...marker, 'a\0b'] },
          { argv: [''] },
          { argv: marker, env: { 'BAD-NAME': '1' } },
          { argv: marker, env: { JK_ANYTHING: '1' } },
          { argv: marker, env: { OK: 'x\0y' } },
        ];
        for (const request of requests) {
          await expect(box.exec({ ...request, limits: limits() })).rejects.toSatisfy((e: unknown) =>
            isJudgeError(e, 'JDG_ERR_INPUT_INVALID'),
          );
        }
        const out = await box.exec({ argv: ['python3', '-c', 'import os; print(os.path.exists("ran.txt"))'], limits: limits() });
        expect(out.stdout).toBe('False\n');
      });
    });

    it('runs nothing for an operation whose signal has already aborted', async () => {
      const aborted = AbortSignal.abort(new Error('gone'));
      await expect(runner.open({ language: py }, { signal: aborted })).rejects.toSatisfy((e: unknown) =>
        isJudgeError(e, 'JDG_ERR_OPERATION_ABORTED'),
      );
      await withSandbox(py, async (box) => {
        const ran = box.exec({ argv: ['python3', '-c', 'open("ran.txt", "w")'], limits: limits() }, { signal: aborted });
        await expect(ran).rejects.toSatisfy((e: unknown) => isJudgeError(e, 'JDG_ERR_OPERATION_ABORTED'));
        await expect(box.write([{ path: 'w.txt', content: 'x' }], { signal: aborted })).rejects.toSatisfy((e: unknown) =>
          isJudgeError(e, 'JDG_ERR_OPERATION_ABORTED'),
        );
        const out = await box.exec({ argv: ['python3', '-c', 'import os; print(sorted(os.listdir(".")))'], limits: limits() });
        expect(out.stdout).toBe('[]\n');
      });
    });

    it('kills a running command when its signal aborts', async () => {
      await withSandbox(py, async (box) => {
        await box.write([{ path: 'main.py', content: 'import time\ntime.sleep(30)' }]);
        const controller = new AbortController();
        const started = performance.now();
        setTimeout(() => controller.abort(new Error('test abort')), 300);
        await expect(
          box.exec({ argv: ['python3', 'main.py'], limits: limits({ wallTimeMs: 20_000 }) }, { signal: controller.signal }),
        ).rejects.toSatisfy((e: unknown) => isJudgeError(e, 'JDG_ERR_OPERATION_ABORTED'));
        expect(performance.now() - started).toBeLessThan(5000);
      });
    });
  });
}
