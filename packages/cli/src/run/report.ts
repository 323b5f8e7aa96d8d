import type { Limits, StepResult, SubmissionResult, TestResult } from '@judgekit/core';
import picocolors from 'picocolors';
import { table } from '../table.js';
import type { TestCase } from './tests.js';

/** Colours for one stream: on only on a terminal, and never with `NO_COLOR` set (https://no-color.org). */
export type Colours = ReturnType<typeof picocolors.createColors>;

/** Colours for `stream`, honouring `NO_COLOR` and `FORCE_COLOR`. */
export function coloursFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Colours {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const enabled = env.NO_COLOR === undefined || env.NO_COLOR === '' ? forced || stream.isTTY === true : false;
  return picocolors.createColors(enabled);
}

/** What the report needs besides the result. */
export interface ReportContext {
  /** The tests as read from disk; null for a single run (`--stdin`, piped input or none). */
  tests: readonly TestCase[] | null;
  /** The limits each test ran with, to name the one that ended a run. */
  limits: Limits;
  /** The compile step's limits. */
  compileLimits: Limits;
  colours: Colours;
}

/** The verdict `judgekit run` gives: the judge's, except that a run no expected output could check never passes. */
export function runVerdict(result: SubmissionResult, tests: readonly TestCase[] | null): { verdict: string; ok: boolean } {
  const verdict = result.verdict ?? result.status;
  if (verdict !== 'accepted') return { verdict, ok: false };
  const unchecked = tests ? tests.filter((t) => t.expectedOutput === null).length : 0;
  if (unchecked > 0) return { verdict: 'not verified', ok: false };
  return { verdict, ok: true };
}

/** The human report: compile output, program output or the tests table, each failure in detail, and the verdict. */
export function report(result: SubmissionResult, ctx: ReportContext): string {
  const c = ctx.colours;
  const out: string[] = [];
  const { verdict, ok } = runVerdict(result, ctx.tests);
  const paint = (v: string) => (v === 'accepted' ? c.green(v) : v === 'skipped' || v === 'no expected output' ? c.yellow(v) : c.red(v));

  if (result.verdict === 'compile_error') {
    const compile = result.compile;
    out.push(c.red(c.bold('compile error')) + (compile ? ` (${stepEnd(compile, ctx.compileLimits)})` : ''));
    const text = compile ? (compile.stderr || compile.stdout).trimEnd() : (result.message ?? '');
    if (text) out.push(text);
    const total = result.summary.total;
    out.push(`${c.bold('verdict:')} ${c.red('compile_error')} — the program did not run (${total} test${total === 1 ? '' : 's'} not run)`);
    return `${out.join('\n')}\n`;
  }
  if (result.verdict === 'internal_error' && result.tests.length === 0) {
    out.push(`${c.bold('verdict:')} ${c.red('internal_error')} — the judge failed, not the program: ${result.message ?? 'no message'}`);
    return `${out.join('\n')}\n`;
  }

  if (ctx.tests === null) {
    const t = result.tests[0];
    if (t) {
      if (t.stdout) out.push(t.stdout.replace(/\n$/, '') + (t.stdoutTruncated ? c.dim('\n[stdout truncated]') : ''));
      if (t.stderr)
        out.push(c.dim('--- stderr ---'), t.stderr.replace(/\n$/, '') + (t.stderrTruncated ? c.dim('\n[stderr truncated]') : ''));
      const figures = `cpu ${ms(t.cpuTimeMs)}, wall ${ms(t.wallTimeMs)}, memory ${mib(t.memoryBytes)}`;
      const why = t.verdict === 'accepted' ? '' : ` — ${reason(t, ctx.limits)}`;
      out.push(`${c.bold('verdict:')} ${paint(t.verdict)}${why} (${figures})`);
    } else {
      out.push(`${c.bold('verdict:')} ${paint(verdict)}${result.message ? ` — ${result.message}` : ''}`);
    }
    return `${out.join('\n')}\n`;
  }

  const byName = new Map(ctx.tests.map((t) => [t.name, t]));
  const shown = (t: TestResult) =>
    t.verdict === 'accepted' && byName.get(t.name)?.expectedOutput === null ? 'no expected output' : t.verdict;
  out.push(
    table(
      ['test', 'verdict', 'cpu ms', 'wall ms', 'memory MiB', 'exit', 'note'],
      result.tests.map((t) => [
        t.name,
        shown(t),
        t.cpuTimeMs.toFixed(0),
        t.wallTimeMs.toFixed(0),
        (t.memoryBytes / 1024 / 1024).toFixed(1),
        t.exitCode === null ? (t.signal ?? '') : String(t.exitCode),
        shown(t) === 'no expected output' ? 'ran; nothing to compare with' : (t.message ?? ''),
      ]),
      { paint: (column, cell) => (column === 1 ? paint(cell) : cell) },
    ).trimEnd(),
  );

  const failures = result.tests.filter((t) => t.verdict !== 'accepted' && t.verdict !== 'skipped');
  if (failures.length > 0) {
    out.push('', c.bold('failed:'));
    for (const t of failures) out.push(...failure(t, byName.get(t.name), ctx));
  }

  const passed = result.tests.filter((t) => shown(t) === 'accepted').length;
  const missing = result.tests.filter((t) => shown(t) === 'no expected output').length;
  const skipped = result.tests.filter((t) => t.verdict === 'skipped').length;
  const parts = [`${passed} of ${ctx.tests.length} passed`];
  if (failures.length > 0) parts.push(`${failures.length} failed`);
  if (missing > 0) parts.push(`${missing} had no expected output (run, but not counted as passed)`);
  if (skipped > 0) parts.push(`${skipped} skipped`);
  const s = result.summary;
  out.push(
    '',
    `${c.bold('verdict:')} ${ok ? c.green(verdict) : c.red(verdict)} — ${parts.join(', ')}` +
      c.dim(` · max cpu ${ms(s.maxCpuTimeMs)}, max memory ${mib(s.maxMemoryBytes)}`),
  );
  return `${out.join('\n')}\n`;
}

/** One failed test in detail: why, where the output first differs, the tail of stderr. */
function failure(t: TestResult, test: TestCase | undefined, ctx: ReportContext): string[] {
  const c = ctx.colours;
  const files = test ? ` (${test.inputFile}${test.outputFile ? ` vs ${test.outputFile}` : ''})` : '';
  const lines = [`  ${c.bold(t.name)}${c.dim(files)}: ${c.red(t.verdict)} — ${reason(t, ctx.limits)}`];
  if (t.verdict === 'wrong_answer' && test?.expectedOutput != null) {
    const diff = firstDifference(t.stdout, test.expectedOutput);
    if (diff) {
      lines.push(`      line ${diff.line}:`);
      lines.push(`        expected: ${c.green(diff.expected)}`);
      lines.push(`        got:      ${c.red(diff.got)}`);
    }
  }
  const tail = stderrTail(t.stderr, 10);
  if (tail.length > 0) {
    const total = t.stderr.replace(/\n$/, '').split('\n').length;
    lines.push(
      c.dim(
        `      stderr${total > tail.length ? ` (last ${tail.length} of ${total} lines)` : ''}${t.stderrTruncated ? ', truncated' : ''}:`,
      ),
    );
    for (const l of tail) lines.push(`        ${l}`);
  }
  return lines;
}

/** Why a step ended as it did, naming the limit (and its value) when one ended it. */
function reason(t: TestResult, limits: Limits): string {
  if (t.limitExceeded) return `${limitText(t.limitExceeded, limits)}${t.message && !/limit/.test(t.message) ? `; ${t.message}` : ''}`;
  return t.message ?? (t.signal ? `killed by ${t.signal}` : t.exitCode !== 0 ? `exit code ${t.exitCode}` : 'ran');
}

function stepEnd(step: StepResult, limits: Limits): string {
  if (step.limitExceeded) return limitText(step.limitExceeded, limits);
  return step.signal ? `killed by ${step.signal}` : `exit code ${step.exitCode}`;
}

function limitText(kind: NonNullable<StepResult['limitExceeded']>, limits: Limits): string {
  switch (kind) {
    case 'cpu':
      return `cpu time limit of ${limits.cpuTimeMs} ms reached`;
    case 'wall':
      return `wall time limit of ${limits.wallTimeMs} ms reached`;
    case 'memory':
      return `memory limit of ${mib(limits.memoryBytes)} reached`;
    case 'output':
      return `output limit of ${bytes(limits.outputBytes)} reached`;
    case 'filesize':
      return `file size limit of ${bytes(limits.fileSizeBytes)} reached`;
    case 'processes':
      return `process limit of ${limits.processes} reached`;
    case 'disk':
      return `disk limit of ${bytes(limits.diskBytes)} or ${limits.diskInodes} files reached`;
  }
}

/** The first line where the output and the expected output differ (trailing whitespace ignored, as the default checker does). */
export function firstDifference(got: string, expected: string): { line: number; expected: string; got: string } | null {
  const split = (s: string) => {
    const lines = s.split('\n').map((l) => l.replace(/[ \t\r\f\v]+$/, ''));
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    return lines;
  };
  const g = split(got);
  const e = split(expected);
  for (let i = 0; i < Math.max(g.length, e.length); i++) {
    if (g[i] !== e[i]) return { line: i + 1, expected: preview(e[i]), got: preview(g[i]) };
  }
  return null;
}

function preview(line: string | undefined): string {
  if (line === undefined) return '<end of output>';
  return JSON.stringify(line.length > 100 ? `${line.slice(0, 100)}…` : line);
}

function stderrTail(stderr: string, n: number): string[] {
  const text = stderr.replace(/\n$/, '');
  if (text === '') return [];
  return text.split('\n').slice(-n);
}

const ms = (v: number) => `${Math.round(v)} ms`;
const mib = (v: number) => `${(v / 1024 / 1024).toFixed(1)} MiB`;
const bytes = (v: number) => (v >= 1024 * 1024 ? mib(v) : v >= 1024 ? `${(v / 1024).toFixed(0)} KiB` : `${v} B`);
