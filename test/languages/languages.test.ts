import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinLanguages, c, Judge, type LanguageDefinition, type SubmissionResult } from '@judgekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programs } from './programs.js';
import { runnerCases, runnerReady } from './runners.js';

const MiB = 1024 * 1024;

/** About 4 MiB of input: 600,000 numbers, one per line, and their sum. */
function bigInput(): { input: string; sum: string } {
  const parts: string[] = [];
  let sum = 0;
  for (let i = 0; i < 600_000; i++) {
    const x = (i * 7919) % 1_000_003;
    parts.push(String(x));
    sum += x;
  }
  return { input: `${parts.join('\n')}\n`, sum: String(sum) };
}

const interpretedSyntaxErrors: Record<string, { source: string; message: RegExp }> = {
  javascript: { source: 'console.log(\n', message: /SyntaxError/ },
  bash: { source: 'if then fi\n', message: /syntax error/ },
};

/** C with tight compile limits, for a compiler that runs away. */
const tightC: LanguageDefinition = {
  ...c,
  id: 'c-tight-compile',
  aliases: [],
  compileLimits: { cpuTimeMs: 2000, wallTimeMs: 6000, memoryBytes: 128 * MiB },
};

/** Limits for runs that set none: ten times the default cpu and six times its wall. */
const roomy = { cpuTimeMs: 20_000, wallTimeMs: 30_000 };

const output = (r: SubmissionResult): string => (r.compile ? `${r.compile.stdout}\n${r.compile.stderr}` : '');

for (const runnerCase of runnerCases) {
  const ready = await runnerReady(runnerCase);

  describe.runIf(ready)(`languages on the ${runnerCase.name} runner`, () => {
    let judge: Judge;
    let secretDir: string;
    const secret = `SECRET_${randomBytes(8).toString('hex')}`;
    const big = bigInput();

    beforeAll(() => {
      // These tests are about the languages, not the default limits: a run that sets none gets room
      // for a loaded machine, where a Node start on gVisor was once charged over 2 s of cpu (about
      // 0.4 s usually; see docs/runners.md). Every test of a limit sets its own.
      judge = new Judge({ runner: runnerCase.create(), concurrency: 1, languages: [tightC], defaultLimits: roomy });
      // A host file the sandbox must not see, in a folder neither runner mounts.
      secretDir = mkdtempSync('/var/tmp/judgekit-secret-');
      for (const ext of ['h', 'rs', 'ts']) writeFileSync(join(secretDir, `secret.${ext}`), `${secret}\n`);
    });
    afterAll(async () => {
      await judge?.close();
      rmSync(secretDir, { recursive: true, force: true });
    });

    it('reports a compiler that exceeds its limits as a compile error naming the limit', async () => {
      // /dev/zero is an endless file: the preprocessor reads it until a limit stops it.
      const r = await judge.run({ language: tightC.id, source: '#include "/dev/zero"\nint main(void) { return 0; }\n' });
      expect(r.verdict, `${r.message}`).toBe('compile_error');
      expect(r.message).toMatch(/exceeded its (memory|cpu|wall) limit/);
    });

    it('compiles and runs a Java public class under its own name', async () => {
      const source =
        'import java.util.Scanner;\n\npublic class Solution {\n  public static void main(String[] args) {\n    Scanner in = new Scanner(System.in);\n    System.out.println(in.nextInt() + in.nextInt());\n  }\n}\n';
      const r = await judge.run({ language: 'java', source, tests: [{ input: '4 5\n', expectedOutput: '9' }] });
      expect(r.verdict, JSON.stringify(r.compile ?? r.tests[0])).toBe('accepted');
      const wrong = await judge.run({ language: 'java', source: 'public class Solution {}\nclass Other {}\n' });
      // A class without main is the JVM's own error, naming the class that was given.
      expect(wrong.verdict).toBe('runtime_error');
      expect(wrong.tests[0]!.stderr).toMatch(/Main method not found in class Solution/);
    });

    it('reports a Python syntax error as compile_error before any test, and a SyntaxError raised at run time as runtime_error', async () => {
      const bad = await judge.run({ language: 'python3', source: 'x = 1\nif x\n    print(x)\n', tests: [{ input: '' }, { input: '' }] });
      expect(bad).toMatchObject({ verdict: 'compile_error', tests: [] });
      expect(bad.compile?.stderr).toMatch(/File "main.py", line 2[\s\S]*SyntaxError: expected ':'/);
      const late = await judge.run({ language: 'python3', source: 'print("ran")\neval("1 +")\n' });
      expect(late.verdict).toBe('runtime_error');
      expect(late.tests[0]!.stdout).toBe('ran\n');
      const runs = await judge.run({ language: 'python3', source: 'print(1)\n' });
      expect(runs).toMatchObject({ verdict: 'accepted', compile: null });
    });

    it('runs TypeScript with a type error (types stripped), and bundles the local modules it imports', async () => {
      const typed = await judge.run({ language: 'typescript', source: 'const n: number = "not a number";\nconsole.log(n);\n' });
      expect(typed.verdict, JSON.stringify({ compile: typed.compile, test: typed.tests[0] })).toBe('accepted');
      expect(typed.tests[0]!.stdout).toBe('not a number\n');
      const modules = await judge.run({
        language: 'ts',
        files: [
          { content: "import { twice } from './util';\nimport { EOL } from 'os';\nprocess.stdout.write(String(twice(21)) + EOL);\n" },
          { name: 'util.ts', content: 'export const twice = (n: number): number => n * 2;\n' },
        ],
        tests: [{ expectedOutput: '42' }],
      });
      expect(modules.verdict, JSON.stringify(modules.compile ?? modules.tests[0])).toBe('accepted');
    });

    for (const language of builtinLanguages) {
      const p = programs[language.id]!;

      describe(language.id, () => {
        it('detects the toolchain version', async () => {
          expect(await judge.version(language.id)).toMatch(/^\d+\.\d+/);
        });

        it('prints hello, world', async () => {
          const r = await judge.run({ language: language.id, source: p.hello, tests: [{ input: '', expectedOutput: 'hello, world\n' }] });
          expect(r.verdict, JSON.stringify(r)).toBe('accepted');
          expect(r.tests[0]!.stdout).toBe('hello, world\n');
        });

        it('sums numbers from stdin, compiled once for every test', async () => {
          const r = await judge.run({
            language: language.id,
            source: p.sum,
            tests: [
              { input: '1\n2\n3\n', expectedOutput: '6' },
              { input: '-5\n5\n100\n', expectedOutput: '100' },
              { input: '7\n', expectedOutput: '7' },
            ],
          });
          expect(r.verdict, JSON.stringify(r.tests.map((t) => [t.verdict, t.stdout, t.stderr]))).toBe('accepted');
          expect(r.tests).toHaveLength(3);
          if (language.compile) expect(r.compile?.exitCode).toBe(0);
        });

        // Fast enough: 600,000 numbers in under 4 s of CPU on any runner (Node on gVisor needs up to 2 s of it
        // under load; bare on the host every language needs well under 1 s).
        it('reads a 4 MiB input in under 4 s of cpu', async () => {
          const r = await judge.run({
            language: language.id,
            source: p.sum,
            tests: [{ input: big.input, expectedOutput: big.sum }],
            limits: { cpuTimeMs: 4000, wallTimeMs: 10_000 },
          });
          expect(r.verdict, JSON.stringify({ ...r.tests[0], stdout: r.tests[0]?.stdout.slice(0, 200) })).toBe('accepted');
          expect(r.tests[0]!.cpuTimeMs).toBeLessThan(4000);
        });

        if (p.compileError) {
          it("reports a compile error with the compiler's message", async () => {
            const r = await judge.run({ language: language.id, source: p.compileError! });
            expect(r.verdict).toBe('compile_error');
            expect(r.tests).toHaveLength(0);
            expect(output(r)).toMatch(p.compileMessage!);
          });
        } else {
          it("reports a syntax error as a runtime error with the interpreter's message", async () => {
            const { source, message } = interpretedSyntaxErrors[language.id]!;
            const r = await judge.run({ language: language.id, source });
            expect(r.verdict).toBe('runtime_error');
            expect(r.tests[0]!.stderr).toMatch(message);
          });
        }

        it(`reports a runtime error with ${p.runtimeSignal ?? `exit code ${p.runtimeExitCode}`}`, async () => {
          const r = await judge.run({ language: language.id, source: p.runtimeError });
          expect(r.verdict, JSON.stringify(r.tests[0])).toBe('runtime_error');
          if (p.runtimeSignal) expect(r.tests[0]!.signal).toBe(p.runtimeSignal);
          else expect(r.tests[0]!.exitCode).toBe(p.runtimeExitCode);
        });

        it('stops an endless loop at a 1,000 ms cpu limit', async () => {
          const r = await judge.run({ language: language.id, source: p.forever, limits: { cpuTimeMs: 1000, wallTimeMs: 4000 } });
          expect(r.verdict, JSON.stringify(r.tests[0])).toBe('time_limit_exceeded');
        });

        it('reports a memory hog under a 128 MiB limit as memory_limit_exceeded', async () => {
          const r = await judge.run({
            language: language.id,
            source: p.hog,
            limits: { memoryBytes: 128 * MiB, cpuTimeMs: 10_000, wallTimeMs: 20_000 },
          });
          expect(r.verdict, JSON.stringify({ ...r.tests[0], stderr: r.tests[0]?.stderr.slice(0, 500) })).toBe('memory_limit_exceeded');
        });

        it('accepts a program that touches 48 MiB under the default 256 MiB limit', async () => {
          const r = await judge.run({ language: language.id, source: p.modest, tests: [{ input: '', expectedOutput: 'ok' }] });
          expect(r.verdict, JSON.stringify(r.tests[0])).toBe('accepted');
        });

        // The same limit means the same thing in every language: a runtime's own files (the JVM's
        // class library, Node's binary) mapped into memory are not the program's memory.
        it('accepts hello, world under a 64 MiB limit', async () => {
          const r = await judge.run({
            language: language.id,
            source: p.hello,
            tests: [{ input: '', expectedOutput: 'hello, world\n' }],
            limits: { memoryBytes: 64 * MiB },
          });
          expect(r.verdict, JSON.stringify({ ...r.tests[0], stderr: r.tests[0]?.stderr.slice(0, 300) })).toBe('accepted');
        });

        if (p.includeHostFile) {
          it('shows nothing of host files read at compile time', async () => {
            for (const path of [
              '/etc/shadow',
              join(secretDir, `secret.${language.id === 'rust' ? 'rs' : language.id.startsWith('typescript') ? 'ts' : 'h'}`),
            ]) {
              const r = await judge.run({ language: language.id, source: p.includeHostFile!(path) });
              expect(r.verdict, `including ${path}`).toBe('compile_error');
              expect(output(r)).not.toContain(secret);
              expect(output(r)).not.toMatch(/root:/);
            }
          });
        }
      });
    }
  });
}
