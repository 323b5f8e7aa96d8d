import { JudgeError } from '../errors/judge-error.js';
import type { PreparedTest } from '../judging/pipeline.js';
import type { LanguageRegistry } from '../languages/registry.js';
import type { SandboxFile } from '../runner/contract.js';
import { defaultCompileLimits, type Limits } from '../runner/limits.js';
import type { Checker, ParsedSubmission } from '../submission/schema.js';
import { resolveLimits } from '../submission/validate.js';

/** @internal The stored, plain-data form of a submission ready to run. */
export interface PreparedSubmission {
  languageId: string;
  files: { path: string; content: string; encoding: 'utf8' | 'base64' }[];
  args: string[];
  compileLimits: Limits;
  tests: PreparedTest[];
  checker: Checker;
  checkerLanguageId: string | null;
  checkerCompileLimits: Limits | null;
  checkerLimits: Limits | null;
  stopOnFirstFailure: boolean;
  /** Characters of text held, for the store's size bound. */
  textLength: number;
}

/** @internal Resolves language, files and every limit at the boundary, so the worker cannot fail on input. */
export function prepareSubmission(
  submission: ParsedSubmission,
  registry: LanguageRegistry,
  defaults: Limits,
  max: Limits,
): PreparedSubmission {
  const language = registry.get(submission.language);
  const files = submission.files
    ? submission.files.map((f, i) => ({
        path: i === 0 ? language.sourceFile : (f.name ?? `file${i}`),
        content: f.content,
        encoding: f.encoding,
      }))
    : [{ path: language.sourceFile, content: submission.source ?? '', encoding: 'utf8' as const }];
  const paths = new Set<string>();
  for (const [i, f] of files.entries()) {
    if (paths.has(f.path)) {
      throw new JudgeError(
        'JDG_ERR_INPUT_INVALID',
        `files.${i}.name: ${JSON.stringify(f.path)} appears twice (the first file is always ${language.sourceFile}).`,
        {
          details: { issues: [{ path: `files.${i}.name`, message: 'duplicate file name' }] },
        },
      );
    }
    paths.add(f.path);
  }
  const compileLimits = resolveLimits(defaultCompileLimits, language.compileLimits, [submission.compileLimits], max, 'compileLimits');
  const runBase = resolveLimits(defaults, language.runLimits, [submission.limits], max, 'limits');
  const rawTests = submission.tests ?? [{ input: submission.stdin ?? '', expectedOutput: undefined, name: undefined, limits: undefined }];
  const tests: PreparedTest[] = rawTests.map((t, i) => ({
    name: t.name ?? String(i + 1),
    input: t.input ?? '',
    expectedOutput: t.expectedOutput ?? null,
    limits: t.limits ? resolveLimits(runBase, undefined, [t.limits], max, `tests.${i}.limits`) : runBase,
  }));
  const checker: Checker = submission.checker ?? { type: 'lines' };
  let checkerLanguageId: string | null = null;
  let checkerCompileLimits: Limits | null = null;
  let checkerLimits: Limits | null = null;
  if (checker.type === 'custom') {
    const checkerLanguage = registry.get(checker.language);
    checkerLanguageId = checkerLanguage.id;
    checkerCompileLimits = resolveLimits(defaultCompileLimits, checkerLanguage.compileLimits, [], max, 'checker.compileLimits');
    checkerLimits = resolveLimits(defaults, checkerLanguage.runLimits, [checker.limits], max, 'checker.limits');
  }
  let textLength = 0;
  for (const f of files) textLength += f.content.length;
  for (const t of tests) textLength += t.input.length + (t.expectedOutput?.length ?? 0);
  return {
    languageId: language.id,
    files,
    args: submission.args ?? [],
    compileLimits,
    tests,
    checker,
    checkerLanguageId,
    checkerCompileLimits,
    checkerLimits,
    stopOnFirstFailure: submission.stopOnFirstFailure ?? false,
    textLength,
  };
}

/** @internal Decodes stored files for the sandbox. */
export function toSandboxFiles(files: PreparedSubmission['files']): SandboxFile[] {
  return files.map((f) => ({ path: f.path, content: f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : f.content }));
}
