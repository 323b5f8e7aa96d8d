import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  defaultCompileLimits,
  Judge,
  type JudgeEvent,
  type LanguageDefinition,
  LanguageRegistry,
  type LimitsInput,
  type Runner,
  resolveLimits,
  type SubmissionInput,
  type SubmissionResult,
} from '@judgekit/core';
import { pickRunner, type RunnerChoice } from '../runners.js';
import { type Colours, coloursFor, report, runVerdict } from './report.js';
import { readTests, type TestSet } from './tests.js';
import { UsageError } from './usage-error.js';

/** Options of `judgekit run FILE`. */
export interface RunOptions {
  lang?: string;
  /** A file given on stdin (single run); `-` reads the command's own stdin. */
  stdin?: string;
  tests?: string;
  inSuffix?: string;
  outSuffix?: string;
  json?: boolean;
  runner: RunnerChoice;
  checker?: 'exact' | 'lines' | 'tokens' | 'float';
  cpuTimeMs?: number;
  wallTimeMs?: number;
  memoryMb?: number;
  stopOnFirstFailure?: boolean;
}

/** Where `judgekit run` reads and writes; the process's own streams by default. */
export interface RunIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** Most bytes of piped stdin forwarded to the program. */
const maxPipedBytes = 64 * 1024 * 1024;

/** A submission ready to send, with the tests as read from disk. */
export interface BuiltSubmission {
  input: SubmissionInput;
  language: LanguageDefinition;
  /** The tests folder as read, or null for a single run. */
  tests: TestSet | null;
}

/** Builds the submission `judgekit run` sends; `stdin` is what a single run gets when no `--stdin` file is named. */
export function buildSubmission(file: string, options: RunOptions, languages: LanguageRegistry, stdin?: string): BuiltSubmission {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot be read: ${(error as Error).message}`);
  }
  const language = options.lang ? languages.find(options.lang) : languages.byExtension(basename(file));
  if (!language) {
    throw new UsageError(
      options.lang
        ? `unknown language ${JSON.stringify(options.lang)}; known: ${languages.ids().join(', ')}`
        : `cannot tell the language of ${basename(file)} from its extension; give --lang (known: ${languages.ids().join(', ')})`,
    );
  }
  if (options.stdin !== undefined && options.tests !== undefined) throw new UsageError('give --stdin or --tests, not both');
  if ((options.inSuffix !== undefined || options.outSuffix !== undefined) && options.tests === undefined) {
    throw new UsageError('--in-suffix and --out-suffix name the files of --tests DIR; give --tests too');
  }
  const limits: LimitsInput = {};
  if (options.cpuTimeMs) limits.cpuTimeMs = options.cpuTimeMs;
  if (options.wallTimeMs) limits.wallTimeMs = options.wallTimeMs;
  if (options.memoryMb) limits.memoryBytes = options.memoryMb * 1024 * 1024;
  const input: SubmissionInput = { language: language.id, source, limits };
  let tests: TestSet | null = null;
  if (options.tests !== undefined) {
    tests = readTests(options.tests, { inSuffix: options.inSuffix, outSuffix: options.outSuffix });
    input.tests = tests.tests.map((t) => ({
      name: t.name,
      input: t.input,
      ...(t.expectedOutput === null ? {} : { expectedOutput: t.expectedOutput }),
    }));
  } else if (options.stdin !== undefined && options.stdin !== '-') {
    try {
      input.stdin = readFileSync(options.stdin, 'utf8');
    } catch (error) {
      throw new UsageError(`--stdin ${options.stdin}: cannot be read: ${(error as Error).message}`);
    }
  } else if (stdin !== undefined) {
    input.stdin = stdin;
  }
  if (options.checker) input.checker = options.checker === 'float' ? { type: 'float' } : options.checker;
  if (options.stopOnFirstFailure) input.stopOnFirstFailure = true;
  return { input, language, tests };
}

/**
 * `judgekit run FILE`: judges one program in a real sandbox. With `--tests DIR`, against every
 * test of the folder; otherwise one run, with `--stdin FILE` or the command's own piped stdin.
 * Shows progress (one live line on a terminal), then the report (or JSON). Resolves with the exit
 * code: 0 only when every test has an expected output and passed (a single run: a clean run), 1
 * otherwise. Bad arguments throw {@link UsageError} (exit code 2).
 */
export async function run(file: string, options: RunOptions, io: RunIo = process, runner?: Runner): Promise<number> {
  // Bad paths are reported before the (slower) sandbox check.
  for (const [what, path] of [
    ['', file],
    ['--stdin ', options.stdin === '-' ? undefined : options.stdin],
    ['--tests ', options.tests],
  ] as const) {
    if (path !== undefined && !existsSync(path)) throw new UsageError(`${what}${path}: no such file or folder`);
  }
  const piped = options.tests === undefined && (options.stdin === '-' || (options.stdin === undefined && io.stdin.isTTY !== true));
  const stdin = piped ? await readAll(io.stdin) : undefined;
  // Everything about the input is checked before a sandbox is looked for.
  const built = buildSubmission(file, options, new LanguageRegistry(), stdin);

  const picked = runner ?? (await pickRunner(options.runner)).runner;
  const judge = new Judge({ runner: picked, concurrency: 1 });
  try {
    const { input, language, tests } = built;
    const limits = resolveLimits(judge.defaultLimits, language.runLimits, [input.limits], judge.maxLimits, 'limits');
    const compileLimits = resolveLimits(defaultCompileLimits, language.compileLimits, [], judge.maxLimits, 'compileLimits');
    const progress = options.json ? null : new Progress(io.stderr, coloursFor(io.stderr, io.env));
    const total = input.tests?.length ?? 1;
    progress?.start(
      `judging ${basename(file)} (${language.id}, ${total} test${total === 1 ? '' : 's'}${tests ? `, ${tests.layout}` : ''}) with ${picked.name}`,
    );
    const id = await judge.submit(input);
    let result: SubmissionResult | undefined;
    for await (const event of judge.watch(id)) {
      progress?.event(event);
      if (event.type === 'done' || event.type === 'cancelled') result = event.result;
    }
    progress?.end();
    result ??= await judge.get(id);
    const { verdict, ok } = runVerdict(result, tests?.tests ?? null);
    if (options.json) {
      const run = {
        verdict,
        ok,
        layout: tests?.layout ?? null,
        missingExpectedOutputs: tests?.missingOutputs ?? 0,
        tests: tests?.tests.map((t) => ({ name: t.name, inputFile: t.inputFile, outputFile: t.outputFile })) ?? null,
        limits,
      };
      io.stdout.write(`${JSON.stringify({ ...result, run }, null, 2)}\n`);
    } else {
      io.stdout.write(report(result, { tests: tests?.tests ?? null, limits, compileLimits, colours: coloursFor(io.stdout, io.env) }));
    }
    return ok ? 0 : 1;
  } finally {
    await judge.close();
  }
}

/**
 * Progress on stderr. On a terminal, one line rewritten in place and cleared at the end; else a
 * plain line per step, for logs.
 */
class Progress {
  readonly #live: boolean;
  constructor(
    private readonly stream: RunIo['stderr'],
    private readonly c: Colours,
  ) {
    this.#live = stream.isTTY === true;
  }

  start(text: string): void {
    this.#write(text);
  }

  event(event: JudgeEvent): void {
    if (event.type === 'running') this.#write('running…', true);
    else if (event.type === 'compiled') {
      const step = event.compile;
      this.#write(`compiled in ${Math.round(step.wallTimeMs)} ms (${step.exitCode === 0 ? 'ok' : `exit ${step.exitCode ?? step.signal}`})`);
    } else if (event.type === 'test') {
      const t = event.test;
      const verdict = t.verdict === 'accepted' ? this.c.green(t.verdict) : this.c.red(t.verdict);
      this.#write(`test ${event.index + 1}/${event.total} ${t.name}: ${verdict} ${Math.round(t.wallTimeMs)} ms`);
    }
  }

  end(): void {
    if (this.#live) this.stream.write('\r\x1b[2K');
  }

  #write(text: string, liveOnly = false): void {
    if (this.#live) this.stream.write(`\r\x1b[2K${this.c.dim(text)}`);
    else if (!liveOnly) this.stream.write(`${text}\n`);
  }
}

/** Reads a stream to its end, refusing more than {@link maxPipedBytes}. */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxPipedBytes) throw new UsageError(`stdin: more than ${maxPipedBytes / 1024 / 1024} MiB piped; give a file with --stdin`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
