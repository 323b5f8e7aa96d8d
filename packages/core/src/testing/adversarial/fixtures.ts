import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bash, c, python3 } from '../../languages/builtins.js';
import { buildCommand, type LanguageDefinition } from '../../languages/definition.js';
import type { ExecOutcome, Runner, Sandbox } from '../../runner/contract.js';
import { defaultCompileLimits, defaultLimits, type Limits } from '../../runner/limits.js';

// The same relative URL works from the source tree (src/testing/adversarial/fixtures.ts) and
// from the bundle (dist/testing/index.js), where the build copies the folder to dist/testing/fixtures.
const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));

const byExtension: Record<string, LanguageDefinition> = { '.c': c, '.py': python3, '.sh': bash };

/**
 * Absolute path of the folder holding the hostile programs of the adversarial suite
 * (`fork-bomb.c`, `fill-disk.py`, ...), one small program per attack, named for what it does.
 */
export function adversarialFixturesDir(): string {
  return fixturesDir;
}

/**
 * The built-in language a fixture is written in, from its extension (`.c`, `.py`, `.sh`).
 * @throws Error for any other extension.
 */
export function fixtureLanguage(fixture: string): LanguageDefinition {
  const language = byExtension[fixture.slice(fixture.lastIndexOf('.'))];
  if (!language) throw new Error(`no language for fixture ${fixture}`);
  return language;
}

/** How one fixture is run. */
export interface FixtureRunOptions {
  /** Limits over the defaults and the language's run limits. */
  limits?: Partial<Limits>;
  /** Arguments after the program. */
  args?: string[];
  /** Bytes for its stdin. */
  stdin?: string;
  /** Aborts the command. */
  signal?: AbortSignal;
}

/** How the suite prepares a fixture in its sandbox. */
export interface FixturePreparation {
  /**
   * Make the fixture a later command of its sandbox: an interpreted fixture gets a first
   * command (`true`) of its own; a compiled one already has its compile. For runners that run a
   * sandbox's later commands differently (the nsjail runner's warm jail).
   * @defaultValue false
   */
  laterCommand?: boolean;
}

/**
 * Writes a fixture as its language's source file into `box` and compiles it when the language
 * needs it (a failed compile throws: the fixture is broken, not the runner).
 */
export async function prepareFixture(box: Sandbox, fixture: string, preparation: FixturePreparation = {}): Promise<LanguageDefinition> {
  const language = fixtureLanguage(fixture);
  await box.write([{ path: language.sourceFile, content: readFileSync(`${fixturesDir}${fixture}`) }]);
  if (language.compile) {
    const limits = { ...defaultCompileLimits, ...language.compileLimits };
    const out = await box.exec({
      argv: buildCommand(language.compile, { limits, args: [], sourceFile: language.sourceFile }),
      limits,
      env: language.env,
    });
    if (out.exitCode !== 0) throw new Error(`fixture ${fixture} failed to compile: ${out.stderr}`);
  } else if (preparation.laterCommand) {
    const out = await box.exec({ argv: ['true'], limits: defaultLimits });
    if (out.exitCode !== 0) throw new Error(`the first command of ${fixture}'s sandbox failed: ${out.stderr}`);
  }
  return language;
}

/** The limits a fixture runs with: the defaults, then the language's run limits, then `overrides`. */
export function fixtureLimits(language: LanguageDefinition, overrides: Partial<Limits> = {}): Limits {
  return { ...defaultLimits, ...language.runLimits, ...overrides };
}

/** Runs a prepared fixture once more in `box` (each call is one more command of the sandbox). */
export function runPrepared(box: Sandbox, language: LanguageDefinition, opts: FixtureRunOptions = {}): Promise<ExecOutcome> {
  const limits = fixtureLimits(language, opts.limits);
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

/** Opens a sandbox, prepares and runs a fixture once, and disposes the sandbox. */
export async function runFixture(runner: Runner, fixture: string, opts: FixtureRunOptions & FixturePreparation = {}): Promise<ExecOutcome> {
  const box = await runner.open({ language: fixtureLanguage(fixture) });
  try {
    const language = await prepareFixture(box, fixture, opts);
    return await runPrepared(box, language, opts);
  } finally {
    await box.dispose();
  }
}
