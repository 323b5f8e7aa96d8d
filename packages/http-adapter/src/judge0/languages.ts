import { buildCommand, defaultCompileLimits, defaultLimits, type LanguageDefinition } from '@judgekit/core';

/**
 * One Judge0 CE 1.13.1 language id and the judgekit language that runs it. Judge0's ids are
 * hard-coded by its clients (the official SDK maps `LanguageAlias.CPP` to 52 for 1.13.1), so every
 * id of Judge0 CE 1.13.1 whose language judgekit has is kept, each with Judge0's own id.
 */
export interface Judge0LanguageEntry {
  /** Judge0 CE 1.13.1's language id. */
  id: number;
  /** The judgekit language id that runs it. */
  language: string;
  /** Judge0's name in 1.13.1, e.g. `C (GCC 9.2.0)` (the toolchain this host has is named instead). */
  judge0Name: string;
  /** The name shown, from the version this host detected, e.g. `C (GCC 12.2.0)`. */
  name(version: string): string;
}

/** The language id of Judge0's "Multi-file program" (89), run by {@link multiFileLanguage}. */
export const multiFileLanguageId = 89;

/**
 * Judge0 CE 1.13.1's languages that judgekit has (from Judge0's `db/languages/active.rb`). Several
 * Judge0 ids of one family (C with GCC 7.4.0, 8.3.0 and 9.2.0) all run the one toolchain this host
 * has; Judge0's other languages (Assembly, C#, Haskell, Python 2, ...) are not offered.
 */
export const judge0LanguageTable: readonly Judge0LanguageEntry[] = [
  { id: 46, language: 'bash', judge0Name: 'Bash (5.0.0)', name: (v) => `Bash (${v})` },
  { id: 48, language: 'c', judge0Name: 'C (GCC 7.4.0)', name: (v) => `C (GCC ${v})` },
  { id: 49, language: 'c', judge0Name: 'C (GCC 8.3.0)', name: (v) => `C (GCC ${v})` },
  { id: 50, language: 'c', judge0Name: 'C (GCC 9.2.0)', name: (v) => `C (GCC ${v})` },
  { id: 52, language: 'cpp', judge0Name: 'C++ (GCC 7.4.0)', name: (v) => `C++ (GCC ${v})` },
  { id: 53, language: 'cpp', judge0Name: 'C++ (GCC 8.3.0)', name: (v) => `C++ (GCC ${v})` },
  { id: 54, language: 'cpp', judge0Name: 'C++ (GCC 9.2.0)', name: (v) => `C++ (GCC ${v})` },
  { id: 60, language: 'go', judge0Name: 'Go (1.13.5)', name: (v) => `Go (${v})` },
  { id: 62, language: 'java', judge0Name: 'Java (OpenJDK 13.0.1)', name: (v) => `Java (OpenJDK ${v})` },
  { id: 63, language: 'javascript', judge0Name: 'JavaScript (Node.js 12.14.0)', name: (v) => `JavaScript (Node.js ${v})` },
  { id: 64, language: 'lua', judge0Name: 'Lua (5.3.5)', name: (v) => `Lua (${v})` },
  { id: 71, language: 'python3', judge0Name: 'Python (3.8.1)', name: (v) => `Python (${v})` },
  { id: 73, language: 'rust', judge0Name: 'Rust (1.40.0)', name: (v) => `Rust (${v})` },
  { id: 74, language: 'typescript', judge0Name: 'TypeScript (3.7.4)', name: (v) => `TypeScript (${v})` },
  { id: multiFileLanguageId, language: 'multi-file', judge0Name: 'Multi-file program', name: () => 'Multi-file program' },
];

const byId = new Map(judge0LanguageTable.map((e) => [e.id, e]));

/** The table entry of a Judge0 language id, or `undefined`. */
export function judge0Language(id: number): Judge0LanguageEntry | undefined {
  return byId.get(id);
}

/**
 * The Judge0 id reported for a submission judgekit ran in `language` when it did not come through
 * the Judge0 API: the newest Judge0 id of that family (C → 50, C++ → 54), or `null`.
 */
export function judge0IdOf(language: string): number | null {
  let found: number | null = null;
  for (const entry of judge0LanguageTable) if (entry.language === language) found = entry.id;
  return found;
}

/**
 * Judge0's language 89: the program's files come in `additional_files`, with a Bash script
 * `compile` (optional: without it nothing is compiled) and a Bash script `run` at the root of the
 * archive. Registered on the judge by the Judge0 routes when no language of this id exists.
 * `run` is the main file, so an archive without it is refused before anything runs.
 */
export const multiFileLanguage: LanguageDefinition = {
  id: 'multi-file',
  name: 'Multi-file program (compile and run scripts)',
  aliases: ['project'],
  sourceFile: 'run',
  compile: ['/bin/bash', '-c', 'if [ -f compile ]; then exec /bin/bash compile; fi'],
  run: ['/bin/bash', 'run'],
  version: { argv: ['/bin/bash', '--version'], pattern: /version (\d+\.\d+\.\d+)/ },
};

/** How a language's command reads, for `compile_cmd` and `run_cmd` (built with the default limits). */
export function commandText(language: LanguageDefinition, step: 'compile' | 'run'): string | null {
  const spec = step === 'compile' ? language.compile : language.run;
  if (!spec) return null;
  const limits = step === 'compile' ? { ...defaultCompileLimits, ...language.compileLimits } : { ...defaultLimits, ...language.runLimits };
  return buildCommand(spec, { limits, args: [], sourceFile: language.sourceFile }).map(shellWord).join(' ');
}

/** A word as a shell would need it written: bare when plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./=+:,@%-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
