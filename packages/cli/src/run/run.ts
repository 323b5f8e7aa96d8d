import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Judge, type LimitsInput, type Runner, type SubmissionInput, type SubmissionResult } from '@judgekit/core';
import { pickRunner, type RunnerChoice } from '../runners.js';
import { table } from '../table.js';

/** Options of `judgekit run FILE`. */
export interface RunOptions {
  lang?: string;
  stdin?: string;
  tests?: string;
  json?: boolean;
  runner: RunnerChoice;
  checker?: 'exact' | 'lines' | 'tokens' | 'float';
  cpuTimeMs?: number;
  wallTimeMs?: number;
  memoryMb?: number;
  stopOnFirstFailure?: boolean;
}

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Raised for bad arguments (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `NAME.in`/`NAME.out` pairs of a folder, in natural order; a `.in` without `.out` has no expected output. */
export function readTests(dir: string): NonNullable<SubmissionInput['tests']> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new UsageError(`--tests ${dir}: cannot be read: ${(error as Error).message}`);
  }
  const inputs = names.filter((n) => n.endsWith('.in')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (inputs.length === 0) throw new UsageError(`--tests ${dir}: no NAME.in files`);
  return inputs.map((file) => {
    const name = file.slice(0, -3);
    const out = join(dir, `${name}.out`);
    const hasOut = names.includes(`${name}.out`) && statSync(out).isFile();
    return {
      name,
      input: readFileSync(join(dir, file), 'utf8'),
      ...(hasOut ? { expectedOutput: readFileSync(out, 'utf8') } : {}),
    };
  });
}

/** Builds the submission `judgekit run` sends. */
export function buildSubmission(file: string, options: RunOptions, judge: Judge): SubmissionInput {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot be read: ${(error as Error).message}`);
  }
  const language = options.lang ? judge.languages.find(options.lang) : judge.languages.byExtension(basename(file));
  if (!language) {
    throw new UsageError(
      options.lang
        ? `unknown language ${JSON.stringify(options.lang)}; known: ${judge.languages.ids().join(', ')}`
        : `cannot tell the language of ${basename(file)} from its extension; give --lang (known: ${judge.languages.ids().join(', ')})`,
    );
  }
  if (options.stdin && options.tests) throw new UsageError('give --stdin or --tests, not both');
  const limits: LimitsInput = {};
  if (options.cpuTimeMs) limits.cpuTimeMs = options.cpuTimeMs;
  if (options.wallTimeMs) limits.wallTimeMs = options.wallTimeMs;
  if (options.memoryMb) limits.memoryBytes = options.memoryMb * 1024 * 1024;
  const input: SubmissionInput = { language: language.id, source, limits };
  if (options.tests) input.tests = readTests(options.tests);
  else if (options.stdin) {
    try {
      input.stdin = readFileSync(options.stdin, 'utf8');
    } catch (error) {
      throw new UsageError(`--stdin ${options.stdin}: cannot be read: ${(error as Error).message}`);
    }
  }
  if (options.checker) input.checker = options.checker === 'float' ? { type: 'float' } : options.checker;
  if (options.stopOnFirstFailure) input.stopOnFirstFailure = true;
  return input;
}

/**
 * `judgekit run FILE`: judges one program in a real sandbox, shows progress, then a table of
 * per-test verdicts, times and memory (or the result as JSON). Resolves with the exit code:
 * 0 only when accepted.
 */
export async function run(file: string, options: RunOptions, io: Io = process, runner?: Runner): Promise<number> {
  // Bad paths are reported before the (slower) sandbox check.
  for (const [what, path] of [
    ['', file],
    ['--stdin ', options.stdin],
    ['--tests ', options.tests],
  ] as const) {
    if (path !== undefined && !existsSync(path)) throw new UsageError(`${what}${path}: no such file or folder`);
  }
  const picked = runner ?? (await pickRunner(options.runner)).runner;
  const judge = new Judge({ runner: picked, concurrency: 1 });
  try {
    const input = buildSubmission(file, options, judge);
    const total = input.tests?.length ?? 1;
    const progress = !options.json;
    const id = await judge.submit(input);
    if (progress)
      io.stderr.write(`judging ${basename(file)} (${input.language}, ${total} test${total === 1 ? '' : 's'}) with ${picked.name}\n`);
    let result: SubmissionResult | undefined;
    for await (const event of judge.watch(id)) {
      if (!progress) {
        if (event.type === 'done' || event.type === 'cancelled') result = event.result;
        continue;
      }
      if (event.type === 'compiled') {
        io.stderr.write(
          `  compiled in ${Math.round(event.compile.wallTimeMs)} ms (exit ${event.compile.exitCode ?? event.compile.signal})\n`,
        );
      } else if (event.type === 'test') {
        const t = event.test;
        io.stderr.write(`  test ${event.index + 1}/${event.total} ${t.name}: ${t.verdict} ${Math.round(t.wallTimeMs)} ms\n`);
      } else if (event.type === 'done' || event.type === 'cancelled') {
        result = event.result;
      }
    }
    result ??= await judge.get(id);
    if (options.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else io.stdout.write(report(result, input.tests === undefined));
    return result.verdict === 'accepted' ? 0 : 1;
  } finally {
    await judge.close();
  }
}

/** The human report: program output for a single run, compile output, the table and the verdict. */
export function report(result: SubmissionResult, singleRun: boolean): string {
  let out = '';
  if (result.verdict === 'compile_error' && result.compile) {
    out += `compile error:\n${result.compile.stderr || result.compile.stdout}\n`;
  }
  if (singleRun && result.tests[0]) {
    const t = result.tests[0];
    if (t.stdout) out += `--- stdout${t.stdoutTruncated ? ' (truncated)' : ''} ---\n${t.stdout}${t.stdout.endsWith('\n') ? '' : '\n'}`;
    if (t.stderr) out += `--- stderr${t.stderrTruncated ? ' (truncated)' : ''} ---\n${t.stderr}${t.stderr.endsWith('\n') ? '' : '\n'}`;
  }
  if (result.tests.length > 0) {
    out += table(
      ['test', 'verdict', 'cpu ms', 'wall ms', 'memory MiB', 'exit', 'note'],
      result.tests.map((t) => [
        t.name,
        t.verdict,
        t.cpuTimeMs.toFixed(0),
        t.wallTimeMs.toFixed(0),
        (t.memoryBytes / 1024 / 1024).toFixed(1),
        t.exitCode === null ? (t.signal ?? '') : String(t.exitCode),
        t.message ?? '',
      ]),
    );
  }
  const s = result.summary;
  out += `verdict: ${result.verdict ?? result.status}  (${s.passed}/${s.total} passed`;
  out += `, max cpu ${s.maxCpuTimeMs.toFixed(0)} ms, max memory ${(s.maxMemoryBytes / 1024 / 1024).toFixed(1)} MiB)\n`;
  if (result.verdict === 'internal_error' && result.message) out += `message: ${result.message}\n`;
  return out;
}
