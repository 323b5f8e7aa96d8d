import type { Limits } from '../runner/limits.js';

/** What a command builder is told: the limits of the step and the submission's arguments. */
export interface CommandContext {
  /** The resolved limits of this step (so a runtime's heap can be derived from `memoryBytes`). */
  limits: Limits;
  /** Extra arguments from the submission (run step only; empty for compile). */
  args: string[];
  /** File name of the main source file in the work directory. */
  sourceFile: string;
}

/** A command: fixed argv, or built from the step's limits and arguments. */
export type CommandSpec = readonly string[] | ((context: CommandContext) => string[]);

/**
 * How to compile and run one language. Register your own with `judge.languages.register()`
 * or the `languages` option of {@link Judge}.
 *
 * @example
 * ```ts
 * const lua: LanguageDefinition = {
 *   id: 'lua', name: 'Lua', sourceFile: 'main.lua', extensions: ['.lua'],
 *   run: ['lua5.4', 'main.lua'],
 *   version: { argv: ['lua5.4', '-v'], pattern: /Lua (\S+)/ },
 * }
 * ```
 */
export interface LanguageDefinition {
  /** Stable id used in submissions: lowercase letters, digits, `+`, `-`, `_`, `.`. */
  id: string;
  /** Display name. */
  name: string;
  /** Other ids that select this language (Piston-style aliases such as `py`). */
  aliases?: string[];
  /** File extensions (with the dot) used by `judgekit run` to guess the language. */
  extensions?: string[];
  /** Name of the main source file in the work directory, e.g. `main.c`, `Main.java`. */
  sourceFile: string;
  /** Compile step, for compiled languages. Its output files stay for every test. */
  compile?: CommandSpec;
  /** Run step; the submission's `args` are passed to a builder, or appended to a fixed argv. */
  run: CommandSpec;
  /** Limit defaults for the compile step, over judgekit's compile defaults. */
  compileLimits?: Partial<Limits>;
  /** Limit defaults for the run step, over the judge's defaults (e.g. more processes for Java). */
  runLimits?: Partial<Limits>;
  /** Extra environment for both steps (allow-listed variables only; never the judge's). */
  env?: Record<string, string>;
  /**
   * A pattern that, found in stderr of a failed run, means the runtime ran out of the memory
   * it was given (e.g. the JVM's `OutOfMemoryError`): reported as `memory_limit_exceeded`.
   */
  outOfMemoryPattern?: RegExp;
  /** How to learn the toolchain's version: a command and a pattern whose group 1 is the version. */
  version?: { argv: string[]; pattern: RegExp };
}

/** @internal Builds the argv of a command. */
export function buildCommand(spec: CommandSpec, context: CommandContext): string[] {
  if (typeof spec === 'function') return spec(context);
  return [...spec, ...context.args];
}
