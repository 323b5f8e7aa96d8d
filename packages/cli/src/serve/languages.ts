import { isJudgeError, type LanguageDefinition, LanguageRegistry, parseLanguageConfig } from '@judgekit/core';
import { ConfigError } from './config-error.js';

/**
 * The config file's `languages`: each entry is a `LanguageDefinition` in its JSON form, parsed
 * and validated by the core's own schema (`languageConfigSchema`: the same fields, commands as
 * argv arrays, patterns as regular-expression strings or `{ "source", "flags" }`), so the file
 * and the code cannot disagree. The entries are then registered over the built-ins, as the judge
 * will register them: an entry may replace a built-in, and an alias taken by another language is refused.
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
    try {
      const definition = parseLanguageConfig(entry);
      // replace: a file may redefine a built-in language (a newer toolchain, other limits).
      registry.register(definition, { replace: true });
      return definition;
    } catch (error) {
      if (isJudgeError(error)) throw new ConfigError(`${where}: ${error.message}`);
      throw error;
    }
  });
}
