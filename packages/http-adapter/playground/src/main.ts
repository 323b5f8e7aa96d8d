import '@xterm/xterm/css/xterm.css';
import './style.css';
import {
  type JudgekitClient as Client,
  JudgekitClient,
  JudgekitClientError,
  type LanguageInfo,
  type SubmissionInput,
} from '@judgekit/client';
import { AdminView } from './admin.js';
import { SourceEditor } from './editor.js';
import { el } from './format.js';
import { ResultView } from './results.js';
import { samples } from './samples.js';
import { readShared, type SharedState, shareUrl } from './share.js';
import { TerminalView } from './terminal.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const keyInput = $<HTMLInputElement>('api-key');
keyInput.value = sessionStorage.getItem('judgekit.apiKey') ?? '';
keyInput.addEventListener('change', () => sessionStorage.setItem('judgekit.apiKey', keyInput.value.trim()));
// The page's own server, under the prefix the page is served at (the <base> element).
const baseUrl = new URL('.', document.baseURI).href.replace(/\/$/, '');
const client = (): Client => new JudgekitClient({ baseUrl, apiKey: keyInput.value.trim() || null });

const languageSelect = $<HTMLSelectElement>('language');
const stdin = $<HTMLTextAreaElement>('stdin');
const testsBody = $<HTMLTableSectionElement>('tests');
const runButton = $<HTMLButtonElement>('run');
const cancelButton = $<HTMLButtonElement>('cancel');
const status = $<HTMLElement>('status');
const share = $<HTMLAnchorElement>('share');
const editor = new SourceEditor($('editor'), () => void run());
const results = new ResultView();
let languages: LanguageInfo[] = [];
let running: { id: string | null; controller: AbortController } | null = null;

// --- tabs: arrow keys move between them, as the WAI-ARIA tabs pattern says --------------------
const tabs = ['run', 'terminal', 'admin'] as const;
const admin = new AdminView(client);
const terminal = new TerminalView(client, () => ({ language: languageSelect.value, source: editor.text }));
function selectTab(name: (typeof tabs)[number], focus = false): void {
  for (const t of tabs) {
    const tab = $<HTMLButtonElement>(`tab-${t}`);
    tab.setAttribute('aria-selected', String(t === name));
    tab.tabIndex = t === name ? 0 : -1;
    $(`view-${t}`).hidden = t !== name;
    if (t === name && focus) tab.focus();
  }
  // The language picker belongs to the program (Run and Terminal), not to the admin view.
  ($('language').parentElement as HTMLElement).hidden = name === 'admin';
  if (name === 'admin') admin.show();
  else admin.hide();
  if (name === 'terminal') terminal.show();
}
for (const [i, t] of tabs.entries()) {
  const tab = $<HTMLButtonElement>(`tab-${t}`);
  tab.addEventListener('click', () => selectTab(t));
  tab.addEventListener('keydown', (e) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (step) selectTab(tabs[(i + step + tabs.length) % tabs.length]!, true);
  });
}

// --- tests table --------------------------------------------------------------------------------
function addTest(input = '', expectedOutput = ''): void {
  const n = testsBody.children.length + 1;
  const inputArea = el('textarea', { rows: '2', spellcheck: 'false', 'aria-label': `Test ${n} input`, 'data-testid': 'test-input' });
  const expectedArea = el('textarea', {
    rows: '2',
    spellcheck: 'false',
    'aria-label': `Test ${n} expected output`,
    'data-testid': 'test-expected',
  });
  inputArea.value = input;
  expectedArea.value = expectedOutput;
  const remove = el('button', { type: 'button', 'aria-label': `Remove test ${n}`, 'data-testid': 'remove-test' }, '×');
  const row = el('tr', {}, el('td', {}, String(n)), el('td', {}, inputArea), el('td', {}, expectedArea), el('td', {}, remove));
  remove.addEventListener('click', () => {
    row.remove();
    renumber();
  });
  testsBody.append(row);
}
function renumber(): void {
  [...testsBody.children].forEach((row, i) => {
    const n = String(i + 1);
    (row.children[0] as HTMLElement).textContent = n;
    row.querySelector('[data-testid=test-input]')?.setAttribute('aria-label', `Test ${n} input`);
    row.querySelector('[data-testid=test-expected]')?.setAttribute('aria-label', `Test ${n} expected output`);
    row.querySelector('[data-testid=remove-test]')?.setAttribute('aria-label', `Remove test ${n}`);
  });
}
function tests(): { input: string; expectedOutput: string }[] {
  return [...testsBody.children].map((row) => ({
    input: (row.querySelector('[data-testid=test-input]') as HTMLTextAreaElement).value,
    expectedOutput: (row.querySelector('[data-testid=test-expected]') as HTMLTextAreaElement).value,
  }));
}
$('add-test').addEventListener('click', () => {
  addTest();
  (testsBody.lastElementChild?.querySelector('textarea') as HTMLTextAreaElement | null)?.focus();
});

// --- languages ----------------------------------------------------------------------------------
function describeLanguage(l: LanguageInfo): string {
  return l.version ? `${l.name} ${l.version}` : `${l.name} (not installed)`;
}
function onLanguage(keepSource = false): void {
  const l = languages.find((x) => x.id === languageSelect.value);
  if (!l) return;
  $('language-version').textContent = l.version ? `version ${l.version}` : 'toolchain not installed on this server';
  editor.setLanguage(l.id, l.extensions);
  if (!keepSource && (editor.text.trim() === '' || Object.values(samples).includes(editor.text))) editor.text = samples[l.id] ?? '';
}
languageSelect.addEventListener('change', () => onLanguage());

async function loadLanguages(): Promise<void> {
  try {
    languages = await client().languages();
  } catch (error) {
    status.textContent = `Could not load the languages: ${(error as Error).message}`;
    return;
  }
  languageSelect.replaceChildren(
    ...languages.map((l) => el('option', { value: l.id, ...(l.version ? {} : { disabled: '' }) }, describeLanguage(l))),
  );
  const first = languages.find((l) => l.id === 'python3' && l.version) ?? languages.find((l) => l.version) ?? languages[0];
  if (first) languageSelect.value = first.id;
}

// --- run ----------------------------------------------------------------------------------------
async function run(): Promise<void> {
  if (running) return;
  const table = tests();
  const input: SubmissionInput = {
    language: languageSelect.value,
    source: editor.text,
    ...(table.length > 0
      ? { tests: table.map((t, i) => ({ name: String(i + 1), input: t.input, expectedOutput: t.expectedOutput })) }
      : { stdin: stdin.value }),
    metadata: { origin: 'playground' },
  };
  const expected = table.map((t) => t.expectedOutput);
  const controller = new AbortController();
  running = { id: null, controller };
  runButton.disabled = true;
  cancelButton.hidden = false;
  share.hidden = true;
  status.textContent = 'Submitting…';
  results.start(
    Math.max(1, table.length),
    table.map((_, i) => String(i + 1)),
  );
  let done = 0;
  try {
    const result = await client().run(input, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'queued') {
          running!.id = event.id;
          const state: SharedState = { language: languageSelect.value, source: editor.text, stdin: stdin.value, tests: table };
          share.href = shareUrl(event.id, state);
          history.replaceState(null, '', share.href);
          status.textContent = 'Queued…';
        } else if (event.type === 'running') status.textContent = 'Running…';
        else if (event.type === 'compiled')
          status.textContent = event.compile.exitCode === 0 ? 'Compiled; running tests…' : 'Compile failed.';
        else if (event.type === 'test') {
          done++;
          results.test(event.index, event.test, expected[event.index]);
          status.textContent = `Test ${done} of ${event.total} done…`;
        }
      },
    });
    results.done(result, expected);
    status.textContent = `Done: ${result.summary.passed} of ${result.summary.total} tests passed.`;
    share.hidden = false;
  } catch (error) {
    status.textContent = error instanceof JudgekitClientError ? `${error.code}: ${error.message}` : String(error);
  } finally {
    running = null;
    runButton.disabled = false;
    cancelButton.hidden = true;
  }
}
runButton.addEventListener('click', () => void run());
cancelButton.addEventListener('click', () => {
  const id = running?.id;
  if (id)
    void client()
      .cancel(id)
      .catch(() => {});
});

// --- start: a shared link shows its program and result ------------------------------------------
async function start(): Promise<void> {
  await loadLanguages();
  const shared = readShared();
  if (shared.state) {
    if (languages.some((l) => l.id === shared.state!.language)) languageSelect.value = shared.state.language;
    editor.text = shared.state.source;
    stdin.value = shared.state.stdin;
    for (const t of shared.state.tests) addTest(t.input, t.expectedOutput);
    onLanguage(true);
  } else {
    onLanguage();
    addTest('World', 'Hello, World!');
  }
  if (shared.id) {
    try {
      const c = client();
      const current = await c.get(shared.id);
      const result = current.status === 'done' || current.status === 'cancelled' ? current : await c.wait(shared.id);
      results.done(result, shared.state?.tests.map((t) => t.expectedOutput) ?? []);
      status.textContent = `Submission ${shared.id}: ${result.summary.passed} of ${result.summary.total} tests passed.`;
    } catch (error) {
      status.textContent = `Submission ${shared.id}: ${(error as Error).message}`;
    }
  }
  document.body.dataset.ready = 'true';
}
void start();
