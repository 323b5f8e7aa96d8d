import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type ExecOutcome, JudgeError, type Limits } from '@judgekit/core';
import type { CgroupHandle } from './cgroup.js';
import { type CommandWatch, classifyOutcome, failureLines, jailIoDir, OutputCapture, watchCommand } from './exec.js';
import type { JailLauncher } from './launcher.js';
import { forkerSources, supervisorSources } from './supervisor-source.js';

const MiB = 1024 * 1024;

/** @internal Where the helper built from exactly these sources lives under `base` (`.<name>-<hash>`). */
export function nativePath(base: string, name: string, sources: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const [file, text] of Object.entries(sources)) hash.update(`${file}\0${text}\0`);
  return join(base, `.${name}-${hash.digest('hex').slice(0, 12)}`);
}

/** @internal Where the supervisor built from this version of its source lives under `base`. */
export function supervisorPath(base: string): string {
  return nativePath(base, 'jk-jail', supervisorSources);
}

/**
 * @internal Compiles a native helper once per host (static, with the host's gcc) into `base`,
 * named by the hash of its sources (`main` is the file compiled); returns its path, or why there
 * is none.
 */
export async function ensureNative(
  base: string,
  name: string,
  sources: Readonly<Record<string, string>>,
  main: string,
): Promise<{ path: string } | { error: string }> {
  const path = nativePath(base, name, sources);
  if (existsSync(path)) return { path };
  const unique = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const folder = `${path}.${unique}.src`;
  const output = `${path}.${unique}.tmp`;
  try {
    mkdirSync(folder, { mode: 0o700 });
    for (const [file, text] of Object.entries(sources)) writeFileSync(join(folder, file), text, { mode: 0o600 });
    // Built once per host, off the hot path: execa gives the compiler's stderr in the error message. Loaded
    // only here and in health(), so a judge that never builds or probes does not carry its modules (about 14 MB resident).
    const { execa } = await import('execa');
    await execa('gcc', ['-O2', '-static', '-Wall', '-Wextra', '-o', output, join(folder, main)], {
      timeout: 60_000,
      stdin: 'ignore',
    });
    chmodSync(output, 0o755);
    renameSync(output, path);
    return { path };
  } catch (error) {
    return { error: `cannot compile ${name} with gcc -static: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(output, { force: true });
  }
}

/**
 * @internal Compiles the jail supervisor once per host (static, with the host's gcc) into
 * `base`, named by the hash of its source; returns its path, or why there is none (the runner
 * then starts one nsjail per command, as before).
 */
export async function ensureSupervisor(base: string): Promise<{ path: string } | { error: string }> {
  const built = await ensureNative(base, 'jk-jail', supervisorSources, 'jk-jail.c');
  return 'error' in built ? { error: built.error.replace('cannot compile jk-jail', 'cannot compile the jail supervisor') } : built;
}

/** @internal Compiles the forker (native/jk-forker.c) once per host, as the supervisor. */
export function ensureForker(base: string): Promise<{ path: string } | { error: string }> {
  return ensureNative(base, 'jk-forker', forkerSources, 'jk-forker.c');
}

/** One command for a warm jail. */
export interface JailCommand {
  argv: string[];
  env: Record<string, string>;
  stdin: Uint8Array;
  limits: Limits;
  signal: AbortSignal | undefined;
}

interface Report {
  exit: number;
  signal: number;
  wallUs: number;
  errno: number;
}

/** The command in flight: its output, the end markers seen, the supervisor's report. */
interface Pending {
  nonce: string;
  marker: Buffer;
  output: OutputCapture;
  held: { stdout: Buffer; stderr: Buffer };
  ended: { stdout: boolean; stderr: boolean };
  report: Report | null;
  finish: () => void;
}

const errnoNames: Record<number, string> = { 2: 'ENOENT', 8: 'ENOEXEC', 13: 'EACCES', 20: 'ENOTDIR', 40: 'ELOOP' };

/**
 * @internal A sandbox's long-lived jail: one nsjail whose PID 1 is the supervisor
 * (supervisor-source.ts), which starts each command of the submission after the first. The
 * namespaces, mounts and the cgroup are made once; a command then costs a fork and an exec
 * instead of a whole nsjail start (most of which is nsjail's own dynamic linking). Each
 * command is measured alone: the cgroup's counters are reset or read by difference. Nothing of a
 * command outlives it: the supervisor kills and reaps every other process of the jail before
 * it reports. On cgroup v1 the jail's group is the command's, its peak-memory counter reset per
 * command. On v2, whose `memory.peak` cannot be reset before kernel 6.12, the jail's group holds
 * a resting leaf (nsjail and the supervisor) and each command gets a fresh leaf beside it: the
 * supervisor is moved into it before it forks the program (so the program starts there, its
 * every child too), and back after, and the leaf goes with its counters read.
 */
export class WarmJail {
  readonly #launcher: JailLauncher;
  readonly #cgroup: CgroupHandle;
  readonly #ioDir: string;
  /** v2: the leaf where nsjail and the supervisor rest between commands. */
  #rest: CgroupHandle | null = null;
  /** Commands started in this jail. */
  #commandCount = 0;
  #supervisorPid = 0;
  #dead = false;
  #pending: Pending | null = null;
  #killing: Promise<void> | undefined;
  #markKilled: () => void = () => undefined;
  /**
   * Resolves once {@link WarmJail.kill} (or a destroy) has sent SIGKILL to every process of the
   * jail: none runs again, though its cgroup, folders and storage may remain.
   */
  readonly killed = new Promise<void>((resolve) => {
    this.#markKilled = resolve;
  });
  #log = '';

  private constructor(launcher: JailLauncher, ioDir: string) {
    this.#launcher = launcher;
    this.#cgroup = launcher.cgroup;
    this.#ioDir = ioDir;
  }

  get alive(): boolean {
    return !this.#dead;
  }

  /**
   * Whether nsjail still runs, asked of the kernel: a jail killed from outside (its forker
   * killed, taking it along) may not have been noticed by the judge yet. A zombie is dead.
   */
  running(): boolean {
    if (this.#dead) return false;
    try {
      const state = readFileSync(`/proc/${this.#launcher.child.pid}/stat`, 'utf8').split(') ')[1]![0];
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }

  /** Starts nsjail with the supervisor in `launcher`'s cgroup and waits until it is ready. */
  static async start(launcher: JailLauncher, argv: string[], ioDir: string): Promise<WarmJail> {
    const jail = new WarmJail(launcher, ioDir);
    await jail.#start(argv);
    return jail;
  }

  async #start(argv: string[]): Promise<void> {
    const launcher = this.#launcher;
    // v2: the shell launcher joins the jail's group by itself, then moves to the resting leaf
    // before it becomes nsjail (a forked launcher is only used on v1).
    if (this.#cgroup.version === 'v2') this.#rest = await restingLeaf(this.#cgroup, launcher.child.pid!);
    // A forked launcher's streams exist once it is open; a shell launcher's output cannot come
    // before this turn ends. Either way nothing is missed by listening after open().
    await launcher.open(argv);
    const child = launcher.child;
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      const onLog = (chunk: Buffer): void => {
        this.#onLog(chunk);
        if (this.#log.includes('[jk] ready\n')) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      (child.stdio[3] as Readable | undefined)?.on('data', onLog);
      void launcher.closed.then(() => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    void launcher.closed.then(() => {
      this.#dead = true;
      this.#pending?.finish();
    });
    child.stdout?.on('data', (chunk: Buffer) => this.#onOutput('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.#onOutput('stderr', chunk));
    if (!(await ready)) {
      const log = launcher.log();
      throw new Error(`the jail did not start: ${failureLines(log) || launcher.spawnError?.message || 'no log output'}`);
    }
    // The group holds nsjail and the supervisor now; everything else there later is a command's.
    const pids = await (this.#rest ?? this.#cgroup).pids();
    const supervisor = pids.find((pid) => pid !== child.pid);
    if (supervisor === undefined) throw new Error('the jail supervisor is not in its cgroup');
    this.#supervisorPid = supervisor;
    // A memory kill must choose the program, never the jail that reports on it.
    for (const pid of [child.pid!, supervisor]) {
      try {
        writeFileSync(`/proc/${pid}/oom_score_adj`, '-1000');
      } catch {
        // without it the OOM killer still prefers the (larger) program
      }
    }
    this.#launcher.hold(false);
  }

  #onLog(chunk: Buffer): void {
    this.#log += chunk.toString('utf8');
    const pending = this.#pending;
    if (pending && !pending.report) {
      const at = this.#log.indexOf(`[jk] ${pending.nonce} `);
      const end = at < 0 ? -1 : this.#log.indexOf('\n', at);
      if (end >= 0) {
        const line = this.#log.slice(at, end);
        const num = (key: string): number => Number(new RegExp(`\\b${key}=(-?\\d+)`).exec(line)?.[1] ?? Number.NaN);
        pending.report = { exit: num('exit'), signal: num('signal'), wallUs: num('wall_us'), errno: num('errno') };
        this.#log = this.#log.slice(end + 1);
        pending.finish();
      }
    }
    // Keep only a tail of nsjail's own lines, for the message of a failure.
    if (this.#log.length > 64 * 1024) this.#log = this.#log.slice(-32 * 1024);
  }

  /** Forwards a command's output, holding back as many bytes as its end marker is long. */
  #onOutput(name: 'stdout' | 'stderr', chunk: Buffer): void {
    const pending = this.#pending;
    if (!pending || pending.ended[name]) return;
    const buf = pending.held[name].length > 0 ? Buffer.concat([pending.held[name], chunk]) : chunk;
    const m = pending.marker.length;
    if (buf.length >= m && buf.subarray(buf.length - m).equals(pending.marker)) {
      if (buf.length > m) pending.output.push(name, buf.subarray(0, buf.length - m));
      pending.held[name] = Buffer.alloc(0);
      pending.ended[name] = true;
      pending.finish();
      return;
    }
    if (buf.length > m) pending.output.push(name, buf.subarray(0, buf.length - m));
    pending.held[name] = Buffer.from(buf.subarray(Math.max(0, buf.length - m)));
  }

  /** Runs one command in the jail and measures it. */
  async run(cmd: JailCommand): Promise<ExecOutcome> {
    if (this.#dead) throw new Error('the jail has ended');
    // v1: the jail's own group, its counters reset; v2: a fresh leaf for this command alone.
    const count = ++this.#commandCount;
    const cgroup = this.#rest ? await this.#cgroup.child(`c${count}`) : this.#cgroup;
    try {
      return await this.#runIn(cgroup, cmd);
    } finally {
      if (this.#rest) {
        try {
          if (!this.#dead) this.#rest.move(this.#supervisorPid);
        } catch {
          // the jail ended meanwhile
        }
        await cgroup.remove().catch(() => undefined);
      }
    }
  }

  async #runIn(cgroup: CgroupHandle, cmd: JailCommand): Promise<ExecOutcome> {
    const { limits } = cmd;
    const stdinFile = join(this.#ioDir, 'stdin');
    writeFileSync(stdinFile, cmd.stdin, { mode: 0o644 });
    // As with one nsjail per command, nsjail's own process is in the group and counted; so are
    // the supervisor (a few hundred KiB) and whatever a previous command of the same
    // submission left in /tmp.
    // Files earlier commands of the submission left in /box and /tmp stay charged to the jail's
    // group (in an nsjail of its own they would not be): the command gets its whole limit above
    // them, and its peak is reported above them (they are bounded by diskBytes).
    // Before a jail's first command nothing in it has written a file: nothing is held.
    const heldBytes = this.#commandCount === 1 ? 0 : cgroup.shmemBytes();
    await cgroup.applyLimits({ memoryBytes: limits.memoryBytes + heldBytes, pids: limits.processes + 2 });
    // v2: the program forked from here starts in the leaf, and so does all it starts.
    if (this.#rest) cgroup.move(this.#supervisorPid);
    cgroup.markStart();

    const nonce = randomBytes(16).toString('hex');
    // Started once the command is sent; output cannot come before.
    let watch: CommandWatch | undefined;
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const pending: Pending = {
      nonce,
      marker: Buffer.from(`\x1e${nonce}\x1f`),
      output: new OutputCapture(limits.outputBytes, () => watch?.kill('output')),
      held: { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) },
      ended: { stdout: false, stderr: false },
      report: null,
      finish: () => {
        if (this.#dead || (pending.report && pending.ended.stdout && pending.ended.stderr)) resolveDone();
      },
    };
    this.#pending = pending;
    this.#launcher.hold(true);

    const fields = [
      nonce,
      `${jailIoDir}/stdin`,
      String(Math.max(1, Math.ceil(limits.cpuTimeMs / 1000)) + 1),
      String(limits.fileSizeBytes),
      String(limits.openFiles),
      String(limits.processes + 16),
      String(Math.max(8, Math.ceil(limits.memoryBytes / MiB)) * MiB),
      String(cmd.argv.length),
      ...cmd.argv,
      String(Object.keys(cmd.env).length),
      ...Object.entries(cmd.env).map(([k, v]) => `${k}=${v}`),
    ];
    const payload = Buffer.from(`${fields.join('\0')}\0`, 'utf8');
    const started = performance.now();
    this.#launcher.child.stdin!.write(Buffer.concat([Buffer.from(`JK1 ${payload.length}\n`), payload]));

    watch = watchCommand({
      cgroup,
      limits,
      signal: cmd.signal,
      startedAt: started,
      spare: [this.#launcher.child.pid!, this.#supervisorPid],
      // The supervisor reports once the program is gone; if it does not, the jail goes.
      giveUp: () => void this.destroy(),
    });

    await done;
    watch.stop();
    const killReason = watch.reason;
    this.#pending = null;
    try {
      unlinkSync(stdinFile);
    } catch {
      // already gone with the jail's folder
    }
    if (!this.#dead) this.#launcher.hold(false);

    const measured = await cgroup.usage();
    const usage = { ...measured, peakMemoryBytes: Math.max(0, measured.peakMemoryBytes - heldBytes) };
    const report = pending.report;
    if (killReason === 'abort') {
      throw new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: cmd.signal?.reason });
    }
    if (report && report.errno > 0) {
      const what =
        report.errno === 2
          ? 'command not found in the sandbox'
          : `cannot start the command (${errnoNames[report.errno] ?? `errno ${report.errno}`})`;
      throw new JudgeError('JDG_ERR_SANDBOX_FAILED', `nsjail could not run the command: [judgekit] ${what}: ${cmd.argv[0]}`, {
        details: { errno: report.errno },
      });
    }
    if (!report && !killReason && usage.oomKills === 0) {
      throw new JudgeError(
        'JDG_ERR_SANDBOX_FAILED',
        `The sandbox's jail ended during the command: ${failureLines(this.#log) || 'no log output'}`,
        {
          details: { log: this.#log.slice(-8192) },
        },
      );
    }
    const exitCode = !report ? null : report.signal > 0 ? 128 + report.signal : report.exit;
    const judgeWallMs = Math.round((performance.now() - started) * 1000) / 1000;
    // The supervisor's clock starts at its fork, after the judge's wall timer started: a command
    // the judge ended at its wall limit is reported with the judge's own (longer) figure, so a
    // wall verdict never shows less than the limit.
    const wallTimeMs = !report
      ? judgeWallMs
      : killReason === 'wall'
        ? Math.max(Math.round(report.wallUs) / 1000, judgeWallMs)
        : Math.round(report.wallUs) / 1000;
    return classifyOutcome({
      exitCode,
      killReason,
      usage,
      wallTimeMs,
      limits,
      output: pending.output,
      // v2 kernels before 5.19 have no memory.peak: the watch's samples stand in.
      sampledPeakBytes: watch.sampledPeakBytes,
    });
  }

  /**
   * Kills everything of the jail but nsjail, which then reaps the supervisor and exits, so no
   * process is left a zombie for the host's init to reap (the supervisor also ends by itself when
   * its channel closes). Resolves once each has been sent SIGKILL: none runs again. Idempotent.
   */
  kill(): Promise<void> {
    this.#killing ??= (async () => {
      this.#dead = true;
      this.#pending?.finish();
      this.#launcher.child.stdin?.end();
      await this.#cgroup.killAll([this.#launcher.child.pid!]);
    })().finally(this.#markKilled);
    return this.#killing;
  }

  /** Ends the jail: nsjail, the supervisor and anything left in its cgroup. */
  async destroy(): Promise<void> {
    await this.kill();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#launcher.closed, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    await this.#launcher.discard();
  }
}

/**
 * @internal v2: makes `jail`'s resting leaf and moves the launcher (`pid`, about to become nsjail)
 * into it, then delegates the controllers to the jail's children (a group that delegates may hold
 * no process itself) and lifts the jail group's own limits (each command's leaf has its own).
 * The launcher first joins `jail` by itself; it is waited for, or it could join after the move.
 */
export async function restingLeaf(jail: CgroupHandle, pid: number): Promise<CgroupHandle> {
  for (let i = 0; !(await jail.pids()).includes(pid); i++) {
    if (i >= 1000) throw new Error('the launcher did not join its cgroup');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const rest = await jail.child('jail');
  rest.move(pid);
  jail.delegate();
  jail.clearLimits();
  return rest;
}
