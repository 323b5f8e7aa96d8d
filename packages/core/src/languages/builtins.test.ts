import { describe, expect, it } from 'vitest';
import { defaultCompileLimits, defaultLimits, type Limits } from '../runner/limits.js';
import {
  bash,
  builtinLanguages,
  c,
  cpp,
  go,
  heapMiB,
  java,
  javascript,
  python3,
  runtimeReserveBytes,
  rust,
  typescript,
  typescriptTsc,
} from './builtins.js';
import { buildCommand, type LanguageDefinition } from './definition.js';
import { LanguageRegistry } from './registry.js';

const MiB = 1024 * 1024;
const limits = (overrides: Partial<Limits> = {}): Limits => ({ ...defaultLimits, ...overrides });
const run = (language: LanguageDefinition, l: Limits = limits(), args: string[] = []) =>
  buildCommand(language.run, { limits: l, args, sourceFile: language.sourceFile });
const compile = (language: LanguageDefinition, l: Limits = { ...defaultCompileLimits }) =>
  buildCommand(language.compile!, { limits: l, args: [], sourceFile: language.sourceFile });

describe('built-in languages', () => {
  it('lists the ten languages in display order', () => {
    expect(builtinLanguages.map((l) => l.id)).toEqual([
      'python3',
      'c',
      'cpp',
      'java',
      'javascript',
      'typescript',
      'typescript-tsc',
      'go',
      'rust',
      'bash',
    ]);
  });

  it('registers every built-in without a clash of ids or aliases', () => {
    const registry = new LanguageRegistry();
    expect(registry.ids()).toHaveLength(10);
    for (const alias of ['py', 'gcc', 'c++', 'js', 'ts', 'tsc', 'golang', 'rs', 'sh']) expect(registry.find(alias)).toBeDefined();
  });

  it('names a source file that the compile or run command uses', () => {
    for (const language of builtinLanguages) {
      const argv = language.compile ? compile(language) : run(language);
      expect(argv, language.id).toContain(language.sourceFile);
    }
  });

  it('gives every language a version probe', () => {
    for (const language of builtinLanguages) expect(language.version, language.id).toBeDefined();
  });

  it('runs compiled languages from the artifact their compile step writes', () => {
    for (const language of [c, cpp, go, rust]) {
      expect(compile(language)).toEqual(expect.arrayContaining(['-o', 'main']));
      expect(run(language)).toEqual(['./main']);
    }
  });

  it('appends the submission arguments to the run command', () => {
    for (const language of builtinLanguages) {
      expect(run(language, limits(), ['--flag', 'x']).slice(-2), language.id).toEqual(['--flag', 'x']);
    }
  });
});

describe('heap settings derived from the memory limit', () => {
  it('leaves the runtime reserve outside the heap', () => {
    expect(heapMiB({ memoryBytes: 256 * MiB })).toBe(256 - runtimeReserveBytes / MiB);
    expect(heapMiB({ memoryBytes: 1024 * MiB })).toBe(1024 - runtimeReserveBytes / MiB);
  });

  it('keeps at least half of a small limit, and at least 16 MiB', () => {
    expect(heapMiB({ memoryBytes: 64 * MiB })).toBe(32);
    expect(heapMiB({ memoryBytes: 8 * MiB })).toBe(16);
  });

  it('starts the JVM with -Xmx from the run limit and javac with -J-Xmx from the compile limit', () => {
    expect(run(java, limits({ memoryBytes: 512 * MiB }))).toContain('-Xmx448m');
    expect(compile(java, { ...defaultCompileLimits, memoryBytes: 1024 * MiB })).toContain('-J-Xmx960m');
  });

  it('uses the serial collector so the JVM thread count does not grow with the host CPUs', () => {
    expect(run(java)).toContain('-XX:+UseSerialGC');
    expect(java.runLimits?.processes).toBeGreaterThanOrEqual(64);
  });

  it('starts Node with --max-old-space-size from the run limit for JavaScript and TypeScript', () => {
    for (const language of [javascript, typescript, typescriptTsc]) {
      const argv = run(language, limits({ memoryBytes: 128 * MiB }));
      expect(argv[0]).toBe('node');
      expect(argv).toContain('--max-old-space-size=64');
      expect(argv.at(-1)).toBe('main.js');
    }
  });
});

describe('compile commands', () => {
  it('strips TypeScript types with esbuild into one CommonJS main.js, local imports bundled, Node modules left as requires', () => {
    const argv = compile(typescript);
    expect(argv[0]).toBe('/usr/local/lib/judgekit/esbuild/bin/esbuild');
    expect(argv).toEqual(expect.arrayContaining(['main.ts', '--bundle', '--platform=node', '--format=cjs', '--outfile=main.js']));
    expect(typescript.version?.argv[0]).toBe(argv[0]);
  });

  it('type-checks typescript-tsc with Node type declarations and no output on a type error', () => {
    const argv = compile(typescriptTsc);
    expect(argv).toEqual(expect.arrayContaining(['--types', 'node', '--noEmitOnError', '--outDir', '.']));
    expect(argv.some((a) => a.endsWith('/typescript/bin/tsc'))).toBe(true);
    expect(typescriptTsc.extensions ?? []).toEqual([]);
  });

  it('byte-compiles Python only as a syntax check, of the main file, loading no site packages', () => {
    expect(python3.compile).toBeUndefined();
    const argv = buildCommand(python3.syntaxCheck!.command, { limits: defaultCompileLimits, args: [], sourceFile: 'main.py' });
    expect(argv.slice(0, 4)).toEqual(['python3', '-I', '-S', '-c']);
    expect(argv.at(-1)).toBe('main.py');
    for (const refusal of [
      "SyntaxError: '(' was never closed",
      'IndentationError: expected an indented block',
      'TabError: inconsistent use',
    ])
      expect(python3.syntaxCheck!.pattern.test(`  File "main.py", line 1\n${refusal}\n`), refusal).toBe(true);
    expect(python3.syntaxCheck!.pattern.test('ZeroDivisionError: division by zero\n')).toBe(false);
  });

  it('compiles and runs a Java source as the class it names public', () => {
    const argv = (spec: typeof java.run, sourceFile: string) => buildCommand(spec, { limits: limits(), args: [], sourceFile });
    expect(argv(java.compile!, 'Solution.java').at(-1)).toBe('Solution.java');
    expect(argv(java.run, 'Solution.java').at(-1)).toBe('Solution');
    const from = java.sourceFileFrom!;
    const name = (source: string) => from.pattern.exec(source)?.[1];
    expect(name('import x;\npublic class Solution {')).toBe('Solution');
    expect(name('public final class A_1$ {}')).toBe('A_1$');
    expect(name('  public abstract class Shape {}\npublic class Main {}')).toBe('Shape');
    expect(name('public record Point(int x) {}')).toBe('Point');
    expect(name('// public class Comment\nclass Main {}')).toBeUndefined();
    expect(name(' * public class InJavadoc\nclass Main {}')).toBeUndefined();
  });

  it('builds Go against the precompiled standard library with a per-sandbox cache', () => {
    expect(compile(go)).toEqual(['go', 'build', '-o', 'main', 'main.go']);
    expect(go.env).toMatchObject({ GODEBUG: 'installgoroot=all', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' });
    expect(go.env?.GOCACHE?.startsWith('/tmp/')).toBe(true);
  });

  it('builds C and C++ with -O2 and links C with libm', () => {
    expect(compile(c)).toEqual(expect.arrayContaining(['gcc', '-O2', '-lm']));
    expect(compile(cpp)).toEqual(expect.arrayContaining(['g++', '-O2']));
    expect(compile(rust)).toEqual(expect.arrayContaining(['rustc', '-O']));
  });
});

describe('out-of-memory messages', () => {
  const cases: [LanguageDefinition, string][] = [
    [java, 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space'],
    [javascript, 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'],
    [typescript, 'FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory'],
    [python3, 'Traceback (most recent call last):\n  File "main.py", line 1\nMemoryError'],
    [cpp, "terminate called after throwing an instance of 'std::bad_alloc'"],
    [go, 'fatal error: runtime: out of memory\n\ngoroutine 1 [running]:'],
    [rust, 'memory allocation of 1073741824 bytes failed'],
  ];
  it.each(cases.map(([l, m]) => [l.id, l, m] as const))('recognises the out-of-memory message of %s', (_id, language, stderr) => {
    expect(language.outOfMemoryPattern?.test(stderr)).toBe(true);
  });

  it('does not take an ordinary runtime error for an out-of-memory one', () => {
    expect(python3.outOfMemoryPattern?.test('ValueError: MemoryError is not this')).toBe(false);
    expect(java.outOfMemoryPattern?.test('java.lang.ArithmeticException: / by zero')).toBe(false);
    expect(javascript.outOfMemoryPattern?.test('RangeError: Maximum call stack size exceeded')).toBe(false);
  });
});

describe('version probes', () => {
  const outputs: [LanguageDefinition, string, string][] = [
    [python3, 'Python 3.11.2', '3.11.2'],
    [c, '12.2.0', '12.2.0'],
    [cpp, '12.2.0', '12.2.0'],
    [java, 'javac 17.0.15', '17.0.15'],
    [javascript, 'v20.20.2', '20.20.2'],
    [typescript, 'Version 5.6.3', '5.6.3'],
    [go, 'go1.23.5', '1.23.5'],
    [rust, 'rustc 1.96.0 (f6e511eec 2026-01-01) (built from a source tarball)', '1.96.0'],
    [bash, 'GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)', '5.2.15'],
  ];
  it.each(outputs.map(([l, o, v]) => [l.id, l, o, v] as const))('reads the version of %s', (_id, language, output, version) => {
    expect(language.version?.pattern.exec(output)?.[1]).toBe(version);
  });
});
