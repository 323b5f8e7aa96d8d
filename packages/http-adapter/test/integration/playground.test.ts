import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NsjailRunner } from '@judgekit/runner-nsjail';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type JudgekitServer } from '../../src/index.js';
import { chromiumAvailable, launchChromium } from './chromium.js';
import { nsjailRunner } from './sandbox.js';

const browserReady = chromiumAvailable();
const runner = browserReady ? await nsjailRunner() : null;
const suite = runner ? describe : describe.skip;

/** Screenshots land here (look at them: the status file describes them). */
const shots = fileURLToPath(new URL('../../../../.cache/playground/', import.meta.url));

const solution = ['#include <iostream>', 'int main() { long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }'];

suite('the playground in Debian’s Chromium, against a real nsjail server', () => {
  let server: JudgekitServer;
  let base: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  const foreign: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // The page under test is the one this source builds (tests run from source, not from dist).
    execFileSync(process.execPath, [fileURLToPath(new URL('../../playground/build.mjs', import.meta.url))], { stdio: 'pipe' });
    mkdirSync(shots, { recursive: true });
    server = await createServer({ runner: runner as NsjailRunner, port: 0, logger: false, rateLimit: false });
    base = await server.listen();
    browser = await launchChromium();
    context = browser.context;
    context.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${base}/`) && !url.startsWith(base.replace('http:', 'ws:')) && !url.startsWith('data:')) foreign.push(url);
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const byId = (id: string) => page.getByTestId(id);

  it('loads the page with the server’s languages and their versions', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-ready=true]');
    const options = await byId('language').locator('option').allTextContents();
    expect(
      options.some((o) => /^C\+\+.* \d+\.\d+/.test(o)),
      options.join(', '),
    ).toBe(true);
    expect(options.some((o) => o.startsWith('Python'))).toBe(true);
    await expect.poll(() => page.locator('.cm-content').textContent()).toContain('input()');
  });

  it('picks C++, takes a typed solution and two tests, and shows accepted with two rows', async () => {
    await byId('language').selectOption('cpp');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(solution[0]!);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.keyboard.type(solution[1]!);
    await page.keyboard.press('Escape');
    expect(await page.locator('.cm-content').textContent()).toContain('std::cin >> a >> b;');
    // The page starts with one example test: replace it with two of ours.
    await byId('remove-test').click();
    await byId('add-test').click();
    await byId('add-test').click();
    await byId('test-input').nth(0).fill('1 2');
    await byId('test-expected').nth(0).fill('3');
    await byId('test-input').nth(1).fill('20 22');
    await byId('test-expected').nth(1).fill('42');
    await byId('run').click();
    await expect.poll(() => byId('verdict').getAttribute('data-verdict'), { timeout: 60_000 }).toBe('accepted');
    expect(await byId('test-row').count()).toBe(2);
    expect(await byId('test-row').nth(1).getAttribute('data-verdict')).toBe('accepted');
    expect(await byId('status').textContent()).toContain('2 of 2 tests passed');
    // Syntax highlighting is on: the C++ keywords carry their own style.
    expect(await page.locator('.cm-content span').count()).toBeGreaterThan(5);
    await page.screenshot({ path: `${shots}accepted.png`, fullPage: true });
  });

  it('shows a wrong answer with the diff of expected against received (run with Ctrl+Enter)', async () => {
    await byId('test-expected').nth(1).fill('41');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => byId('verdict').getAttribute('data-verdict'), { timeout: 60_000 }).toBe('wrong_answer');
    const row = byId('test-row').nth(1);
    expect(await row.getAttribute('data-verdict')).toBe('wrong_answer');
    const diff = row.getByTestId('diff');
    expect(await diff.locator('.del').allTextContents()).toEqual(['- 41']);
    expect(await diff.locator('.add').allTextContents()).toEqual(['+ 42']);
    expect(await byId('test-row').nth(0).getAttribute('data-verdict')).toBe('accepted');
    await page.screenshot({ path: `${shots}wrong-answer.png`, fullPage: true });
  });

  it('gives a link with the submission id that shows the same run again', async () => {
    const url = page.url();
    expect(url).toMatch(/\?submission=[^#]+#/);
    const other = await context.newPage();
    await other.goto(url);
    await other.waitForSelector('body[data-ready=true]');
    expect(await other.getByTestId('verdict').getAttribute('data-verdict')).toBe('wrong_answer');
    expect(await other.getByTestId('language').inputValue()).toBe('cpp');
    expect(await other.locator('.cm-content').textContent()).toContain('std::cin >> a >> b;');
    expect(await other.getByTestId('test-row').count()).toBe(2);
    await other.close();
  });

  it('shows a compile error with the compiler’s message', async () => {
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' int broken(');
    await byId('run').click();
    await expect.poll(() => byId('verdict').getAttribute('data-verdict'), { timeout: 60_000 }).toBe('compile_error');
    expect(await byId('compile-output').textContent()).toMatch(/error/);
  });

  it('is usable from the keyboard: tabs move with the arrow keys, fields are labelled', async () => {
    await byId('tab-run').focus();
    await page.keyboard.press('ArrowRight');
    expect(await byId('tab-terminal').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    expect(await byId('tab-run').getAttribute('aria-selected')).toBe('true');
    for (const id of ['language', 'stdin', 'api-key']) {
      const labelled = await byId(id).evaluate((e) => (e as unknown as { labels: { length: number } | null }).labels?.length ?? 0);
      expect(labelled, id).toBe(1);
    }
    expect(await page.locator('.cm-content').getAttribute('aria-label')).toBe('Source code');
  });

  it('shows the admin view live: queue depth, the worker, recent submissions', async () => {
    await byId('tab-admin').click();
    await expect.poll(() => page.getByTestId('recent-row').count()).toBeGreaterThanOrEqual(3);
    expect(await byId('queue-depth').textContent()).toBe('0');
    expect(await page.getByTestId('worker-row').count()).toBe(1);
    // Live: a submission made elsewhere appears within the refresh period.
    const before = await page.getByTestId('recent-row').count();
    await fetch(`${base}/v1/submissions?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python3', source: 'print(1)', stdin: '' }),
    });
    await expect.poll(() => page.getByTestId('recent-row').count(), { timeout: 10_000 }).toBe(before + 1);
    await page.screenshot({ path: `${shots}admin.png`, fullPage: true });
    await byId('tab-run').click();
  });

  it('runs an interactive Python session in the terminal tab, echoing what is typed', async () => {
    // The terminal runs the Run tab's program.
    await byId('language').selectOption('python3');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('name = input("name? ")');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    await page.keyboard.type('print("hello,", name)');
    await page.keyboard.press('Escape');
    await byId('tab-terminal').click();
    await byId('session-start').click();
    const screen = () => page.locator('[data-testid=terminal] .xterm-rows').textContent();
    await expect.poll(screen, { timeout: 30_000 }).toContain('name? ');
    await page.keyboard.type('ada');
    // The terminal echoes each key as the program's pty gives it back, before Enter.
    await expect.poll(screen, { timeout: 10_000 }).toContain('name? ada');
    await page.keyboard.press('Enter');
    await expect.poll(screen, { timeout: 10_000 }).toContain('hello, ada');
    await expect.poll(() => byId('session-status').textContent(), { timeout: 10_000 }).toBe('exited with 0');
    await page.screenshot({ path: `${shots}terminal.png`, fullPage: true });
    await byId('tab-run').click();
  });

  it('sends no request outside the server’s origin, and throws no page error', () => {
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

suite('the playground with API keys on', () => {
  let server: JudgekitServer;
  let base: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    server = await createServer({ runner: (await nsjailRunner()) as NsjailRunner, port: 0, logger: false, apiKeys: ['k-browser'] });
    base = await server.listen();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the page openly, asks for the key, and works once it is given', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/`);
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('API key is required');
    await page.getByTestId('api-key').fill('k-browser');
    await page.getByTestId('api-key').dispatchEvent('change');
    await page.reload();
    await page.waitForSelector('body[data-ready=true]');
    expect(await page.getByTestId('api-key').inputValue()).toBe('k-browser');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-verdict'), { timeout: 60_000 }).toBe('accepted');
  });
});
