import { isJudgeError, type LanguageDefinition, LanguageRegistry } from '@judgekit/core';
import { ConfigError } from './config-error.js';

/**
 * The config file's `languages`: each entry has the fields of a `LanguageDefinition`, as JSON.
 * Commands are argv arrays, and the two patterns (`outOfMemoryPattern`, `version.pattern`) are
 * regular-expression strings. Each entry is then validated exactly as `judge.languages.register()`
 * validates a definition in code (the core's own check), so the file and the code cannot disagree.
 *
 * @example
 * ```json
 * { "languages": [{ "id": "lua", "name": "Lua 5.4", "sourceFile": "main.lua", "extensions": [".lua"],
 *   "run": ["lua5.4", "main.lua"], "version": { "argv": ["lua5.4", "-v"], "pattern": "Lua (\\S+)" } }] }
 * ```
 */
export function parseLanguages(value: unknown, source: string): LanguageDefinition[] {
  if (!Array.isArray(value)) throw new ConfigError(`${source}: languages: must be an array of language definitions`);
  const registry = new LanguageRegistry();
  return value.map((entry, i) => {
    const where = `${source}: languages.${i}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new ConfigError(`${where}: must be an object`);
    const raw = { ...(entry as Record<string, unknown>) };
    const definition: Record<string, unknown> = { ...raw };
    if (raw.outOfMemoryPattern !== undefined)
      definition.outOfMemoryPattern = pattern(raw.outOfMemoryPattern, `${where}.outOfMemoryPattern`);
    if (raw.version !== undefined) {
      if (raw.version === null || typeof raw.version !== 'object') throw new ConfigError(`${where}.version: must be { argv, pattern }`);
      const version = raw.version as Record<string, unknown>;
      definition.version = { ...version, pattern: pattern(version.pattern, `${where}.version.pattern`) };
    }
    try {
      // replace: a file may redefine a built-in language (a newer toolchain, other limits).
      registry.register(definition as unknown as LanguageDefinition, { replace: true });
    } catch (error) {
      if (isJudgeError(error)) throw new ConfigError(`${where}: ${error.message}`);
      throw error;
    }
    return definition as unknown as LanguageDefinition;
  });
}

function pattern(value: unknown, where: string): RegExp {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${where}: must be a regular expression as a string`);
  try {
    return new RegExp(value);
  } catch (error) {
    throw new ConfigError(`${where}: not a valid regular expression: ${(error as Error).message}`);
  }
}
