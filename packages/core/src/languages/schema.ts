import { z } from 'zod';
import { JudgeError } from '../errors/judge-error.js';
import { limitNames } from '../runner/limits.js';
import type { LanguageDefinition } from './definition.js';

const idPattern = /^[a-z0-9][a-z0-9+_.-]{0,63}$/;
const fileName = /^[A-Za-z0-9._+-]+$/;
const argv = z.array(z.string().min(1)).min(1);
const builder = z.custom<(...a: unknown[]) => unknown>((v) => typeof v === 'function', { error: 'expected an argv array or a function' });
const limitKey = z.enum(limitNames as unknown as [string, ...string[]]);
const partialLimits = z.partialRecord(limitKey, z.number().int().positive()).optional();
const env = z
  .record(
    z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
    z.string().refine((v) => !v.includes('\0'), { error: 'an environment value must not contain a NUL byte' }),
  )
  .optional();
const toolchain = z
  .object({
    host: z.array(z.string().min(1)),
    image: z.object({ name: z.string().min(1), packages: z.array(z.string().min(1)), copy: z.array(z.string()).optional() }).optional(),
  })
  .optional();

/**
 * The fields of a {@link LanguageDefinition}, checked one way for both forms: `command` and
 * `pattern` are what a command and a regular expression are in that form.
 */
function definitionShape<C extends z.ZodType, P extends z.ZodType>(command: C, pattern: P) {
  return z.object({
    id: z.string().regex(idPattern, 'id must be lowercase letters, digits, + _ . - (at most 64)'),
    name: z.string().min(1).max(100),
    aliases: z.array(z.string().regex(idPattern)).optional(),
    extensions: z.array(z.string().regex(/^\.[A-Za-z0-9]+$/)).optional(),
    sourceFile: z.string().regex(fileName, 'sourceFile must be a plain file name'),
    sourceFileFrom: z
      .strictObject({ pattern, file: z.string().regex(/^[A-Za-z0-9._+$-]+$/, 'file must be a plain file name (with $1)') })
      .optional(),
    compile: command.optional(),
    syntaxCheck: z.strictObject({ command, pattern }).optional(),
    run: command,
    compileLimits: partialLimits,
    runLimits: partialLimits,
    env,
    outOfMemoryPattern: pattern.optional(),
    version: z.strictObject({ argv, pattern }).optional(),
    toolchain,
  });
}

/** A definition given in code: commands are argv arrays or builders, patterns are `RegExp`s. */
const codeSchema = definitionShape(z.union([argv, builder]), z.instanceof(RegExp));

/**
 * A regular expression in JSON: its source as a string, or `{ "source": "...", "flags": "m" }`.
 * Compiled here, so a broken one is refused with the field's name.
 */
const jsonPattern = z
  .union([
    z.string().min(1),
    z.strictObject({
      source: z.string().min(1),
      flags: z
        .string()
        .regex(/^[dgimsuvy]*$/)
        .optional(),
    }),
  ])
  .transform((value, ctx) => {
    const [source, flags] = typeof value === 'string' ? [value, ''] : [value.source, value.flags ?? ''];
    try {
      return new RegExp(source, flags);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

/**
 * The JSON form of a {@link LanguageDefinition}, as a config file holds it (`judgekit serve`'s
 * `languages` key): the same fields, with every command an argv array and every pattern
 * (`sourceFileFrom.pattern`, `syntaxCheck.pattern`, `outOfMemoryPattern`, `version.pattern`) a
 * regular expression's source string, or `{ "source", "flags" }`. It parses into a definition that
 * {@link LanguageRegistry.register} accepts; unknown keys are refused.
 *
 * @example
 * ```json
 * { "id": "lua", "name": "Lua 5.4", "sourceFile": "main.lua", "extensions": [".lua"],
 *   "run": ["lua5.4", "main.lua"], "version": { "argv": ["lua5.4", "-v"], "pattern": "Lua (\\S+)" } }
 * ```
 */
export const languageConfigSchema = definitionShape(argv, jsonPattern).strict();

const refusal = (error: z.ZodError, prefix: string): JudgeError => {
  const issue = error.issues[0]!;
  return new JudgeError('JDG_ERR_LANGUAGE_INVALID', `${prefix}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
    details: { issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
};

/** @internal Checks a definition given in code; throws `JDG_ERR_LANGUAGE_INVALID` naming the field. */
export function checkLanguageDefinition(language: unknown): asserts language is LanguageDefinition {
  const parsed = codeSchema.safeParse(language);
  if (!parsed.success) throw refusal(parsed.error, 'Language definition');
}

/**
 * A {@link LanguageDefinition} from its JSON form ({@link languageConfigSchema}); throws
 * `JDG_ERR_LANGUAGE_INVALID` naming the field and what is wrong with it.
 *
 * @example
 * ```ts
 * const lua = parseLanguageConfig(JSON.parse(text))
 * judge.languages.register(lua)
 * ```
 */
export function parseLanguageConfig(value: unknown): LanguageDefinition {
  const parsed = languageConfigSchema.safeParse(value);
  if (!parsed.success) throw refusal(parsed.error, 'Language definition');
  const definition = parsed.data as LanguageDefinition;
  checkLanguageDefinition(definition);
  return definition;
}
