import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isJudgeError } from '../../errors/judge-error.js';
import type { ExecOutcome, Runner, Sandbox } from '../../runner/contract.js';
import { registerHostileCases } from './cases.js';
import type { AdversarialAllowances, AdversarialCaseId, AdversarialContext, FixtureSandbox } from './context.js';
import { type FixtureRunOptions, fixtureLanguage, fixtureLimits, prepareFixture, runPrepared } from './fixtures.js';
import { hashFiles, watchEventLoop, watchFreeDisk } from './host.js';

const MiB = 1024 * 1024;

/**
 * Measures, on the host, the memory a runner's sandboxes really hold (for the nsjail runner a
 * cgroup above every command's; for a container runner the container's cgroup), so that memory a
 * runner's own figure misses (shared mappings, memfds, files in a tmpfs) still shows.
 */
export interface HostMemoryProbe {
  /** Starts a measurement: what is held now is the baseline. Called just before each run of a fixture. */
  reset(): void | Promise<void>;
  /** Highest memory held since {@link HostMemoryProbe.reset}, above the baseline, in bytes. */
  peakBytes(): number | Promise<number>;
  /**
   * How far the peak may pass the run's `memoryBytes` limit: the runner's own processes
   * (nsjail, a supervisor, waiting launchers) are in the measured group too.
   * @defaultValue 33554432 (32 MiB)
   */
  slackBytes?: number;
}

/** What the suite needs from a runner package. */
export interface AdversarialSuiteOptions {
  /** Shown in the describe block: `runner adversarial suite: <name>`. */
  name: string;
  /** Creates the runner under test (once, before the cases). */
  createRunner(): Runner | Promise<Runner>;
  /**
   * What the runner's disposed sandboxes left on the host: work directories, cgroups,
   * containers, mounts, processes. Must be empty after every case, and after `close()`.
   */
  leftovers(): Promise<string[]>;
  /** Runs every fixture as a later command of its sandbox ({@link FixturePreparation.laterCommand}). @defaultValue false */
  laterCommand?: boolean;
  /**
   * Called with each sandbox after its fixture ran, before dispose; throws when the sandbox did
   * not run the way this variant of the suite means (e.g. not in the nsjail runner's warm jail).
   */
  checkSandbox?(box: Sandbox, fixture: string): void;
  /** Host files that must stay byte-identical. @defaultValue ['/etc/passwd', '/etc/hostname', '/etc/shadow', '/usr/bin/python3'] */
  watchedHostFiles?: string[];
  /**
   * Folders on the file systems where the runner keeps sandboxes' files (work directories,
   * container layers). Their free space is sampled during every case: it may never fall by more
   * than `diskSlackBytes`, even while the program runs. @defaultValue [os.tmpdir()]
   */
  diskPaths?: string[];
  /**
   * How much the free space of `diskPaths` may fall during a case (other processes on the
   * host write too). @defaultValue 536870912 (512 MiB)
   */
  diskSlackBytes?: number;
  /** The memory the host really sees, checked against each run's memory limit. */
  hostMemory?: HostMemoryProbe;
  /**
   * Lines only the runner's own machinery writes (a supervisor's report, an end marker, a
   * launcher's error). No program's stdout or stderr may contain one: a program that forged one
   * into the judge's channels, or a runner that leaked one, fails the case.
   */
  judgeMessages?: RegExp;
  /** Worst lateness of the test process's 20 ms timer while a case runs, in ms. @defaultValue 400 */
  maxEventLoopLagMs?: number;
  /** Differences the runner claims (each documented on {@link AdversarialAllowances}). */
  allowances?: AdversarialAllowances;
  /**
   * Cases this runner is known to fail today, each with the issue that tracks it. Such a case
   * still runs, as vitest's `it.fails`: it passes while the hole is open and fails the day it is
   * closed, so the entry must then go.
   */
  knownHoles?: Partial<Record<AdversarialCaseId, string>>;
  /** The runner's own cases, registered inside the suite's `describe` with its host checks. */
  cases?(context: AdversarialContext): void;
}

const defaultWatchedFiles = ['/etc/passwd', '/etc/hostname', '/etc/shadow', '/usr/bin/python3'];

/**
 * The adversarial suite: hostile programs (bombs, floods, escapes, attacks on the judge and its
 * supervisor) run in the real sandbox, each ending with a verdict about itself while the host
 * stays unharmed. After every case the suite checks, on the host: the judge's event loop stayed
 * responsive, watched host files are unchanged, the host's free disk never fell, the memory the
 * host saw stayed within each run's limit, no judge message appeared in a program's output, no
 * run failed as a sandbox error (`internal_error`), and nothing was left behind. Call it at the
 * top level of a vitest file, once per way the runner runs programs.
 *
 * @example
 * ```ts
 * import { runnerAdversarialSuite } from '@judgekit/core/testing'
 * let runner: MyRunner
 * runnerAdversarialSuite({
 *   name: 'my-runner',
 *   createRunner: () => (runner = new MyRunner()),
 *   leftovers: () => runner.leftovers(),
 *   allowances: { processLimitLabel: 'optional' },
 * })
 * ```
 */
export function runnerAdversarialSuite(options: AdversarialSuiteOptions): void {
  const canary = `JUDGEKIT_CANARY_${randomBytes(8).toString('hex')}`;
  const allowances: Required<AdversarialAllowances> = {
    processLimitLabel: 'required',
    bashForkBomb: 'full',
    nestedUserNamespace: false,
    ptraceTraceMe: false,
    diskInodes: 'enospc',
    sparseBlocks: 'allocated',
    hugePages: 'refused',
    ...options.allowances,
  };
  const watched = options.watchedHostFiles ?? defaultWatchedFiles;
  const memorySlack = options.hostMemory?.slackBytes ?? 32 * MiB;
  let runner: Runner | undefined;
  let hashes: Record<string, string> = {};
  let loop: { stop(): number } | undefined;
  let disk: ReturnType<typeof watchFreeDisk> | undefined;

  async function withFixture<T>(fixture: string, fn: (sandbox: FixtureSandbox) => Promise<T>): Promise<T> {
    const box = await runner!.open({ language: fixtureLanguage(fixture) });
    try {
      const language = await prepareFixture(box, fixture, { laterCommand: options.laterCommand });
      const run = async (opts: FixtureRunOptions = {}): Promise<ExecOutcome> => {
        const limits = fixtureLimits(language, opts.limits);
        await options.hostMemory?.reset();
        let out: ExecOutcome;
        try {
          out = await runPrepared(box, language, opts);
        } catch (error) {
          // A program earns a verdict about itself; a sandbox failure is the judge's internal_error.
          if (isJudgeError(error) && error.code !== 'JDG_ERR_OPERATION_ABORTED') {
            throw new Error(`internal_error caused by the program ${fixture}: ${error.code}: ${error.message}`, { cause: error });
          }
          throw error;
        }
        options.checkSandbox?.(box, fixture);
        if (options.judgeMessages) {
          expect(out.stdout, `a judge message in ${fixture}'s stdout`).not.toMatch(options.judgeMessages);
          expect(out.stderr, `a judge message in ${fixture}'s stderr`).not.toMatch(options.judgeMessages);
        }
        if (options.hostMemory) {
          const peak = await options.hostMemory.peakBytes();
          expect(peak, `memory the host saw for ${fixture} under a ${limits.memoryBytes}-byte limit`).toBeLessThanOrEqual(
            limits.memoryBytes + memorySlack,
          );
        }
        return out;
      };
      return await fn({ box, language, run });
    } finally {
      await box.dispose();
    }
  }

  const context: AdversarialContext = {
    runner: () => runner!,
    canary,
    run: (fixture, opts) => withFixture(fixture, (s) => s.run(opts)),
    withFixture,
    test(id, title, fn) {
      const hole = options.knownHoles?.[id as AdversarialCaseId];
      if (hole) it.fails(`${title} [known hole: ${hole}]`, fn);
      else it(title, fn);
    },
    allowances,
  };

  describe(`runner adversarial suite: ${options.name}`, () => {
    beforeAll(async () => {
      process.env.JUDGEKIT_TEST_CANARY = canary;
      hashes = hashFiles(watched);
      runner = await options.createRunner();
    });
    afterAll(async () => {
      delete process.env.JUDGEKIT_TEST_CANARY;
      await runner?.close();
      expect(await options.leftovers()).toEqual([]);
    });
    beforeEach(() => {
      loop = watchEventLoop();
      disk = watchFreeDisk(options.diskPaths ?? [tmpdir()]);
    });
    afterEach(async () => {
      // Host unharmed after every case: the judge's timer kept firing, host files are unchanged,
      // the disk never filled, and nothing of the sandbox is left.
      expect(loop!.stop(), 'worst event-loop lag, ms').toBeLessThan(options.maxEventLoopLagMs ?? 400);
      expect(hashFiles(watched)).toEqual(hashes);
      const slack = options.diskSlackBytes ?? 512 * MiB;
      for (const d of disk!.stop()) {
        expect(d.beforeBytes - d.lowestBytes, `free space of ${d.path} fell during the case by`).toBeLessThan(slack);
        expect(d.beforeBytes - d.afterBytes, `free space of ${d.path} after the case fell by`).toBeLessThan(slack);
      }
      expect(await options.leftovers()).toEqual([]);
    });

    registerHostileCases(context);
    options.cases?.(context);
  });
}
