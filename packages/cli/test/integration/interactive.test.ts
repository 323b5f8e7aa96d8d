import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { describe, expect, it } from 'vitest';
import { bin, partsReady, root } from './harness.js';

// The CLI from source, run on a real terminal (node-pty), as a user would type at it.
const ready = await partsReady();
const suite = ready ? describe : describe.skip;

function terminal(args: string[]) {
  const term = pty.spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
    cwd: root,
    cols: 100,
    rows: 30,
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1' },
  });
  let screen = '';
  term.onData((d) => {
    screen += d;
  });
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  return {
    term,
    exited,
    get screen() {
      return screen;
    },
    async until(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
      const started = Date.now();
      while (!pattern.test(screen)) {
        if (Date.now() - started > timeoutMs) throw new Error(`no ${pattern} on ${JSON.stringify(screen)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

suite('judgekit run FILE --interactive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'judgekit-cli-interactive-'));

  it('attaches the terminal: a prompt, typed input, the terminal size and the exit code', async () => {
    const file = join(dir, 'greet.py');
    writeFileSync(file, 'import os, sys\nprint("size", *os.get_terminal_size())\nname = input("name? ")\nprint("hi", name)\nsys.exit(5)\n');
    const t = terminal(['run', file, '--interactive', '--runner', 'nsjail']);
    await t.until(/name\? /);
    expect(t.screen).toContain('size 100 30');
    t.term.write('ada\r');
    expect(await t.exited).toBe(5);
    expect(t.screen).toContain('hi ada');
  });

  it('sends Ctrl-C to the program in the sandbox, not to the CLI', async () => {
    const file = join(dir, 'trap.py');
    writeFileSync(
      file,
      'import os, signal, sys, time\nsignal.signal(signal.SIGINT, lambda *a: (os.write(1, b"caught\\n"), sys.exit(4)))\nprint("waiting", flush=True)\ntime.sleep(30)\n',
    );
    const t = terminal(['run', file, '--interactive', '--runner', 'nsjail']);
    await t.until(/waiting/);
    t.term.write('\x03');
    expect(await t.exited).toBe(4);
    expect(t.screen).toContain('caught');
  });
});
