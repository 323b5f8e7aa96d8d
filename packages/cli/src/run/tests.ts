import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError } from './usage-error.js';

/** One test read from disk: its input and, when the folder has one, its expected output. */
export interface TestCase {
  /** The test's name: the input's path inside the folder without its suffix, e.g. `1`, `sample/1`, `input00`. */
  name: string;
  /** The input file, relative to the tests folder. */
  inputFile: string;
  /** The expected-output file, relative to the tests folder; null when there is none. */
  outputFile: string | null;
  input: string;
  /** null: no expected output was found. Such a test is run, but never counted as passed. */
  expectedOutput: string | null;
}

/** What `readTests` found. */
export interface TestSet {
  /** The layout that matched, in words: `NAME.in + NAME.ans`, `Polygon NN + NN.a`, ... */
  layout: string;
  tests: TestCase[];
  /** How many tests have no expected output. */
  missingOutputs: number;
}

/** Suffixes that name a test's input and its expected output; `--in-suffix`/`--out-suffix` set them. */
export interface SuffixOptions {
  inSuffix?: string;
  outSuffix?: string;
}

const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * The tests of a folder, in the layouts people already have. The first that matches wins:
 *
 * 1. `--in-suffix S` (and `--out-suffix T`, default `.out`): `NAME` + `S` with `NAME` + `T`;
 * 2. `input/` and `output/` folders: the same file name in both, or `inputNN` / `outputNN`
 *    (HackerRank's `input00.txt` / `output00.txt`), or `input/NAME.in` / `output/NAME.out`;
 * 3. `NAME.in` with `NAME.out` or `NAME.ans` (Kattis, Codeforces, most judges);
 * 4. Polygon's `NN` (digits only) with `NN.a`.
 *
 * Sub-folders are searched too (`data/sample/1.in`, `data/secret/1.in`: tests `sample/1`,
 * `secret/1`). An input without an expected output is kept, with `expectedOutput: null`.
 * Tests come in natural order (`2` before `10`).
 */
export function readTests(dir: string, options: SuffixOptions = {}): TestSet {
  if (!isDir(dir)) throw new UsageError(`--tests ${dir}: not a folder`);
  const files = listFiles(dir);
  const has = new Set(files);
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  const build = (pairs: [input: string, output: string | null, name: string][], layout: string): TestSet => {
    pairs.sort((a, b) => natural(a[2], b[2]));
    const tests = pairs.map(([inputFile, outputFile, name]) => ({
      name,
      inputFile,
      outputFile,
      input: read(inputFile),
      expectedOutput: outputFile === null ? null : read(outputFile),
    }));
    return { layout, tests, missingOutputs: tests.filter((t) => t.expectedOutput === null).length };
  };

  if (options.inSuffix !== undefined || options.outSuffix !== undefined) {
    const inSuffix = options.inSuffix ?? '.in';
    const outSuffix = options.outSuffix ?? '.out';
    if (inSuffix === '' || inSuffix === outSuffix) throw new UsageError('--in-suffix must be non-empty and differ from --out-suffix');
    const inputs = files.filter((f) => f.endsWith(inSuffix));
    if (inputs.length === 0) throw new UsageError(`--tests ${dir}: no NAME${inSuffix} files`);
    const pairs = inputs.map((f): [string, string | null, string] => {
      const name = f.slice(0, -inSuffix.length);
      return [f, has.has(name + outSuffix) ? name + outSuffix : null, name];
    });
    return build(pairs, `NAME${inSuffix} + NAME${outSuffix}`);
  }

  const inputDir = files.filter((f) => /(^|\/)input\//.test(f));
  if (inputDir.length > 0) {
    const pairs = inputDir.map((f): [string, string | null, string] => {
      const mirrored = f.replace(/(^|\/)input\//, '$1output/');
      // HackerRank: input/input00.txt with output/output00.txt; also input/1.in with output/1.out or .ans.
      const renamed = mirrored.replace(/(^|\/)input(?=[^/]*$)/, '$1output');
      const candidates = [mirrored, renamed].flatMap((c) =>
        c.endsWith('.in') ? [c, `${c.slice(0, -3)}.out`, `${c.slice(0, -3)}.ans`] : [c],
      );
      const output = candidates.find((o) => has.has(o)) ?? null;
      const name = f.replace(/(^|\/)input\//, '$1').replace(/\.(txt|in)$/, '');
      return [f, output, name];
    });
    return build(pairs, 'input/NAME + output/NAME');
  }

  const dotIn = files.filter((f) => f.endsWith('.in'));
  if (dotIn.length > 0) {
    const answers = new Set<string>();
    const pairs = dotIn.map((f): [string, string | null, string] => {
      const name = f.slice(0, -3);
      const output = [`${name}.out`, `${name}.ans`].find((o) => has.has(o)) ?? null;
      if (output) answers.add(output.slice(output.lastIndexOf('.')));
      return [f, output, name];
    });
    const kinds = [...answers].sort().join(' or ');
    return build(pairs, `NAME.in + NAME${kinds === '' ? '.out' : kinds.replaceAll(' or .', ' or NAME.')}`);
  }

  const polygon = files.filter((f) => /(^|\/)\d+$/.test(f));
  if (polygon.length > 0) {
    const pairs = polygon.map((f): [string, string | null, string] => [f, has.has(`${f}.a`) ? `${f}.a` : null, f]);
    return build(pairs, 'Polygon NN + NN.a');
  }

  throw new UsageError(
    `--tests ${dir}: no tests found. Layouts read: NAME.in with NAME.out or NAME.ans; input/ and output/ folders; ` +
      'Polygon NN with NN.a; or name yours with --in-suffix and --out-suffix.',
  );
}

/** Every regular file under `dir`, as paths relative to it with `/`, hidden files skipped. Links are not followed. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string, depth: number) => {
    if (depth > 4) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (entry.isFile()) out.push(relative(dir, path).split('\\').join('/'));
    }
  };
  walk(dir, 0);
  return out.sort(natural);
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
