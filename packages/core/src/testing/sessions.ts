import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Judge } from '../judge/judge.js';
import type { Runner } from '../runner/contract.js';
import type { Session } from '../session/session.js';

/** What the session suite needs from a runner package. */
export interface SessionSuiteOptions {
  /** Shown in the describe blocks: `sessions on <name>`, `interactive problems … on <name>`. */
  name: string;
  /** Creates the runner under test (once, before the cases; closed after them). */
  createRunner(): Runner | Promise<Runner>;
  /**
   * The guess-the-number sources of the interactive cases, by file name (`interactor.py`,
   * `binary-search.cpp`, … as in the repository's `examples/interactive/`).
   */
  readExample(name: string): string;
  /** How many sessions the concurrency case runs at once. @defaultValue 50 */
  concurrentSessions?: number;
  /**
   * What TIOCSTI does on the runner's terminals: `own-terminal`, the injected bytes come back to
   * the program as input (Linux); `refused`, the ioctl fails (gVisor answers ENOTTY). Either way
   * it reaches nothing but the program's own terminal: the case checks that what the caller
   * types next is what the program reads. @defaultValue 'own-terminal'
   */
  tiocsti?: 'own-terminal' | 'refused';
  /** Sandboxes the runner has open now (the disconnect case checks one is gone). @defaultValue the runner's `openSandboxes` */
  openSandboxes?(runner: Runner): number;
}

/** Reads a session's output until a pattern shows, or fails after a timeout. */
function reader(session: Session) {
  let text = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const done = (async () => {
    for await (const e of session) {
      if (e.type !== 'data') continue;
      text += e.data;
      for (const w of [...waiters]) {
        if (!w.pattern.test(text)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  })();
  return {
    get text() {
      return text;
    },
    done,
    until(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
      if (pattern.test(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in ${JSON.stringify(text)}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

const tests = [{ input: '1000000 37\n' }, { input: '1000000 999999\n' }, { input: '1 1\n' }];

/**
 * The live-command contract every runner whose sandboxes can `spawn` meets, through
 * `judge.session()` and interactive problems: a terminal round trip, Ctrl-C as SIGINT, a resize as
 * SIGWINCH, the exit code on pipes, a compiled language's stages, a disconnect killing the program
 * within 1 s, TIOCSTI kept inside the program's own terminal, the adversarial suite's hostile
 * programs ending within their limits, many sessions at once, and guess-the-number in C++ and
 * Python (accepted, wrong answer, time limit, flood, crashing interactor). One judge and runner
 * serve every case. Call it at the top level of a vitest file.
 *
 * @example
 * ```ts
 * import { runnerSessionSuite } from '@judgekit/core/testing'
 * runnerSessionSuite({ name: 'nsjail', createRunner: () => new NsjailRunner(), readExample })
 * ```
 */
export function runnerSessionSuite(options: SessionSuiteOptions): void {
  let runner: Runner;
  let judge: Judge;
  const example = options.readExample;
  const open = (): number =>
    options.openSandboxes ? options.openSandboxes(runner) : (runner as unknown as { openSandboxes: number }).openSandboxes;

  beforeAll(async () => {
    runner = await options.createRunner();
    // No version probes: a session's start probes its language's version in a sandbox of its
    // own, in the background, and a probe still opening (not counted yet) or still running would
    // make the disconnect case's count of open sandboxes wrong. Probes have their own tests.
    judge = new Judge({ runner, versions: { source: { detect: async () => null } } });
  });
  afterAll(async () => {
    await judge?.close();
  });

  describe(`sessions on ${options.name}`, () => {
    it('round-trips a Python input() prompt on a terminal', async () => {
      const session = await judge.session({
        language: 'python3',
        source: 'name = input("name? ")\nprint("hi", name)\n',
        tty: true,
      });
      const out = reader(session);
      await out.until(/name\? $/);
      session.write('ada\r');
      const exit = await session.exit;
      await out.done;
      expect(out.text).toContain('hi ada');
      expect(exit).toMatchObject({ stage: 'run', exitCode: 0, signal: null, limitExceeded: null });
      expect(exit.memoryBytes).toBeGreaterThan(0);
    });

    it('delivers Ctrl-C to the program as SIGINT', async () => {
      const session = await judge.session({
        language: 'python3',
        source: [
          // os.write: a print in the handler could land inside the main print's flush (a reentrant call).
          'import os, signal, sys, time',
          'signal.signal(signal.SIGINT, lambda *a: (os.write(1, b"got SIGINT\\n"), sys.exit(7)))',
          'print("ready", flush=True)',
          'time.sleep(30)',
        ].join('\n'),
        tty: true,
      });
      const out = reader(session);
      await out.until(/ready/);
      session.write('\x03');
      const exit = await session.exit;
      await out.done;
      expect(out.text).toContain('got SIGINT');
      expect(exit.exitCode).toBe(7);
    });

    it('delivers a resize as SIGWINCH, and stty size shows it', async () => {
      const session = await judge.session({
        language: 'python3',
        source: [
          'import os, signal, subprocess, sys',
          'stty = lambda: subprocess.run(["stty", "size"], stdout=subprocess.PIPE, text=True).stdout.strip()',
          'signal.signal(signal.SIGWINCH, lambda *a: os.write(1, f"winch {stty()}\\n".encode()))',
          'print("size", stty(), flush=True)',
          'sys.stdin.readline()',
        ].join('\n'),
        tty: true,
        cols: 80,
        rows: 24,
      });
      const out = reader(session);
      await out.until(/size 24 80/);
      session.resize(132, 43);
      await out.until(/winch 43 132/);
      session.write('x\r');
      expect((await session.exit).exitCode).toBe(0);
    });

    it('passes the exit code through, on pipes with stdout and stderr apart', async () => {
      const session = await judge.session({
        language: 'python3',
        source: 'import sys\nline = sys.stdin.readline()\nprint("out", line.strip())\nprint("err", file=sys.stderr)\nsys.exit(42)\n',
      });
      const events: { stream: string; data: string }[] = [];
      const done = (async () => {
        for await (const e of session) if (e.type === 'data') events.push({ stream: e.stream, data: e.data });
      })();
      session.write('abc\n');
      const exit = await session.exit;
      await done;
      expect(exit).toMatchObject({ exitCode: 42, stage: 'run' });
      const text = (stream: string) =>
        events
          .filter((e) => e.stream === stream)
          .map((e) => e.data)
          .join('');
      expect(text('stdout')).toBe('out abc\n');
      expect(text('stderr')).toBe('err\n');
    });

    it('compiles a C program first, streaming both stages', async () => {
      const session = await judge.session({
        language: 'c',
        source: '#include <stdio.h>\nint main(void){char b[64]; if(!fgets(b,64,stdin)) return 1; printf("echo %s", b); return 5;}\n',
        tty: true,
      });
      const stages: string[] = [];
      let text = '';
      const done = (async () => {
        for await (const e of session) {
          if (e.type === 'stage') stages.push(e.stage);
          else text += e.data;
        }
      })();
      session.write('zz\r');
      const exit = await session.exit;
      await done;
      expect(stages).toEqual(['compile', 'run']);
      expect(text).toContain('echo zz');
      expect(exit).toMatchObject({ stage: 'run', exitCode: 5 });
    });

    it('kills the program within 1 s when the caller goes away', async () => {
      expect(open()).toBe(0);
      const controller = new AbortController();
      const session = await judge.session({
        language: 'python3',
        source: 'import os, time\nprint("pid", os.getpid(), flush=True)\ntime.sleep(60)\n',
        tty: true,
        signal: controller.signal,
      });
      try {
        const out = reader(session);
        await out.until(/pid/);
        expect(open()).toBe(1);
        const started = performance.now();
        controller.abort();
        const exit = await session.exit;
        expect(performance.now() - started).toBeLessThan(1000);
        expect(exit.signal).toBe('SIGKILL');
        expect(open()).toBe(0);
      } finally {
        // A failed assertion above must not leave a program sleeping into the next cases.
        controller.abort();
      }
    });

    it('keeps TIOCSTI inside the program’s own terminal', async () => {
      const session = await judge.session({
        language: 'python3',
        source: [
          'import fcntl, termios, sys',
          'try:',
          '    for ch in "injected\\n":',
          '        fcntl.ioctl(0, termios.TIOCSTI, ch.encode())',
          '    print("tiocsti: ok", flush=True)',
          'except OSError as e:',
          '    print("tiocsti: refused", e.errno, flush=True)',
          'print("read:", sys.stdin.readline().strip(), flush=True)',
        ].join('\n'),
        tty: true,
      });
      const out = reader(session);
      await out.until(/tiocsti: \w+/);
      session.write('typed\r');
      const exit = await session.exit;
      await out.done;
      if ((options.tiocsti ?? 'own-terminal') === 'own-terminal') {
        // The injected bytes came back to the program itself: its terminal is its own, never the judge's.
        expect(out.text).toContain('tiocsti: ok');
        expect(out.text).toContain('read: injected');
      } else {
        // Refused: nothing was injected anywhere, and the program reads what its caller typed.
        expect(out.text).toMatch(/tiocsti: refused \d+/);
        expect(out.text).toContain('read: typed');
      }
      expect(exit.exitCode).toBe(0);
    });

    it('ends a silent session at its idle timeout and a sleeper at its wall cap', async () => {
      const idle = await judge.session({ language: 'python3', source: 'input()', tty: true, idleTimeoutMs: 300 });
      expect(await idle.exit).toMatchObject({ limitExceeded: 'idle' });
      const wall = await judge.session({ language: 'python3', source: 'import time\ntime.sleep(60)', limits: { wallTimeMs: 500 } });
      const started = performance.now();
      expect(await wall.exit).toMatchObject({ limitExceeded: 'wall' });
      expect(performance.now() - started).toBeLessThan(3000);
    });

    it('ends the adversarial suite’s hostile programs, run as sessions, within their limits', async () => {
      const hostile: [string, string, string, object, string[]][] = [
        ['fork bomb', 'bash', 'f() { f | f & }\nf\nsleep 30', { processes: 16, wallTimeMs: 3000 }, ['processes', 'wall']],
        ['memory bomb', 'python3', 'a = []\nwhile True: a.append(bytearray(1 << 20))', { memoryBytes: 64 << 20 }, ['memory']],
        ['output flood', 'python3', 'while True: print("x" * 1000)', { outputBytes: 100_000 }, ['output']],
        ['never exiting', 'python3', 'while True: pass', { cpuTimeMs: 1000 }, ['cpu']],
      ];
      // Settled, not raced: a failure is reported once every hostile session has ended.
      const settled = await Promise.allSettled(
        hostile.map(async ([what, language, source, limits, expected]) => {
          const started = performance.now();
          const session = await judge.session({ language, source, tty: true, limits });
          let bytes = 0;
          for await (const e of session) if (e.type === 'data') bytes += e.data.length;
          const exit = await session.exit;
          expect(expected, `${what}: ${JSON.stringify(exit)}`).toContain(exit.limitExceeded);
          expect(performance.now() - started, what).toBeLessThan(15_000);
          if (what === 'output flood') expect(bytes).toBeLessThanOrEqual(100_000);
        }),
      );
      for (const r of settled) if (r.status === 'rejected') throw r.reason;
      expect(judge.runningSessions).toBe(0);
    });

    const count = options.concurrentSessions ?? 50;
    it(`keeps ${count} concurrent sessions responsive`, async () => {
      const sessions = await Promise.all(
        Array.from({ length: count }, () =>
          judge.session({ language: 'python3', source: 'print("ready", flush=True)\nprint("echo", input())', tty: true }),
        ),
      );
      expect(judge.runningSessions).toBe(count);
      const readers = sessions.map((s) => reader(s));
      await Promise.all(readers.map((r) => r.until(/ready/, 60_000)));
      const started = performance.now();
      for (const [i, s] of sessions.entries()) s.write(`n${i}\r`);
      await Promise.all(readers.map((r, i) => r.until(new RegExp(`echo n${i}\\b`), 30_000)));
      const answered = performance.now() - started;
      const exits = await Promise.all(sessions.map((s) => s.exit));
      expect(exits.every((e) => e.exitCode === 0)).toBe(true);
      // Every one answered its keystrokes within seconds on a 2-core machine.
      expect(answered).toBeLessThan(20_000);
      expect(judge.runningSessions).toBe(0);
    }, 180_000);
  });

  for (const [language, ext] of [
    ['python3', 'py'],
    ['cpp', 'cpp'],
  ] as const) {
    describe(`interactive problems in ${language}, on ${options.name}`, () => {
      const interactor = () => ({ language, source: example(`interactor.${ext}`) });
      const run = (solution: string, extra: object = {}) =>
        judge.run({ language, source: example(solution), interactor: interactor(), tests, limits: { wallTimeMs: 2000 }, ...extra });

      it('accepts a binary search, with the interactor’s stderr as the message', async () => {
        const result = await run(`binary-search.${ext}`);
        expect(result.verdict, JSON.stringify(result.message)).toBe('accepted');
        expect(result.tests.map((t) => t.verdict)).toEqual(['accepted', 'accepted', 'accepted']);
        expect(result.tests[0]!.message).toMatch(/found 37 in \d+ queries/);
      });

      it('gives a linear search wrong_answer at the query limit', async () => {
        const result = await run(`linear-search.${ext}`, { stopOnFirstFailure: true });
        expect(result.verdict).toBe('wrong_answer');
        expect(result.tests[0]).toMatchObject({ verdict: 'wrong_answer', message: 'more than 25 queries' });
      });

      it('ends a solution that never talks at its wall limit as time_limit_exceeded', async () => {
        const started = performance.now();
        const result = await run(`silent.${ext}`, { stopOnFirstFailure: true, limits: { wallTimeMs: 1000 } });
        expect(result.tests[0]).toMatchObject({ verdict: 'time_limit_exceeded' });
        expect(performance.now() - started).toBeLessThan(8000);
      });

      it('gives a flood whatever the interactor says', async () => {
        const result = await run(`flood.${ext}`, { stopOnFirstFailure: true });
        expect(result.tests[0]).toMatchObject({ verdict: 'wrong_answer', message: 'more than 25 queries' });
      });

      it('reports a crashing interactor as internal_error', async () => {
        const result = await judge.run({
          language,
          source: example(`binary-search.${ext}`),
          interactor: { language, source: example(`crashing-interactor.${ext}`) },
          tests: tests.slice(0, 1),
        });
        expect(result.verdict).toBe('internal_error');
        expect(result.message).toMatch(/interactor crashed/);
      });
    });
  }

  describe(`interactive problems, mixed, on ${options.name}`, () => {
    it('passes the expected output as argv[2] and a python interactor judges a C++ solution', async () => {
      const result = await judge.run({
        language: 'cpp',
        source: example('binary-search.cpp'),
        interactor: {
          language: 'python3',
          source: 'import sys\nprint(open(sys.argv[2]).read().strip(), file=sys.stderr)\nsys.exit(0 if len(sys.argv) == 3 else 3)\n',
        },
        tests: [{ input: '5 1\n', expectedOutput: 'the expected file\n' }],
      });
      expect(result.tests[0]).toMatchObject({ verdict: 'accepted', message: 'the expected file' });
    });
  });
}
