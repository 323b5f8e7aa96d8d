import { JudgeError } from '../errors/judge-error.js';
import { builtinLanguages } from './builtins.js';
import type { LanguageDefinition } from './definition.js';
import { checkLanguageDefinition } from './schema.js';

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
   * `JDG_ERR_LANGUAGE_DUPLICATE` when its id or an alias is taken (pass `replace: true` to replace
   * the language of the same id; a name held by another language is refused either way).
   */
  register(language: LanguageDefinition, options: { replace?: boolean } = {}): void {
    checkLanguageDefinition(language);
    const names = [language.id, ...(language.aliases ?? [])];
    for (const name of names) {
      const holder = this.#byId.get(name) ?? this.#byAlias.get(name);
      // `replace` lets a definition take the place of the language of its own id, never another's name.
      if (holder && !(options.replace && holder.id === language.id)) {
        throw new JudgeError(
          'JDG_ERR_LANGUAGE_DUPLICATE',
          `A language named ${JSON.stringify(name)} is already registered${holder.id === name ? '' : ` (an alias of ${holder.id})`}.`,
        );
      }
    }
    if (options.replace) {
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
