import { z } from 'zod';
import { JudgeError } from '../errors/judge-error.js';
import { builtinLanguages } from './builtins.js';
import type { LanguageDefinition } from './definition.js';

const idPattern = /^[a-z0-9][a-z0-9+_.-]{0,63}$/;
const command = z.union([z.array(z.string().min(1)).min(1), z.custom<(...a: unknown[]) => unknown>((v) => typeof v === 'function')]);
const partialLimits = z.record(z.string(), z.number().int().positive()).optional();

const definitionSchema = z.object({
  id: z.string().regex(idPattern, 'id must be lowercase letters, digits, + _ . - (at most 64)'),
  name: z.string().min(1).max(100),
  aliases: z.array(z.string().regex(idPattern)).optional(),
  extensions: z.array(z.string().regex(/^\.[A-Za-z0-9]+$/)).optional(),
  sourceFile: z.string().regex(/^[A-Za-z0-9._+-]+$/, 'sourceFile must be a plain file name'),
  compile: command.optional(),
  run: command,
  compileLimits: partialLimits,
  runLimits: partialLimits,
  env: z
    .record(
      z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
      z.string().refine((v) => !v.includes('\0'), { error: 'an environment value must not contain a NUL byte' }),
    )
    .optional(),
  outOfMemoryPattern: z.instanceof(RegExp).optional(),
  version: z.object({ argv: z.array(z.string()).min(1), pattern: z.instanceof(RegExp) }).optional(),
  toolchain: z
    .object({
      host: z.array(z.string().min(1)),
      image: z.object({ name: z.string().min(1), packages: z.array(z.string().min(1)), copy: z.array(z.string()).optional() }).optional(),
    })
    .optional(),
});

/**
 * The languages a judge knows, by id and alias. Starts with the built-ins; add your own with
 * {@link LanguageRegistry.register}.
 */
export class LanguageRegistry {
  readonly #byId = new Map<string, LanguageDefinition>();
  readonly #byAlias = new Map<string, LanguageDefinition>();

  constructor(languages: readonly LanguageDefinition[] = builtinLanguages) {
    for (const language of languages) this.register(language);
  }

  /**
   * Adds a language. Throws `JDG_ERR_LANGUAGE_INVALID` for a malformed definition and
   * `JDG_ERR_LANGUAGE_DUPLICATE` when its id or an alias is taken (pass `replace: true` to override).
   */
  register(language: LanguageDefinition, options: { replace?: boolean } = {}): void {
    const parsed = definitionSchema.safeParse(language);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new JudgeError('JDG_ERR_LANGUAGE_INVALID', `Language definition: ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
        details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      });
    }
    const names = [language.id, ...(language.aliases ?? [])];
    if (!options.replace) {
      for (const name of names) {
        if (this.#byId.has(name) || this.#byAlias.has(name)) {
          throw new JudgeError('JDG_ERR_LANGUAGE_DUPLICATE', `A language named ${JSON.stringify(name)} is already registered.`);
        }
      }
    } else {
      const previous = this.#byId.get(language.id);
      for (const alias of previous?.aliases ?? []) this.#byAlias.delete(alias);
    }
    const frozen = Object.freeze({ ...language });
    this.#byId.set(language.id, frozen);
    for (const alias of language.aliases ?? []) this.#byAlias.set(alias, frozen);
  }

  /** The language with this id or alias, or `undefined`. */
  find(idOrAlias: string): LanguageDefinition | undefined {
    return this.#byId.get(idOrAlias) ?? this.#byAlias.get(idOrAlias);
  }

  /** The language with this id or alias; throws `JDG_ERR_LANGUAGE_UNKNOWN` listing the known ids. */
  get(idOrAlias: string): LanguageDefinition {
    const found = this.find(idOrAlias);
    if (!found) {
      throw new JudgeError('JDG_ERR_LANGUAGE_UNKNOWN', `Unknown language ${JSON.stringify(idOrAlias)}; known: ${this.ids().join(', ')}.`, {
        details: { known: this.ids(), issues: [{ path: 'language', message: 'unknown language' }] },
      });
    }
    return found;
  }

  /** The language whose extensions include that of `fileName`. */
  byExtension(fileName: string): LanguageDefinition | undefined {
    const dot = fileName.lastIndexOf('.');
    if (dot < 0) return undefined;
    const ext = fileName.slice(dot).toLowerCase();
    return this.list().find((l) => l.extensions?.includes(ext));
  }

  /** Ids of every registered language, in registration order. */
  ids(): string[] {
    return [...this.#byId.keys()];
  }

  /** Every registered language, in registration order. */
  list(): LanguageDefinition[] {
    return [...this.#byId.values()];
  }
}
