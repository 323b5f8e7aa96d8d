import type { SubmissionResult } from '@judgekit/client';
import { diffLines } from 'diff';
import { bytes, el, ms, verdictLabel } from './format.js';

type TestResult = SubmissionResult['tests'][number];

/** The verdict table: a row per test, filled in as each test's event arrives. */
export class ResultView {
  readonly #section = document.getElementById('result') as HTMLElement;
  readonly #verdict = document.getElementById('verdict') as HTMLElement;
  readonly #rows = document.getElementById('test-rows') as HTMLTableSectionElement;
  readonly #compile = document.getElementById('compile') as HTMLPreElement;

  /** Empties the table for a run of `total` tests (pending rows). */
  start(total: number, names: string[]): void {
    this.#section.hidden = false;
    this.#verdict.textContent = '…';
    this.#verdict.className = 'badge pending';
    this.#compile.hidden = true;
    this.#rows.replaceChildren();
    for (let i = 0; i < total; i++) {
      this.#rows.append(
        el(
          'tr',
          { 'data-testid': 'test-row', 'data-state': 'pending' },
          el('td', {}, names[i] ?? String(i + 1)),
          el('td', { colspan: '5', class: 'muted' }, 'waiting…'),
        ),
      );
    }
  }

  /** Fills the row of one finished test; `expected` is the test's expected output, for the diff. */
  test(index: number, test: TestResult, expected: string | undefined): void {
    let row = this.#rows.children[index] as HTMLTableRowElement | undefined;
    if (!row) {
      row = el('tr', { 'data-testid': 'test-row' });
      this.#rows.append(row);
    }
    row.dataset.state = 'done';
    row.dataset.verdict = test.verdict;
    const output: Node[] = [];
    if (test.verdict === 'wrong_answer' && expected !== undefined) output.push(diffView(expected, test.stdout));
    else if (test.stdout || test.stderr)
      output.push(el('pre', { class: 'output' }, clip(test.stdout + (test.stderr ? `\n[stderr]\n${test.stderr}` : ''))));
    if (test.message) output.push(el('div', { class: 'muted' }, test.message));
    row.replaceChildren(
      el('td', {}, test.name),
      el('td', {}, el('span', { class: `badge ${test.verdict}` }, verdictLabel(test.verdict))),
      el('td', {}, ms(test.wallTimeMs)),
      el('td', {}, bytes(test.memoryBytes)),
      el('td', {}, test.signal ?? String(test.exitCode ?? '')),
      el('td', {}, ...output),
    );
  }

  /** Shows the final verdict (and the compiler's output on a compile error). */
  done(result: SubmissionResult, expected: (string | undefined)[]): void {
    this.#section.hidden = false;
    if (this.#rows.children.length !== result.tests.length)
      this.start(
        result.tests.length,
        result.tests.map((t) => t.name),
      );
    result.tests.forEach((t, i) => {
      this.test(i, t, expected[i]);
    });
    this.#verdict.textContent = result.status === 'cancelled' ? 'Cancelled' : verdictLabel(result.verdict);
    this.#verdict.className = `badge ${result.verdict ?? result.status}`;
    this.#verdict.dataset.verdict = result.verdict ?? result.status;
    if (result.compile && (result.verdict === 'compile_error' || result.compile.stderr)) {
      this.#compile.hidden = false;
      this.#compile.textContent = clip(result.compile.stderr || result.compile.stdout || result.message || '');
    } else if (result.message) {
      this.#compile.hidden = false;
      this.#compile.textContent = result.message;
    }
  }
}

/** Expected against received, line by line: `-` lines expected only, `+` lines received only. */
function diffView(expected: string, actual: string): HTMLElement {
  const box = el('div', {
    class: 'diff',
    'data-testid': 'diff',
    role: 'group',
    'aria-label': 'Expected output (−) against received output (+)',
  });
  for (const part of diffLines(expected.endsWith('\n') ? expected : `${expected}\n`, actual.endsWith('\n') ? actual : `${actual}\n`)) {
    const kind = part.added ? 'add' : part.removed ? 'del' : 'same';
    const mark = part.added ? '+ ' : part.removed ? '- ' : '  ';
    for (const line of part.value.replace(/\n$/, '').split('\n')) box.append(el('div', { class: `line ${kind}` }, mark + line));
  }
  return box;
}

function clip(text: string): string {
  return text.length > 4000 ? `${text.slice(0, 4000)}\n… (${text.length - 4000} more characters)` : text;
}
