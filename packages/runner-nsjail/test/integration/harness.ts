import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bash,
  buildCommand,
  c,
  defaultCompileLimits,
  defaultLimits,
  type ExecOutcome,
  type LanguageDefinition,
  type Limits,
  python3,
  type Runner,
  type Sandbox,
} from '@judgekit/core';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

const byExtension: Record<string, LanguageDefinition> = { '.c': c, '.py': python3, '.sh': bash };

/** The language of a fixture, from its extension. */
export function languageOf(fixture: string): LanguageDefinition {
  const language = byExtension[fixture.slice(fixture.lastIndexOf('.'))];
  if (!language) throw new Error(`no language for fixture ${fixture}`);
  return language;
}

/** With `warmUp`, prepare() makes sure the fixture runs as a later command of its sandbox (in the warm jail). */
export const harnessMode = { warmUp: false };

/**
 * Writes a fixture as the language's source file and compiles it when the language needs it;
 * in warm-up mode an interpreted fixture gets a first command (`true`) so that it runs second.
 */
export async function prepare(box: Sandbox, fixture: string): Promise<LanguageDefinition> {
  const language = languageOf(fixture);
  await box.write([{ path: language.sourceFile, content: readFileSync(join(fixtures, fixture)) }]);
  if (language.compile) {
    const limits = { ...defaultCompileLimits, ...language.compileLimits };
    const out = await box.exec({
      argv: buildCommand(language.compile, { limits, args: [], sourceFile: language.sourceFile }),
      limits,
      env: language.env,
    });
    if (out.exitCode !== 0) throw new Error(`fixture ${fixture} failed to compile: ${out.stderr}`);
  } else if (harnessMode.warmUp) {
    const out = await box.exec({ argv: ['true'], limits: defaultLimits });
    if (out.exitCode !== 0) throw new Error(`the first command of ${fixture}'s sandbox failed: ${out.stderr}`);
  }
  return language;
}

/** Runs a prepared fixture once in `box`. */
export function runIn(
  box: Sandbox,
  language: LanguageDefinition,
  opts: { limits?: Partial<Limits>; args?: string[]; stdin?: string; signal?: AbortSignal } = {},
): Promise<ExecOutcome> {
  const limits = { ...defaultLimits, ...language.runLimits, ...opts.limits };
  return box.exec(
    {
      argv: buildCommand(language.run, { limits, args: opts.args ?? [], sourceFile: language.sourceFile }),
      stdin: opts.stdin,
      limits,
      env: language.env,
    },
    { signal: opts.signal },
  );
}

/** Opens a sandbox, prepares and runs a fixture, disposes the sandbox. */
export async function runFixture(
  runner: Runner,
  fixture: string,
  opts: { limits?: Partial<Limits>; args?: string[]; stdin?: string; signal?: AbortSignal } = {},
): Promise<ExecOutcome> {
  const box = await runner.open({ language: languageOf(fixture) });
  try {
    const language = await prepare(box, fixture);
    const out = await runIn(box, language, opts);
    const inner = (box as { inner?: { warm?: boolean; warmError?: string } }).inner;
    if (harnessMode.warmUp && !inner?.warm) throw new Error(`${fixture} did not run in a warm jail: ${inner?.warmError ?? 'it ended'}`);
    return out;
  } finally {
    await box.dispose();
  }
}

/**
 * Watches the test process's event loop: a 20 ms interval records how late it fires. The host
 * is responsive when the worst lateness stays small while a hostile program runs.
 */
export function watchEventLoop(): { stop(): number } {
  const periodMs = 20;
  let last = performance.now();
  let worstLagMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worstLagMs = Math.max(worstLagMs, now - last - periodMs);
    last = now;
  }, periodMs);
  return {
    stop() {
      clearInterval(timer);
      return worstLagMs;
    },
  };
}

/** Host pids whose effective uid is in `[first, first + count)`: sandbox processes still alive. */
export function processesWithUids(first: number, count: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1]);
      if (uid >= first && uid < first + count) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}
