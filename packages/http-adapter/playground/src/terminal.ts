import type { JudgekitClient, Session } from '@judgekit/client';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';

/** The terminal tab: xterm.js attached to a `/v1/sessions` session of the editor's program. */
export class TerminalView {
  readonly #term: Terminal;
  readonly #fit = new FitAddon();
  #session: Session | null = null;
  #opened = false;
  readonly #status = document.getElementById('session-status') as HTMLElement;
  readonly #start = document.getElementById('session-start') as HTMLButtonElement;
  readonly #stop = document.getElementById('session-stop') as HTMLButtonElement;

  constructor(
    readonly client: () => JudgekitClient,
    readonly program: () => { language: string; source: string },
  ) {
    this.#term = new Terminal({
      convertEol: false,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
      fontSize: 14,
      screenReaderMode: false,
    });
    this.#term.loadAddon(this.#fit);
    this.#term.onData((data) => this.#session?.write(data));
    this.#term.onResize(({ cols, rows }) => this.#session?.resize(cols, rows));
    this.#start.addEventListener('click', () => void this.start());
    this.#stop.addEventListener('click', () => this.stop());
    addEventListener('resize', () => this.#opened && this.#fit.fit());
  }

  /** Opens xterm in its element the first time the tab is shown (it measures the element). */
  show(): void {
    if (!this.#opened) {
      this.#term.open(document.getElementById('terminal') as HTMLElement);
      this.#term.textarea?.setAttribute('aria-label', 'Terminal input');
      this.#opened = true;
    }
    this.#fit.fit();
  }

  async start(): Promise<void> {
    this.stop();
    this.show();
    this.#term.reset();
    this.#start.disabled = true;
    this.#stop.disabled = false;
    this.#status.textContent = 'starting…';
    const { language, source } = this.program();
    try {
      const session = await this.client().session({ language, source, tty: true, cols: this.#term.cols, rows: this.#term.rows });
      this.#session = session;
      this.#status.textContent = 'running';
      this.#term.focus();
      void (async () => {
        for await (const out of session.output) this.#term.write(out.data);
      })();
      const exit = await session.exit;
      this.#term.write(`\r\n\x1b[2m[${exit.stage === 'compile' ? 'compile failed' : `exited ${exit.exitCode ?? exit.signal}`}]\x1b[0m\r\n`);
      this.#status.textContent = exit.signal
        ? `ended by ${exit.signal}`
        : `exited with ${exit.exitCode}${exit.limitExceeded ? ` (${exit.limitExceeded} limit)` : ''}`;
    } catch (error) {
      this.#status.textContent = `error: ${(error as Error).message}`;
    } finally {
      this.#session = null;
      this.#start.disabled = false;
      this.#stop.disabled = true;
    }
  }

  stop(): void {
    this.#session?.close();
    this.#session = null;
  }
}
