import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bash,
  buildCommand,
  c,
  defaultCompileLimits,
  defaultLimits,
  type ExecOutcome,
  isJudgeError,
  type LanguageDefinition,
  type Limits,
  python3,
  type Runner,
  type Sandbox,
} from '@judgekit/core';
import { expect, it } from 'vitest';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

const byExtension: Record<string, LanguageDefinition> = { '.c': c, '.py': python3, '.sh': bash };

/** The language of a fixture, from its extension. */
export function languageOf(fixture: string): LanguageDefinition {
  const language = byExtension[fixture.slice(fixture.lastIndexOf('.'))];
  if (!language) throw new Error(`no language for fixture ${fixture}`);
  return language;
}

/** With `warmUp`, prepare() makes sure the fixture runs as a later command of its sandbox (in the warm jail). */
export const harnessMode = { warmUp: false };

/**
 * Writes a fixture as the language's source file and compiles it when the language needs it;
 * in warm-up mode an interpreted fixture gets a first command (`true`) so that it runs second.
 */
export async function prepare(box: Sandbox, fixture: string): Promise<LanguageDefinition> {
  const language = languageOf(fixture);
  await box.write([{ path: language.sourceFile, content: readFileSync(join(fixtures, fixture)) }]);
  if (language.compile) {
    const limits = { ...defaultCompileLimits, ...language.compileLimits };
    const out = await box.exec({
      argv: buildCommand(language.compile, { limits, args: [], sourceFile: language.sourceFile }),
      limits,
      env: language.env,
    });
    if (out.exitCode !== 0) throw new Error(`fixture ${fixture} failed to compile: ${out.stderr}`);
  } else if (harnessMode.warmUp) {
    const out = await box.exec({ argv: ['true'], limits: defaultLimits });
    if (out.exitCode !== 0) throw new Error(`the first command of ${fixture}'s sandbox failed: ${out.stderr}`);
  }
  return language;
}

/** Runs a prepared fixture once in `box`. */
export function runIn(
  box: Sandbox,
  language: LanguageDefinition,
  opts: { limits?: Partial<Limits>; args?: string[]; stdin?: string; signal?: AbortSignal } = {},
): Promise<ExecOutcome> {
  const limits = { ...defaultLimits, ...language.runLimits, ...opts.limits };
  return box.exec(
    {
      argv: buildCommand(language.run, { limits, args: opts.args ?? [], sourceFile: language.sourceFile }),
      stdin: opts.stdin,
      limits,
      env: language.env,
    },
    { signal: opts.signal },
  );
}

/** Opens a sandbox, prepares and runs a fixture, disposes the sandbox. */
export async function runFixture(
  runner: Runner,
  fixture: string,
  opts: { limits?: Partial<Limits>; args?: string[]; stdin?: string; signal?: AbortSignal } = {},
): Promise<ExecOutcome> {
  const box = await runner.open({ language: languageOf(fixture) });
  try {
    const language = await prepare(box, fixture);
    const out = await runIn(box, language, opts);
    const inner = (box as { inner?: { warm?: boolean; warmError?: string } }).inner;
    if (harnessMode.warmUp && !inner?.warm) throw new Error(`${fixture} did not run in a warm jail: ${inner?.warmError ?? 'it ended'}`);
    return out;
  } finally {
    await box.dispose();
  }
}

/**
 * Watches the test process's event loop: a 20 ms interval records how late it fires. The host
 * is responsive when the worst lateness stays small while a hostile program runs.
 */
export function watchEventLoop(): { stop(): number } {
  const periodMs = 20;
  let last = performance.now();
  let worstLagMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worstLagMs = Math.max(worstLagMs, now - last - periodMs);
    last = now;
  }, periodMs);
  return {
    stop() {
      clearInterval(timer);
      return worstLagMs;
    },
  };
}

/** Host pids whose effective uid is in `[first, first + count)`: sandbox processes still alive. */
export function processesWithUids(first: number, count: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1]);
      if (uid >= first && uid < first + count) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/**
 * The accuracy bounds every runner meets (both runner packages register them inside their own
 * `describe`): a 1,000 ms cpu limit reports 1,000–1,150 ms; `sleep(5)` under a 1,000 ms wall limit
 * ends within 1,300 ms of measured wall time (and within `hostBoundMs` as the test sees it);
 * touching 100 MiB reports 100–120 MiB; a memory bomb is `memory`; `abort()` is SIGABRT; wall
 * time has sub-millisecond resolution.
 */
export function accuracyCases(runner: () => Runner, { hostBoundMs }: { hostBoundMs: number }): void {
  const MiB = 1024 * 1024;
  it('ends a busy loop at a 1,000 ms cpu limit and reports 1,000-1,150 ms of cpu', async () => {
    const out = await runFixture(runner(), 'busy-loop.c', { limits: { cpuTimeMs: 1000, wallTimeMs: 5000 } });
    expect(out.limitExceeded).toBe('cpu');
    expect(out.cpuTimeMs).toBeGreaterThanOrEqual(1000);
    expect(out.cpuTimeMs).toBeLessThanOrEqual(1150);
  });

  it('ends sleep(5) under a 1,000 ms wall limit within 1,300 ms', async () => {
    const started = performance.now();
    const out = await runFixture(runner(), 'sleep-5s.py', { limits: { wallTimeMs: 1000 } });
    expect(out.limitExceeded).toBe('wall');
    expect(out.wallTimeMs).toBeGreaterThanOrEqual(1000);
    expect(out.wallTimeMs).toBeLessThanOrEqual(1300);
    expect(out.cpuTimeMs).toBeLessThan(500);
    expect(performance.now() - started).toBeLessThan(hostBoundMs);
  });

  it('reports a peak of 100-120 MiB for a program that touches 100 MiB', async () => {
    const out = await runFixture(runner(), 'touch-100mb.c', { limits: { memoryBytes: 256 * MiB } });
    expect(out).toMatchObject({ exitCode: 0, limitExceeded: null });
    expect(out.memoryBytes).toBeGreaterThanOrEqual(100 * MiB);
    expect(out.memoryBytes).toBeLessThanOrEqual(120 * MiB);
  });

  it('reports a program above a 64 MiB limit as memory, not a runtime error', async () => {
    const out = await runFixture(runner(), 'memory-bomb.c', { limits: { memoryBytes: 64 * MiB } });
    expect(out.limitExceeded).toBe('memory');
    expect(out.signal).toBe('SIGKILL');
    expect(out.memoryBytes).toBeLessThanOrEqual(64 * MiB);
    expect(out.memoryBytes).toBeGreaterThan(48 * MiB);
  });

  it('reports abort() as SIGABRT because the program is not PID 1', async () => {
    const out = await runFixture(runner(), 'abort.c');
    expect(out).toMatchObject({ exitCode: null, signal: 'SIGABRT', limitExceeded: null });
  });

  it('measures wall time with sub-millisecond resolution', async () => {
    const out = await runFixture(runner(), 'sleep-5s.py', { limits: { wallTimeMs: 250 } });
    expect(out.limitExceeded).toBe('wall');
    expect(Number.isInteger(out.wallTimeMs)).toBe(false);
  });
}

/**
 * Hostile programs that every runner must contain with the same outcome: memory and output
 * bombs, sleeping forever, processes that outlive the program, host secrets and the judge's
 * environment (`canary` is a variable set in the judge's environment), the network, writes
 * outside the sandbox, a full /tmp, a million files, exhausted descriptors. Each runner's suite
 * registers these inside its own `describe`, whose `afterEach` checks the host.
 */
export function hostileCases(runner: () => Runner, canary: string): void {
  const MiB = 1024 * 1024;
  it('kills a memory bomb at the memory limit', async () => {
    const out = await runFixture(runner(), 'memory-bomb.c', { limits: { memoryBytes: 128 * MiB } });
    expect(out.limitExceeded).toBe('memory');
    expect(out.memoryBytes).toBeLessThanOrEqual(128 * MiB);
  });

  it('kills a program writing 10 GB to stdout at the output cap, the judge’s memory staying flat', async () => {
    const rssBefore = process.memoryUsage().rss;
    const out = await runFixture(runner(), 'stdout-10gb.c', { limits: { outputBytes: 4 * MiB, wallTimeMs: 20_000 } });
    expect(out.limitExceeded).toBe('output');
    expect(out.stdoutTruncated).toBe(true);
    expect(out.stdout.length).toBe(4 * MiB);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * MiB);
  });

  it('kills a stderr flood while stdout stays idle', async () => {
    const out = await runFixture(runner(), 'stderr-flood.py', { limits: { outputBytes: 1 * MiB, wallTimeMs: 20_000 } });
    expect(out.limitExceeded).toBe('output');
    expect(out.stderrTruncated).toBe(true);
    expect(out.stdout).toBe('');
    expect(Buffer.byteLength(out.stderr)).toBeLessThanOrEqual(1 * MiB);
  });

  it('ends a program that sleeps forever at the wall limit', async () => {
    const out = await runFixture(runner(), 'sleep-forever.py', { limits: { wallTimeMs: 800 } });
    expect(out.limitExceeded).toBe('wall');
    expect(out.wallTimeMs).toBeLessThan(1300);
  });

  it('kills a background process that outlives the main one, ending the run when main exits', async () => {
    const out = await runFixture(runner(), 'outliving-child.sh', { limits: { wallTimeMs: 10_000, cpuTimeMs: 5000 } });
    expect(out).toMatchObject({ exitCode: 0, stdout: 'main done\n', limitExceeded: null });
    expect(out.wallTimeMs).toBeLessThan(2000);
  });

  it('kills a daemon that escaped with setsid', async () => {
    const out = await runFixture(runner(), 'setsid-daemon.py', { limits: { wallTimeMs: 10_000 } });
    expect(out).toMatchObject({ exitCode: 0, stdout: 'daemon started\n', limitExceeded: null });
    expect(out.wallTimeMs).toBeLessThan(3000);
  });

  it('cannot read /etc/shadow or other host secrets', async () => {
    const out = await runFixture(runner(), 'read-shadow.py');
    expect(out.exitCode).toBe(0);
    for (const line of out.stdout.trim().split('\n')) expect(line).toMatch(/ refused \d+$/);
  });

  it('never sees the judge’s environment', async () => {
    const out = await runFixture(runner(), 'read-environment.py');
    expect(out.exitCode).toBe(0);
    expect(out.stdout).not.toContain(canary);
    expect(out.stdout).not.toContain('JUDGEKIT_TEST_CANARY');
    expect(out.stdout).toContain("'PATH'");
  });

  it('cannot connect to a port on the host’s 127.0.0.1 nor to an outside address', async () => {
    let reached = false;
    const server = net.createServer((s) => {
      reached = true;
      s.end('reached\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const out = await runFixture(runner(), 'connect-out.py', { args: [String(port)], limits: { wallTimeMs: 15_000 } });
      expect(out.stdout).toBe('blocked 127.0.0.1\nblocked 1.1.1.1\nblocked 8.8.8.8\nno dns\n');
      expect(reached).toBe(false);
    } finally {
      server.close();
    }
  });

  it('cannot write under /usr, /etc or the host’s /tmp', async () => {
    const name = `judgekit-probe-${randomBytes(6).toString('hex')}`;
    const out = await runFixture(runner(), 'write-host-paths.py', { args: [name] });
    expect(out.stdout).toContain('refused /usr/judgekit-probe');
    expect(out.stdout).toContain('refused /etc/judgekit-probe');
    expect(out.stdout).toContain('refused /usr/bin/python3');
    // Its /tmp is a private tmpfs: the write succeeds there and never reaches the host's.
    expect(existsSync(join('/tmp', name))).toBe(false);
    expect(existsSync(join(tmpdir(), name))).toBe(false);
    expect(existsSync('/usr/judgekit-probe')).toBe(false);
    expect(existsSync('/etc/judgekit-probe')).toBe(false);
  });

  it('stops at the size of its /tmp when filling it', async () => {
    const out = await runFixture(runner(), 'fill-tmp.py', {
      limits: { memoryBytes: 512 * MiB, fileSizeBytes: 256 * MiB, wallTimeMs: 10_000 },
    });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/stopped after 6[0-4] MiB: No space left on device/);
  });

  it('creates at most what its limits allow when making a million files, and all are removed', async () => {
    const out = await runFixture(runner(), 'million-files.c', { limits: { wallTimeMs: 3000, cpuTimeMs: 3000 } });
    expect(out.limitExceeded === null || out.limitExceeded === 'wall' || out.limitExceeded === 'cpu').toBe(true);
    // afterEach checks the work directory was removed.
  });

  it('runs out of file descriptors at the open-files limit', async () => {
    const out = await runFixture(runner(), 'exhaust-fds.py', { limits: { openFiles: 64 } });
    expect(out.exitCode).toBe(0);
    const stopped = Number(/stopped at (\d+)/.exec(out.stdout)?.[1]);
    expect(stopped).toBeLessThanOrEqual(64);
    expect(out.stdout).toContain('Too many open files');
  });

  it('never lets the host follow a symlink planted in the work directory', async () => {
    const hostDir = join(tmpdir(), `judgekit-host-${randomBytes(6).toString('hex')}`);
    mkdirSync(hostDir);
    const hostFile = join(hostDir, 'precious.txt');
    writeFileSync(hostFile, 'host data\n');
    writeFileSync(join(hostDir, 'keep.txt'), 'keep\n');
    try {
      const box = await runner().open({ language: python3 });
      try {
        const language = await prepare(box, 'plant-symlinks.py');
        const out = await runIn(box, language, { args: [hostFile, hostDir] });
        expect(out.stdout).toBe('planted\n');
        await expect(box.read('result.txt')).rejects.toSatisfy((e: unknown) => isJudgeError(e, 'JDG_ERR_SANDBOX_PATH_INVALID'));
        await expect(box.read('cache/keep.txt')).rejects.toSatisfy((e: unknown) => isJudgeError(e, 'JDG_ERR_SANDBOX_PATH_INVALID'));
        await expect(box.read('root/etc/passwd')).rejects.toSatisfy((e: unknown) => isJudgeError(e, 'JDG_ERR_SANDBOX_PATH_INVALID'));
        await expect(box.write([{ path: 'result.txt', content: 'overwritten' }])).rejects.toSatisfy((e: unknown) =>
          isJudgeError(e, 'JDG_ERR_SANDBOX_PATH_INVALID'),
        );
        await expect(box.write([{ path: 'cache/new.txt', content: 'x' }])).rejects.toSatisfy((e: unknown) =>
          isJudgeError(e, 'JDG_ERR_SANDBOX_PATH_INVALID'),
        );
      } finally {
        await box.dispose();
      }
      // Clean-up unlinked the links and never followed them into the host folder.
      expect(readFileSync(hostFile, 'utf8')).toBe('host data\n');
      expect(readdirSync(hostDir).sort()).toEqual(['keep.txt', 'precious.txt']);
      expect(lstatSync(hostFile).uid).toBe(0);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });
}
