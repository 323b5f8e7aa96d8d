import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Judge, LanguageRegistry, type LimitsInput, type Runner } from '@judgekit/core';
import { pickRunner } from '../runners.js';
import type { RunIo, RunOptions } from './run.js';
import { UsageError } from './usage-error.js';

/** A terminal-ish stream: a tty's raw mode and size, when it is one. */
type Terminal = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
type Screen = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };

/**
 * `judgekit run FILE --interactive`: the program runs in a sandboxed session with this
 * command's terminal attached (raw mode: Ctrl-C, resizes and line editing reach the program's own
 * terminal in the sandbox), or with its stdin and stdout piped through when they are not a
 * terminal. The exit code is the program's (128+N for signal N; 1 when the compile fails).
 */
export async function runInteractive(file: string, options: RunOptions, io: RunIo = process, runner?: Runner): Promise<number> {
  if (options.tests !== undefined || options.stdin !== undefined || options.json) {
    throw new UsageError('--interactive attaches your terminal: it takes no --tests, --stdin or --json');
  }
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot be read: ${(error as Error).message}`);
  }
  const languages = new LanguageRegistry();
  const language = options.lang ? languages.find(options.lang) : languages.byExtension(basename(file));
  if (!language) throw new UsageError(`cannot tell the language of ${basename(file)}; give --lang (known: ${languages.ids().join(', ')})`);
  const limits: LimitsInput = {};
  if (options.cpuTimeMs) limits.cpuTimeMs = options.cpuTimeMs;
  if (options.wallTimeMs) limits.wallTimeMs = options.wallTimeMs;
  if (options.memoryMb) limits.memoryBytes = options.memoryMb * 1024 * 1024;

  const stdin = io.stdin as Terminal;
  const stdout = io.stdout as Screen;
  const tty = stdin.isTTY === true && stdout.isTTY === true;
  const picked = runner ?? (await pickRunner(options.runner)).runner;
  const judge = new Judge({ runner: picked, concurrency: 1 });
  try {
    const session = await judge.session({
      language: language.id,
      source,
      limits,
      tty,
      ...(tty ? { cols: stdout.columns ?? 80, rows: stdout.rows ?? 24 } : {}),
    });
    const onData = (data: Buffer | string) => session.write(data);
    const onEnd = () => session.end();
    const onResize = () => session.resize(stdout.columns ?? 80, stdout.rows ?? 24);
    if (tty) stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    if (tty) stdout.on('resize', onResize);
    stdin.resume();
    try {
      for await (const event of session) {
        if (event.type !== 'data') continue;
        (event.stage === 'compile' || event.stream === 'stderr' ? io.stderr : io.stdout).write(event.data);
      }
    } finally {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdout.off('resize', onResize);
      if (tty) stdin.setRawMode?.(false);
      stdin.pause();
    }
    const exit = await session.exit;
    if (exit.limitExceeded) io.stderr.write(`\r\n[judgekit] ended by the ${exit.limitExceeded} limit\r\n`);
    if (exit.stage === 'compile') return 1;
    if (exit.signal) return 128 + (signalNumbers[exit.signal] ?? 9);
    return exit.exitCode ?? 1;
  } finally {
    await judge.close();
  }
}

const signalNumbers: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};
