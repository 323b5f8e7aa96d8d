import { Judge, LanguageRegistry } from '@judgekit/core';
import { pickRunner, type RunnerChoice } from './runners.js';
import { table } from './table.js';

/** One row of `judgekit languages`. */
export interface LanguageRow {
  id: string;
  name: string;
  aliases: string[];
  extensions: string[];
  compiled: boolean;
  version?: string | null;
}

/** The built-in languages; with `detect`, each toolchain's version as found in a sandbox. */
export async function listLanguages(options: { detect?: boolean; runner?: RunnerChoice } = {}): Promise<LanguageRow[]> {
  const rows: LanguageRow[] = new LanguageRegistry().list().map((l) => ({
    id: l.id,
    name: l.name,
    aliases: [...(l.aliases ?? [])],
    extensions: [...(l.extensions ?? [])],
    compiled: l.compile !== undefined,
  }));
  if (!options.detect) return rows;
  const { runner } = await pickRunner(options.runner ?? 'auto');
  const judge = new Judge({ runner });
  try {
    const versions = await Promise.all(rows.map((r) => judge.version(r.id).catch(() => null)));
    return rows.map((r, i) => ({ ...r, version: versions[i] ?? null }));
  } finally {
    await judge.close();
  }
}

/** The human form of the language list. */
export function formatLanguages(rows: LanguageRow[]): string {
  const detect = rows.some((r) => r.version !== undefined);
  return table(
    ['id', 'name', 'aliases', 'extensions', 'compiled', ...(detect ? ['version'] : [])],
    rows.map((r) => [
      r.id,
      r.name,
      r.aliases.join(','),
      r.extensions.join(','),
      r.compiled ? 'yes' : 'no',
      ...(detect ? [r.version ?? 'not found'] : []),
    ]),
  );
}
