import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { type ExecOutcome, JudgeError, type LimitKind, type Limits } from '@judgekit/core';
import type { CgroupHandle, CgroupUsage } from './cgroup.js';
import type { Launcher } from './launcher.js';
import { seccompPolicy } from './seccomp.js';
import type { ResolvedMount } from './toolchain.js';

const MiB = 1024 * 1024;

/** @internal Everything needed to run one command in nsjail. */
export interface NsjailCommand {
  nsjail: string;
  argv: string[];
  stdin: Uint8Array;
  env: Record<string, string>;
  limits: Limits;
  /** Host folder bound at /box (the work directory, in the sandbox's tmpfs). */
  workDir: string;
  /** Host folder bound at /tmp (in the same tmpfs, so both share the disk bound). */
  tmpDir: string;
  uid: number;
  gid: number;
  mounts: ResolvedMount[];
  devices: readonly string[];
  /**
   * The jk-jail supervisor (host path) and the outside uid it runs as: with it, PID 1 of the jail
   * is jk-jail under a uid of its own, out of the program's reach; without it (no gcc on the
   * host), an init shell under the program's uid.
   */
  supervisor: { path: string; uid: number } | null;
  cgroup: CgroupHandle;
  signal: AbortSignal | undefined;
}

/** Inside uid/gid of the program: `nobody`, mapped to a distinct unprivileged uid outside. */
const insideId = 65534;
/** Inside uid/gid of the supervisor, mapped to an unprivileged uid of its own outside. */
const supervisorInsideId = 0;
/** All the supervisor keeps: to become the program, and to kill what a command leaves behind. */
const supervisorCaps = ['CAP_SETUID', 'CAP_SETGID', 'CAP_KILL'];

// Without the supervisor: PID 1 of a pid namespace ignores signals it sends itself (abort()
// would not end it), so a shell is PID 1 and the program its child. fd 3 is nsjail's log pipe,
// passed in so that a missing command is reported as a sandbox failure, then closed by the shell
// itself before the program starts (it shares the program's uid: /proc/1/fd/3 must not exist).
const initScript = [
  'ulimit -f "$JK_FSIZE_BLOCKS" || exit 125',
  'unset JK_FSIZE_BLOCKS',
  'command -v "$1" >/dev/null 2>&1 || { echo "[judgekit] command not found in the sandbox: $1" >&3; exit 127; }',
  'echo "judgekit-init: started" >&3',
  'exec 3>&-',
  '"$@"',
  'exit $?',
].join('\n');

/** @internal Where a warm jail's per-command stdin files come from (a host path). */
export interface JailMounts {
  ioDir: string;
}

/** @internal Path of the supervisor inside a warm jail, and of the folder of its stdin files. */
export const jailSupervisorPath = '/.jk/jk-jail';
export const jailIoDir = '/.jk/io';

/**
 * @internal nsjail's argv (argv[0] is nsjail itself): for one command, or with `jail` for a warm
 * jail whose supervisor runs every command of the sandbox. A jail's own limits are ceilings the
 * supervisor lowers per command (a process cannot raise them back); time is the judge's to keep.
 */
export function buildArgv(cmd: NsjailCommand, jail?: JailMounts): string[] {
  const { limits } = cmd;
  const seconds = (ms: number): string => String(Math.max(1, Math.ceil(ms / 1000)) + 1);
  const perCommand = (value: string, ceiling: string): string => (jail ? ceiling : value);
  const args: string[] = [
    cmd.nsjail,
    '--mode',
    'o',
    '--quiet',
    '--log_fd',
    '3',
    '--pass_fd',
    '3',
    '--hostname',
    'judgekit',
    // With the supervisor the first mapping is its own: nsjail starts it as that uid.
    ...(cmd.supervisor
      ? [
          '--user',
          `${supervisorInsideId}:${cmd.supervisor.uid}:1`,
          '--user',
          `${insideId}:${cmd.uid}:1`,
          '--group',
          `${supervisorInsideId}:${cmd.supervisor.uid}:1`,
          '--group',
          `${insideId}:${cmd.gid}:1`,
          ...supervisorCaps.flatMap((cap) => ['--cap', cap]),
        ]
      : ['--user', `${insideId}:${cmd.uid}:1`, '--group', `${insideId}:${cmd.gid}:1`]),
    '--time_limit',
    jail ? '0' : seconds(limits.wallTimeMs),
    // nsjail's default is 5; a judged program runs at the priority a bare one would, so its wall
    // time on a busy host is comparable (the judge itself is not starved: CFS shares fairly).
    '--nice_level',
    '0',
    // Every rlimit explicitly: nsjail's defaults (1 MB files, 32 descriptors, 4 GB address
    // space) are not ours. Memory is held by the cgroup, not RLIMIT_AS, which breaks the
    // JVM's and Go's address-space reservations.
    '--rlimit_as',
    'inf',
    '--rlimit_core',
    '0',
    '--rlimit_cpu',
    perCommand(seconds(limits.cpuTimeMs), 'max'),
    '--rlimit_fsize',
    perCommand(String(Math.max(1, Math.ceil(limits.fileSizeBytes / MiB))), 'max'),
    '--rlimit_nofile',
    perCommand(String(limits.openFiles), 'max'),
    // Above the cgroup's pids limit, so the cgroup refuses first and counts the refusal.
    '--rlimit_nproc',
    perCommand(String(limits.processes + 16), 'max'),
    '--rlimit_stack',
    perCommand(String(Math.max(8, Math.ceil(limits.memoryBytes / MiB))), 'max'),
    '--rlimit_memlock',
    '0',
    '--rlimit_rtprio',
    '0',
    '--rlimit_msgqueue',
    '0',
    '--seccomp_string',
    seccompPolicy(),
  ];
  for (const m of cmd.mounts) {
    if (m.kind === 'bind') args.push('--bindmount_ro', m.source === m.path ? m.path : `${m.source}:${m.path}`);
    else args.push('--symlink', `${m.target}:${m.path}`);
  }
  for (const device of cmd.devices) args.push('--bindmount_ro', device);
  if (cmd.supervisor) args.push('--bindmount_ro', `${cmd.supervisor.path}:${jailSupervisorPath}`);
  if (jail) args.push('--bindmount_ro', `${jail.ioDir}:${jailIoDir}`);
  args.push(
    '--symlink',
    '/proc/self/fd:/dev/fd',
    '--symlink',
    '/proc/self/fd/0:/dev/stdin',
    '--symlink',
    '/proc/self/fd/1:/dev/stdout',
    '--symlink',
    '/proc/self/fd/2:/dev/stderr',
    '--bindmount',
    `${cmd.workDir}:/box`,
    // The supervisor cannot enter the program's 0700 /box: it starts each program there itself.
    '--cwd',
    cmd.supervisor ? '/' : '/box',
    '--bindmount',
    `${cmd.tmpDir}:/tmp`,
  );
  // A jail's commands bring their own environment, argv and limits (native/jk-jail.c).
  if (jail) {
    if (!cmd.supervisor) throw new Error('a warm jail needs the supervisor');
    args.push('--', jailSupervisorPath);
    return args;
  }
  for (const [key, value] of Object.entries(cmd.env)) args.push('--env', `${key}=${value}`);
  if (cmd.supervisor) {
    args.push('--', jailSupervisorPath, 'once', String(limits.fileSizeBytes), ...cmd.argv);
    return args;
  }
  args.push('--env', `JK_FSIZE_BLOCKS=${Math.max(1, Math.ceil(limits.fileSizeBytes / 512))}`);
  args.push('--', '/bin/sh', '-c', initScript, 'sh', ...cmd.argv);
  return args;
}

const signalNames: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  16: 'SIGSTKFLT',
  17: 'SIGCHLD',
  18: 'SIGCONT',
  19: 'SIGSTOP',
  20: 'SIGTSTP',
  21: 'SIGTTIN',
  22: 'SIGTTOU',
  23: 'SIGURG',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
  26: 'SIGVTALRM',
  27: 'SIGPROF',
  28: 'SIGWINCH',
  29: 'SIGIO',
  30: 'SIGPWR',
  31: 'SIGSYS',
};

/** @internal Drops an incomplete UTF-8 character left at the end of a cut buffer, so decoding adds no replacement bytes. */
export function trimPartialUtf8(buf: Buffer): Buffer {
  let i = buf.length - 1;
  let continuation = 0;
  // Step back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  while (i >= 0 && continuation < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return buf;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return continuation + 1 < need ? buf.subarray(0, i) : buf;
}

/** Captures stdout+stderr under one shared byte cap, counting while streaming. */
export class OutputCapture {
  readonly chunks: { stdout: Buffer[]; stderr: Buffer[] } = { stdout: [], stderr: [] };
  readonly truncated = { stdout: false, stderr: false };
  #total = 0;

  constructor(
    private readonly capBytes: number,
    private readonly onCap: () => void,
  ) {}

  attach(stream: Readable, name: 'stdout' | 'stderr'): void {
    stream.on('data', (chunk: Buffer) => this.push(name, chunk));
  }

  /** Takes one chunk of a stream's output. */
  push(name: 'stdout' | 'stderr', chunk: Buffer): void {
    const room = this.capBytes - this.#total;
    if (room <= 0) {
      // Already full: drop, and make sure the program is stopped.
      if (chunk.length > 0) this.#overflow(name);
      return;
    }
    if (chunk.length > room) {
      this.chunks[name].push(chunk.subarray(0, room));
      this.#total += room;
      this.#overflow(name);
      return;
    }
    this.chunks[name].push(chunk);
    this.#total += chunk.length;
  }

  #overflow(name: 'stdout' | 'stderr'): void {
    this.truncated[name] = true;
    this.onCap();
  }

  text(name: 'stdout' | 'stderr'): string {
    const buf = Buffer.concat(this.chunks[name]);
    return (this.truncated[name] ? trimPartialUtf8(buf) : buf).toString('utf8');
  }
}

/** @internal Why the judge stopped a command. */
export type KillReason = LimitKind | 'abort';

/** nsjail's own warning and error lines, for the message of a sandbox failure. */
export function failureLines(log: string): string {
  const lines = log
    .split('\n')
    .filter((l) => /^\[[EFW]\]/.test(l) || l.startsWith('[judgekit]'))
    .filter((l) => !l.includes('logParams()'));
  return (lines.length > 0 ? lines : log.split('\n').filter(Boolean).slice(-3)).join('\n');
}

/** @internal The judge's side of a running command's limits (see {@link watchCommand}). */
export interface CommandWatch {
  /** The first limit (or abort) that stopped the command, once one did. */
  readonly reason: KillReason | null;
  /** Highest memory charge sampled (cgroup v2 kernels without `memory.peak`), in bytes. */
  readonly sampledPeakBytes: number;
  kill(reason: KillReason): void;
  /** The command has ended: no more kills, timers or listeners. */
  stop(): void;
}

let cores = 0;
/** The host's usable CPUs (asked once: a system call per command is not worth a changed affinity). */
const hostCores = (): number => (cores ||= Math.max(1, availableParallelism()));

/**
 * @internal Keeps a command inside its wall and cpu limits and honours `signal`: a wall timer, a
 * cpu poll of the cgroup that sharpens as the limit nears, and a kill of every process in the
 * group but `spare`. A limit of a few ms can fire before the program exists, so the kill repeats
 * every 10 ms until {@link CommandWatch.stop}; if the command has not ended a second later,
 * `giveUp` ends it by force. Shared by one nsjail per command and the warm jail.
 */
export function watchCommand(opts: {
  cgroup: CgroupHandle;
  limits: Limits;
  signal: AbortSignal | undefined;
  spare: readonly number[];
  giveUp: () => void;
  /** `performance.now()` when the command started (its wall time counts from it). @defaultValue now */
  startedAt?: number;
}): CommandWatch {
  const { cgroup, limits, signal, spare } = opts;
  let reason: KillReason | null = null;
  let stopped = false;
  let sampledPeakBytes = 0;
  const timers: NodeJS.Timeout[] = [];
  const kill = (why: KillReason): void => {
    // Once is enough: a flood past the output cap calls this for every chunk until it dies.
    if (stopped || reason) return;
    reason = why;
    void cgroup.killAll(spare);
    timers.push(setInterval(() => void cgroup.killAll(spare), 10));
    timers.push(setTimeout(opts.giveUp, 1000));
  };
  // Against the clock the wall time is measured with: a libuv timer counts from the loop's
  // cached time and can fire a few ms early on a busy loop, so it re-arms for what is left.
  const deadline = (opts.startedAt ?? performance.now()) + limits.wallTimeMs;
  const wallTimer = (): void => {
    const left = deadline - performance.now();
    if (left > 0) timers.push(setTimeout(wallTimer, Math.max(1, Math.ceil(left))));
    else kill('wall');
  };
  timers.push(setTimeout(wallTimer, limits.wallTimeMs));
  const cpuLimitNs = limits.cpuTimeMs * 1e6;
  const cores = hostCores();
  const pollCpu = async (): Promise<void> => {
    if (stopped || reason) return;
    const [used, memoryNow] = await Promise.all([
      cgroup.cpuNs(),
      // v2 kernels before 5.19 have no memory.peak: sampling is the fallback.
      cgroup.version === 'v2' ? cgroup.currentMemoryBytes() : 0,
    ]);
    sampledPeakBytes = Math.max(sampledPeakBytes, memoryNow);
    if (stopped || reason) return;
    if (used >= cpuLimitNs) {
      kill('cpu');
      return;
    }
    // The group cannot use more than `cores` ms of CPU per ms of wall time, so nothing can
    // cross the limit before this delay; polling gets finer only as the limit nears.
    timers.push(setTimeout(() => void pollCpu(), Math.min(100, Math.max(2, (cpuLimitNs - used) / 1e6 / cores))));
  };
  timers.push(setTimeout(() => void pollCpu(), Math.min(100, Math.max(2, limits.cpuTimeMs / cores))));
  const onAbort = (): void => kill('abort');
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    get reason() {
      return reason;
    },
    get sampledPeakBytes() {
      return sampledPeakBytes;
    },
    kill,
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * @internal Runs one command in nsjail inside its cgroup and turns what happened into data. The
 * launcher was started ahead of time and already sits in the cgroup: moving a process between
 * cgroups waits for an RCU grace period (v1), which is thus paid before the command, not in it.
 */
export async function runNsjail(cmd: NsjailCommand, launcher: Launcher): Promise<ExecOutcome> {
  const child = launcher.child;
  cmd.cgroup.markStart();
  const started = performance.now();
  launcher.start(buildArgv(cmd), cmd.stdin);
  const watch = watchCommand({
    cgroup: cmd.cgroup,
    limits: cmd.limits,
    signal: cmd.signal,
    startedAt: started,
    // nsjail is spared so it reports the status; if it does not exit soon after, it goes too.
    spare: [child.pid!],
    giveUp: () => {
      void cmd.cgroup.killAll();
      child.kill('SIGKILL');
    },
  });
  const output = new OutputCapture(cmd.limits.outputBytes, () => watch.kill('output'));
  output.attach(child.stdout!, 'stdout');
  output.attach(child.stderr!, 'stderr');

  const exitCode = await launcher.closed;
  watch.stop();
  const killReason = watch.reason;
  const wallTimeMs = Math.round(((launcher.exitedAt || performance.now()) - started) * 1000) / 1000;

  const usage = await cmd.cgroup.usage();
  const log = launcher.log();

  if (killReason === 'abort') {
    throw new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: cmd.signal?.reason });
  }
  if (launcher.spawnError) {
    throw new JudgeError('JDG_ERR_SANDBOX_FAILED', `Could not start the sandbox launcher: ${launcher.spawnError.message}`, {
      cause: launcher.spawnError,
    });
  }

  // nsjail runs quiet (warnings and errors only) and exits with its child's status: the init
  // shell's exit code, which is the program's, or 128+N when a signal N ended it. The init writes
  // a line to nsjail's log pipe when it starts the program; without that line nsjail's own setup
  // failed (a mount, the seccomp policy: exit 255 after its [E]/[F] lines) and nothing ran.
  const programStarted = log.includes('judgekit-init: started');
  const sandboxFailed =
    log.includes('[judgekit]') || (!programStarted && !killReason) || (exitCode === null && !killReason && usage.oomKills === 0);
  if (sandboxFailed) {
    throw new JudgeError(
      'JDG_ERR_SANDBOX_FAILED',
      `nsjail could not run the command (exit ${exitCode ?? 'by signal'}): ${failureLines(log) || 'no log output'}`,
      { details: { nsjailExitCode: exitCode, log: log.slice(-8192) } },
    );
  }
  return classifyOutcome({
    exitCode,
    killReason,
    usage,
    wallTimeMs,
    limits: cmd.limits,
    output,
    sampledPeakBytes: watch.sampledPeakBytes,
  });
}

/** @internal What a finished command left behind, for {@link classifyOutcome}. */
export interface FinishedCommand {
  /** The shell's exit status (128+N for signal N), or null when it was killed outright. */
  exitCode: number | null;
  killReason: KillReason | null;
  usage: CgroupUsage;
  wallTimeMs: number;
  limits: Limits;
  output: OutputCapture;
  sampledPeakBytes: number;
}

/** @internal Turns what a command did and used into the runner contract's outcome. */
export function classifyOutcome({
  exitCode,
  killReason,
  usage,
  wallTimeMs,
  limits,
  output,
  sampledPeakBytes,
}: FinishedCommand): ExecOutcome {
  let programExit: number | null = null;
  let programSignal: string | null = null;
  if (exitCode === null) programSignal = 'SIGKILL';
  else if (exitCode > 128 && exitCode <= 128 + 64) programSignal = signalNames[exitCode - 128] ?? `SIG${exitCode - 128}`;
  else programExit = exitCode;

  const cpuTimeMs = Math.round(usage.cpuNs / 1e3) / 1e3;
  // Which limit to report: the output cap and a memory kill stop the program outright; a refused
  // fork or thread comes next, even when the program then runs into its time limit (a bash fork
  // bomb retries its forks until then) or copes and exits 0; then cpu and wall time.
  let limitExceeded: LimitKind | null = null;
  if (killReason === 'output') limitExceeded = 'output';
  else if (usage.oomKills > 0) limitExceeded = 'memory';
  else if (usage.pidsRefused > 0) limitExceeded = 'processes';
  else if (killReason && killReason !== 'abort') limitExceeded = killReason;
  else if (programSignal === 'SIGXFSZ') limitExceeded = 'filesize';
  else if ((programSignal === 'SIGKILL' || programSignal === 'SIGXCPU') && cpuTimeMs >= limits.cpuTimeMs) limitExceeded = 'cpu';
  // nsjail's own -t backstop fired (the judge's timer should have been first).
  else if (programSignal === 'SIGKILL' && wallTimeMs >= limits.wallTimeMs) limitExceeded = 'wall';
  else if (programExit !== 0 && programExit !== null && /File too large/.test(output.text('stderr'))) limitExceeded = 'filesize';

  return {
    exitCode: programExit,
    signal: programSignal,
    stdout: output.text('stdout'),
    stderr: output.text('stderr'),
    stdoutTruncated: output.truncated.stdout,
    stderrTruncated: output.truncated.stderr,
    cpuTimeMs,
    wallTimeMs,
    memoryBytes: Math.max(usage.peakMemoryBytes, sampledPeakBytes),
    limitExceeded,
  };
}
