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
 * Where a language's toolchain comes from on a Debian host and in a Debian-based image. These
 * facts live in the definition so that every list that needs them follows from one place: the
 * nsjail runner's install hints, the Docker runner's health check, the image list
 * (`packages/runner-docker/images/images.list`, checked against the built-ins by a test) and
 * `docs/languages.md`. Optional for your own languages.
 *
 * @example
 * ```ts
 * { host: ['lua5.4'], image: { name: 'lua', packages: ['lua5.4'] } }
 * ```
 */
export interface ToolchainFacts {
  /**
   * Debian packages whose `apt-get install` gives a working toolchain on the host (where the
   * nsjail runner mounts `/usr`); empty when it takes more than packages (then
   * `scripts/setup/toolchains.sh` is the way).
   */
  host: string[];
  /**
   * The Docker image that carries it: the image's name (several languages may share one, as C
   * and C++ share `gcc`), the Debian packages installed in it beyond `minbase`, and host paths
   * copied in as they are (a pinned npm toolchain).
   */
  image?: { name: string; packages: string[]; copy?: string[] };
}

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
  /**
   * Names the main source file after the source, for toolchains that demand it: the first match
   * of `pattern` in the source gives the name, `file` with `$1` replaced by the match's group 1.
   * Without a match, or when the name is not a plain file name, the file is `sourceFile`. Commands
   * get the chosen name as `sourceFile` in their {@link CommandContext}, so they never hard-code it.
   *
   * @example
   * ```ts
   * // Java: `public class Solution` goes into Solution.java and runs as `java Solution`.
   * { pattern: /^[ \t]*public\s+(?:final\s+)?class\s+([A-Za-z_$][\w$]*)/m, file: '$1.java' }
   * ```
   */
  sourceFileFrom?: { pattern: RegExp; file: string };
  /** Compile step, for compiled languages. Its output files stay for every test. */
  compile?: CommandSpec;
  /**
   * A syntax check for an interpreted language whose interpreter refuses a malformed source
   * before running any of it (Python's byte-compile). It runs only when it can change the
   * verdict: after the first test fails (a non-zero exit, no limit reached) with stderr matching
   * `pattern`. When the check fails too, the submission is `compile_error`, the check is its
   * `compile` step and no test is reported, exactly as with a `compile` step; when it passes,
   * the check is still reported as `compile` and the test's verdict stands. A source that runs
   * costs nothing extra. Ignored when the language has a `compile` step (use `compile` for a
   * check that always runs).
   */
  syntaxCheck?: { command: CommandSpec; pattern: RegExp };
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
  /** Where the toolchain comes from on Debian hosts and images (install hints, health checks, image builds). */
  toolchain?: ToolchainFacts;
}

/**
 * @internal The main source file's name for `source` in `language`: named by
 * {@link LanguageDefinition.sourceFileFrom} when it matches, else the language's `sourceFile`.
 */
export function sourceFileFor(language: LanguageDefinition, source: string): string {
  const from = language.sourceFileFrom;
  if (!from) return language.sourceFile;
  const match = from.pattern.exec(source);
  if (!match || match[1] === undefined) return language.sourceFile;
  const name = from.file.replaceAll('$1', match[1]);
  return plainFileName.test(name) && name.length <= 255 ? name : language.sourceFile;
}

/** @internal A file name with no path, no leading dot and nothing a shell or a path would read as special. */
export const plainFileName = /^[A-Za-z0-9_+-][A-Za-z0-9._+$-]*$/;

/** @internal Builds the argv of a command. */
export function buildCommand(spec: CommandSpec, context: CommandContext): string[] {
  if (typeof spec === 'function') return spec(context);
  return [...spec, ...context.args];
}
