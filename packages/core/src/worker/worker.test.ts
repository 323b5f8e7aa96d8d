import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { JudgeError } from '../errors/judge-error.js';
import type { JudgeEvent } from '../events/contract.js';
import { gate, until } from '../judge/gate.fixture.js';
import { Judge } from '../judge/judge.js';
import { FastqJobQueue } from '../queue/fastq-queue.js';
import { BaseRunner } from '../runner/base-runner.js';
import type { OperationOptions, RunnerHealth, Sandbox, SandboxEnvironment } from '../runner/contract.js';
import { type FakeProgram, FakeRunner } from '../runner/fake-runner.js';

const unavailable = () => new JudgeError('JDG_ERR_SANDBOX_UNAVAILABLE', 'engine down');

/** A runner whose engine can go down: open (and a running exec) fail as unavailable, health says so. */
class FlakyRunner extends FakeRunner {
  down = false;
  healthChecks = 0;
  constructor(program: FakeProgram) {
    super({
      program: async (request, files, options) => {
        if (this.down) throw unavailable();
        const out = await program(request, files, options);
        if (this.down) throw unavailable();
        return out;
      },
    });
  }
  override async open(environment: SandboxEnvironment, options?: OperationOptions): Promise<Sandbox> {
    if (this.down) throw unavailable();
    return super.open(environment, options);
  }
  override async health(): Promise<RunnerHealth> {
    this.healthChecks++;
    return { ready: !this.down, details: {}, problems: this.down ? [{ message: 'engine down' }] : [] };
  }
}

/**
 * A runner whose sandboxes take until `release()` to dispose; with `stoppable`, they offer
 * `stop()`, which resolves at once (their processes are gone, their removal is what waits).
 */
class SlowDisposeRunner extends BaseRunner {
  readonly name = 'slow-dispose';
  readonly #inner = new FakeRunner();
  readonly #holds: (() => void)[] = [];
  stops = 0;
  constructor(readonly stoppable = false) {
    super();
  }
  protected async openSandbox(environment: SandboxEnvironment): Promise<Sandbox> {
    const box = await this.#inner.open(environment);
    let disposing: Promise<void> | undefined;
    const dispose = (): Promise<void> =>
      (disposing ??= (async () => {
        await new Promise<void>((resolve) => this.#holds.push(resolve));
        await box.dispose();
      })());
    return {
      id: box.id,
      write: (f, o) => box.write(f, o),
      exec: (r, o) => box.exec(r, o),
      read: (p, o) => box.read(p, o),
      dispose,
      ...(this.stoppable
        ? {
            stop: async () => {
              this.stops++;
              void dispose();
            },
          }
        : {}),
      [Symbol.asyncDispose]: () => box.dispose(),
    };
  }
  async health(): Promise<RunnerHealth> {
    return { ready: true, details: {}, problems: [] };
  }
  get holding(): number {
    return this.#holds.length;
  }
  release(): void {
    for (const resolve of this.#holds.splice(0)) resolve();
  }
}

const input = (stdin: string) => ({ language: 'python3', source: 'x', stdin });

/** `judge.close()` waits for the `holding` disposals `runner` holds, and ends once they are released. */
async function expectCloseWaits(judge: Judge, runner: SlowDisposeRunner, holding: number): Promise<void> {
  const closing = judge.close();
  await sleep(20);
  expect(runner.holding).toBe(holding);
  runner.release();
  await closing;
  expect(runner.openSandboxes).toBe(0);
}

describe('Judge when its runner becomes unavailable', () => {
  it('fails only the submission running at the fault; queued ones wait, then run once the runner is back', async () => {
    const g = gate();
    const runner = new FlakyRunner(g.program);
    await using judge = new Judge({ runner, concurrency: 1, runnerFaults: { checkIntervalMs: 20 } });
    const a = await judge.submit(input('a'));
    await until(() => g.pending() === 1);
    const b = await judge.submit(input('b'));
    const c = await judge.submit(input('c'));
    runner.down = true;
    await g.release();
    expect(await judge.wait(a)).toMatchObject({ verdict: 'internal_error', message: /JDG_ERR_SANDBOX_UNAVAILABLE: engine down/ });
    await until(() => judge.stats().waitingForRunner === 1);
    expect(judge.ready()).toMatchObject({ ready: false, waitingForRunner: 1, runner: { available: false, reason: 'engine down' } });
    expect((await judge.health()).problems[0]!.message).toMatch(/unavailable since .*queued submissions wait/);
    expect((await judge.get(b)).status).toBe('queued');
    await sleep(80);
    expect((await judge.get(b)).status).toBe('queued');
    expect(runner.healthChecks).toBeGreaterThan(1);
    runner.down = false;
    await until(() => g.pending() === 1);
    expect(judge.ready()).toMatchObject({ ready: true, runner: { available: true } });
    await g.release();
    await until(() => g.pending() === 1);
    await g.release();
    expect((await judge.wait(b)).verdict).toBe('accepted');
    expect((await judge.wait(c)).verdict).toBe('accepted');
    expect(judge.stats().finished).toEqual({ internal_error: 1, accepted: 2 });
  });

  it('bounds the wait: past maxWaitMs a queued submission ends as internal_error naming the runner and the bound', async () => {
    const runner = new FlakyRunner(() => ({}));
    runner.down = true;
    await using judge = new Judge({ runner, concurrency: 1, runnerFaults: { maxWaitMs: 300, checkIntervalMs: 20 } });
    const started = Date.now();
    const result = await judge.run(input('x'));
    expect(result).toMatchObject({ status: 'done', verdict: 'internal_error', tests: [], startedAt: null });
    expect(result.message).toMatch(
      /^JDG_ERR_SANDBOX_UNAVAILABLE: The fake runner has been unavailable for \d+ s \(runnerFaults.maxWaitMs is 300\): engine down/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(295);
    // Submissions queued after the bound passed wait their own bound, not zero.
    const later = judge.run(input('y'));
    await sleep(20);
    runner.down = false;
    expect((await later).verdict).toBe('accepted');
  });

  it('pauses a queue that can pause while the runner is unavailable, and resumes it after', async () => {
    const calls: string[] = [];
    const queue = Object.assign(new FastqJobQueue({ concurrency: 1 }), {
      pause: () => void calls.push('pause'),
      resume: () => void calls.push('resume'),
    });
    const runner = new FlakyRunner(() => ({}));
    runner.down = true;
    await using judge = new Judge({ runner, queue, runnerFaults: { checkIntervalMs: 10 } });
    const running = judge.run(input('x'));
    await until(() => calls.length === 1);
    runner.down = false;
    expect((await running).verdict).toBe('accepted');
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('cancels a submission waiting for the runner', async () => {
    const runner = new FlakyRunner(() => ({}));
    runner.down = true;
    await using judge = new Judge({ runner, runnerFaults: { checkIntervalMs: 10 } });
    const id = await judge.submit(input('x'));
    await until(() => judge.stats().waitingForRunner === 1);
    expect((await judge.cancel(id)).status).toBe('cancelled');
    expect(judge.stats().waitingForRunner).toBe(0);
  });
});

describe('Judge disposing sandboxes after the verdict', () => {
  it('reports the verdict first, then disposes while still holding the slot', async () => {
    const runner = new SlowDisposeRunner();
    await using judge = new Judge({ runner, concurrency: 1 });
    const events: string[] = [];
    judge.on('event', (e: JudgeEvent) => events.push(`${e.id.slice(-4)} ${e.type}`));
    const a = await judge.submit(input('a'));
    const b = await judge.submit(input('b'));
    expect((await judge.wait(a)).verdict).toBe('accepted');
    await until(() => runner.holding === 1);
    expect(runner.openSandboxes).toBe(1);
    expect(judge.stats()).toMatchObject({ disposing: 1, running: 0 });
    expect((await judge.get(b)).status).toBe('queued');
    runner.release();
    expect((await judge.wait(b)).verdict).toBe('accepted');
    await until(() => runner.holding === 1);
    runner.release();
    await until(() => judge.stats().disposing === 0);
    expect(events.filter((e) => e.endsWith('done')).length).toBe(2);
    expect(judge.stats().disposeMsTotal).toBeGreaterThan(0);
  });

  it('frees the slot once a stoppable sandbox is stopped, with at most `concurrency` removals behind, and close() waits for them', async () => {
    const runner = new SlowDisposeRunner(true);
    const judge = new Judge({ runner, concurrency: 1 });
    const events: string[] = [];
    judge.on('event', (e: JudgeEvent) => e.type === 'done' && events.push(e.id));
    // a is stopped and its removal trails behind; b finds one removal in progress (the bound), so
    // its own removal holds the slot: c stays queued until a release.
    expect((await judge.run(input('a'))).verdict).toBe('accepted');
    expect((await judge.run(input('b'))).verdict).toBe('accepted');
    const c = await judge.submit(input('c'));
    await until(() => runner.holding === 2);
    expect(runner.stops).toBe(2);
    expect(judge.stats()).toMatchObject({ disposing: 2, disposeTimeouts: 0 });
    await sleep(20);
    expect((await judge.get(c)).status).toBe('queued');
    expect(runner.openSandboxes).toBe(2);
    runner.release();
    expect((await judge.wait(c)).verdict).toBe('accepted');
    await expectCloseWaits(judge, runner, 1);
    expect(events).toHaveLength(3);
  });

  it('frees the slot once a disposal passes disposeTimeoutMs, and counts it', async () => {
    const runner = new SlowDisposeRunner();
    const judge = new Judge({ runner, concurrency: 1, disposeTimeoutMs: 30 });
    await judge.run(input('a'));
    expect((await judge.run(input('b'))).verdict).toBe('accepted');
    expect(judge.stats()).toMatchObject({ disposeTimeouts: 1 });
    // close() still waits for the disposals that overran.
    await expectCloseWaits(judge, runner, 2);
  });
});
