import type { LanguageDefinition } from '../../languages/definition.js';
import type { ExecOutcome, Runner, Sandbox } from '../../runner/contract.js';
import type { FixtureRunOptions } from './fixtures.js';

/** Ids of the suite's cases, for {@link AdversarialSuiteOptions.knownHoles}. */
export const adversarialCaseIds = [
  'fork-bomb-c',
  'fork-bomb-bash',
  'thread-bomb',
  'memory-bomb',
  'stdout-flood',
  'stderr-flood',
  'sleep-forever',
  'outliving-child',
  'setsid-daemon',
  'host-secrets',
  'judge-environment',
  'network',
  'host-writes',
  'fill-tmp',
  'million-files',
  'exhaust-fds',
  'planted-symlinks',
  'ptrace-parent',
  'mount',
  'kill-all',
  'traces',
  'disk-fill',
  'disk-across-tests',
  'disk-inodes',
  'sparse-file',
  'fallocate',
  'hard-links',
  'dev-shm',
  'memory-kinds-measured',
  'memory-shared',
  'memory-memfd',
  'memory-tmpfs',
  'kernel-features',
  'short-forks-cpu',
  'attack-supervisor',
] as const;

/** One case of the adversarial suite. */
export type AdversarialCaseId = (typeof adversarialCaseIds)[number];

/**
 * Documented differences a runner may claim, each relaxing one expectation of the suite. Every
 * allowance names the property that still holds.
 */
export interface AdversarialAllowances {
  /**
   * Whether a contained fork or thread bomb must be reported as `limitExceeded: 'processes'`.
   * `optional` for runners that sample process counts (gVisor) and may miss the moment: the bomb
   * must still end, within its limits, with nothing left behind.
   * @defaultValue 'required'
   */
  processLimitLabel?: 'required' | 'optional';
  /**
   * The bash fork bomb: `full` keeps its main shell alive until the wall limit, so the bomb
   * always reaches the process limit; `brief` lets the main shell leave once its own children
   * do, the orphans racing the end of the run (where forks are slow, as under gVisor).
   * @defaultValue 'full'
   */
  bashForkBomb?: 'full' | 'brief';
  /**
   * `unshare(CLONE_NEWUSER)` may succeed because the sandbox has a kernel of its own (gVisor):
   * the new namespace gives no power outside it. Mounting stays refused.
   * @defaultValue false
   */
  nestedUserNamespace?: boolean;
  /**
   * How the `diskInodes` bound holds. `enospc`: creating a file past it fails with `ENOSPC`.
   * `kill`: for runners whose file system cannot bound inodes (gVisor's tmpfs ignores
   * `nr_inodes`): the run is killed within a sampling interval of passing the bound, with
   * `limitExceeded: 'disk'`.
   * @defaultValue 'enospc'
   */
  diskInodes?: 'enospc' | 'kill';
  /**
   * A sparse file's `st_blocks`: `allocated` (0 for a hole), or `apparent` where the file system
   * reports the size (gVisor's tmpfs); either way the hole must not count against `diskBytes`.
   * @defaultValue 'allocated'
   */
  sparseBlocks?: 'allocated' | 'apparent';
  /**
   * `MAP_HUGETLB` and `SHM_HUGETLB`: `refused`, or `ordinary` where the sandbox's own kernel gives
   * ordinary pages, counted against the memory limit like any other (gVisor).
   * @defaultValue 'refused'
   */
  hugePages?: 'refused' | 'ordinary';
  /**
   * `PTRACE_TRACEME` may succeed (a sandbox kernel of its own); attaching to the parent stays refused.
   * @defaultValue false
   */
  ptraceTraceMe?: boolean;
}

/** One sandbox holding a prepared fixture, for cases that run it several times or touch its files. */
export interface FixtureSandbox {
  readonly box: Sandbox;
  readonly language: LanguageDefinition;
  /** Runs the fixture once more, with the suite's per-run checks. */
  run(opts?: FixtureRunOptions): Promise<ExecOutcome>;
}

/** What a case gets from the suite. */
export interface AdversarialContext {
  /** The runner under test. */
  runner(): Runner;
  /** A random value the suite puts in the judge's environment as `JUDGEKIT_TEST_CANARY`: no sandbox may see it. */
  readonly canary: string;
  /** Opens a sandbox, prepares the fixture and runs it once with the suite's checks, then disposes it. */
  run(fixture: string, opts?: FixtureRunOptions): Promise<ExecOutcome>;
  /** Opens a sandbox with `fixture` prepared, hands it to `fn`, and disposes it afterwards. */
  withFixture<T>(fixture: string, fn: (sandbox: FixtureSandbox) => Promise<T>): Promise<T>;
  /** Registers a case; a case listed in `knownHoles` is registered as `it.fails`. */
  test(id: AdversarialCaseId | string, title: string, fn: () => Promise<void>): void;
  /** The runner's allowances, with their defaults filled in. */
  readonly allowances: Required<AdversarialAllowances>;
}
