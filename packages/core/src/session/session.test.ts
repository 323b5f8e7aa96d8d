import { describe, expect, it } from 'vitest';
import { isJudgeError } from '../errors/judge-error.js';
import { Judge } from '../judge/judge.js';
import { FakeRunner, type FakeSpawnProgram } from '../runner/fake-runner.js';
import type { Session, SessionEvent } from './session.js';

async function collect(session: Session): Promise<SessionEvent[]> {
  const events: SessionEvent[] = [];
  for await (const e of session) events.push(e);
  return events;
}

const text = (events: SessionEvent[], stage = 'run'): string =>
  events
    .filter((e) => e.type === 'data' && e.stage === stage)
    .map((e) => (e as { data: string }).data)
    .join('');

const judgeWith = (spawn: FakeSpawnProgram, sessions = {}) => new Judge({ runner: new FakeRunner({ spawn }), sessions });

describe('judge.session', () => {
  it('streams a program’s output and delivers its input, then reports its exit', async () => {
    await using judge = judgeWith((_r, io) => {
      io.output('stdout', 'name? ');
      io.onInput = (data) => {
        if (data) io.output('stdout', `hi ${Buffer.from(data).toString().trim()}\n`);
        else io.exit({ exitCode: 3, cpuTimeMs: 4 });
      };
    });
    const session = await judge.session({ language: 'python3', source: 'x' });
    const events = collect(session);
    session.write('ada\n');
    session.end();
    const exit = await session.exit;
    expect(exit).toMatchObject({ stage: 'run', exitCode: 3, signal: null, cpuTimeMs: 4, limitExceeded: null });
    const seen = await events;
    expect(seen[0]).toEqual({ type: 'stage', stage: 'run' });
    expect(text(seen)).toBe('name? hi ada\n');
    expect(judge.runningSessions).toBe(0);
  });

  it('compiles first, streaming the compiler’s output, and holds input written meanwhile', async () => {
    const argvs: string[][] = [];
    await using judge = judgeWith((r, io) => {
      argvs.push(r.argv);
      if (r.argv[0] === 'gcc') {
        io.output('stderr', 'warning: x\n');
        setTimeout(() => io.exit(), 20);
        return;
      }
      io.onInput = (data) => (data ? io.output('stdout', data) : io.exit());
    });
    const session = await judge.session({ language: 'c', source: 'int main(){}' });
    session.write('early\n');
    session.end();
    const seen = await collect(session);
    expect((await session.exit).stage).toBe('run');
    expect(argvs.map((a) => a[0])).toEqual(['gcc', './main']);
    expect(seen.filter((e) => e.type === 'stage').map((e) => e.stage)).toEqual(['compile', 'run']);
    expect(seen.find((e) => e.type === 'data' && e.stage === 'compile')).toMatchObject({ stream: 'stderr', data: 'warning: x\n' });
    expect(text(seen)).toBe('early\n');
  });

  it('ends at the compile stage when the compile fails', async () => {
    await using judge = judgeWith((r, io) => {
      io.output('stderr', 'error: y\n');
      io.exit({ exitCode: r.argv[0] === 'gcc' ? 1 : 0 });
    });
    const session = await judge.session({ language: 'c', source: 'bad' });
    const seen = await collect(session);
    expect(await session.exit).toMatchObject({ stage: 'compile', exitCode: 1 });
    expect(seen.filter((e) => e.type === 'stage').map((e) => e.stage)).toEqual(['compile']);
  });

  it('ends a silent session at its idle timeout', async () => {
    await using judge = judgeWith(() => {});
    const session = await judge.session({ language: 'python3', source: 'x', idleTimeoutMs: 50 });
    const started = performance.now();
    expect(await session.exit).toMatchObject({ limitExceeded: 'idle', signal: 'SIGKILL' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('stops a flood at the output volume, passing on no more than the limit', async () => {
    await using judge = judgeWith((_r, io) => {
      const flood = (): void => {
        io.output('stdout', 'x'.repeat(4096));
        setImmediate(flood);
      };
      flood();
    });
    const session = await judge.session({ language: 'python3', source: 'x', limits: { outputBytes: 10_000 } });
    const seen = await collect(session);
    expect((await session.exit).limitExceeded).toBe('output');
    expect(text(seen).length).toBe(10_000);
  });

  it('slows output down to the configured rate instead of passing a burst on at once', async () => {
    await using judge = judgeWith(
      (_r, io) => {
        for (let i = 0; i < 30; i++) io.output('stdout', 'y'.repeat(1000));
        io.exit();
      },
      { outputRateBytesPerSecond: 10_000 },
    );
    const session = await judge.session({ language: 'python3', source: 'x' });
    const started = performance.now();
    const seen = await collect(session);
    // 20 000 bytes of burst, then 10 000 bytes at 10 000 B/s: about a second.
    expect(performance.now() - started).toBeGreaterThan(700);
    expect(text(seen).length).toBe(30_000);
  });

  it('decodes a character split between two chunks whole', async () => {
    await using judge = judgeWith((_r, io) => {
      const euro = Buffer.from('€');
      io.output('stdout', euro.subarray(0, 1));
      io.output('stdout', euro.subarray(1));
      io.exit();
    });
    const session = await judge.session({ language: 'python3', source: 'x' });
    expect(text(await collect(session))).toBe('€');
  });

  it('passes signals and resizes to the program', async () => {
    const told: string[] = [];
    await using judge = judgeWith((r, io) => {
      told.push(`tty ${r.tty?.cols}x${r.tty?.rows}`);
      io.onResize = (s) => told.push(`resize ${s.cols}x${s.rows}`);
      io.onSignal = (name) => {
        told.push(name);
        if (name === 'SIGINT') io.exit({ exitCode: 130 });
      };
    });
    const session = await judge.session({ language: 'python3', source: 'x', tty: true, cols: 90, rows: 20 });
    await new Promise((r) => setTimeout(r, 10));
    session.resize(100, 30);
    session.kill('SIGINT');
    expect((await session.exit).exitCode).toBe(130);
    expect(told).toEqual(['tty 90x20', 'resize 100x30', 'SIGINT']);
    expect(() => session.kill('SIGBOGUS' as never)).toThrow(/not one of/);
  });

  it('kills the program when the session’s signal aborts', async () => {
    await using judge = judgeWith(() => {});
    const controller = new AbortController();
    const session = await judge.session({ language: 'python3', source: 'x', signal: controller.signal });
    controller.abort();
    expect(await session.exit).toMatchObject({ signal: 'SIGKILL', limitExceeded: null });
  });

  it('caps sessions per judge and per key, and frees a slot when one ends', async () => {
    await using judge = judgeWith(() => {}, { maxSessions: 2, maxPerKey: 1 });
    const a = await judge.session({ language: 'python3', source: 'x' }, { key: 'k1' });
    const refusedKey = await judge.session({ language: 'python3', source: 'x' }, { key: 'k1' }).catch((e: unknown) => e);
    expect(isJudgeError(refusedKey, 'JDG_ERR_SESSION_LIMIT')).toBe(true);
    const b = await judge.session({ language: 'python3', source: 'x' }, { key: 'k2' });
    const refusedAll = await judge.session({ language: 'python3', source: 'x' }).catch((e: unknown) => e);
    expect(isJudgeError(refusedAll, 'JDG_ERR_SESSION_LIMIT')).toBe(true);
    a.kill();
    await a.exit;
    const c = await judge.session({ language: 'python3', source: 'x' }, { key: 'k1' });
    b.kill();
    c.kill();
    await Promise.all([b.exit, c.exit]);
    expect(judge.runningSessions).toBe(0);
  });

  it('refuses bad input with coded errors and starts nothing', async () => {
    await using judge = judgeWith(() => {}, { maxIdleTimeoutMs: 1000, maxLimits: { wallTimeMs: 10_000 } });
    const cases: [unknown, string][] = [
      [{ language: 'python3' }, 'JDG_ERR_INPUT_INVALID'],
      [{ language: 'python3', source: 'x', cols: 0, tty: true }, 'JDG_ERR_INPUT_INVALID'],
      [{ language: 'nope', source: 'x' }, 'JDG_ERR_LANGUAGE_UNKNOWN'],
      [{ language: 'python3', source: 'x', limits: { wallTimeMs: 20_000 } }, 'JDG_ERR_LIMIT_EXCEEDS_MAX'],
      [{ language: 'python3', source: 'x', idleTimeoutMs: 5000 }, 'JDG_ERR_LIMIT_EXCEEDS_MAX'],
    ];
    for (const [input, code] of cases) {
      const error = await judge.session(input as never).catch((e: unknown) => e);
      expect(isJudgeError(error, code as never), `${JSON.stringify(input)} → ${code}`).toBe(true);
    }
    expect(judge.runningSessions).toBe(0);
  });
});
