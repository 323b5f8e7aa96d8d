import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import type { CgroupHandle } from './cgroup.js';
import type { JailLauncher, LaunchedChild } from './launcher.js';

/** What a launch reports when it ends: the wait status and the CPU of the process it started. */
export interface LaunchExit {
  /** Exit code, or null when a signal ended it (or the forker died, taking it along). */
  code: number | null;
  /** CPU time of the started process and the children it reaped, in µs (0 when unknown). */
  cpuUs: number;
}

interface Waiting {
  resolve(words: string[]): void;
  reject(error: Error): void;
}

/**
 * @internal The runner's process starter (native/jk-forker.c): one small static process, started
 * once, that starts nsjail for pre-started jails and mounts and unmounts sandbox storage, so the
 * judge never forks its own (grown) address space for them. A forker that dies is noticed at
 * once: what it was doing fails, its jails die with it (their parent-death signal), and the
 * runner starts another on next need (or falls back to spawning).
 */
export class Forker {
  readonly #child: ChildProcess;
  readonly #dir: string;
  readonly #waiting = new Map<number, Waiting>();
  readonly #exits = new Map<number, (exit: LaunchExit) => void>();
  #next = 0;
  #buffer = '';
  #dead = false;
  /** Requests and launches in flight: while any is, the channel keeps the judge's loop alive. */
  #busy = 0;

  private constructor(child: ChildProcess, dir: string) {
    this.#child = child;
    this.#dir = dir;
  }

  get alive(): boolean {
    return !this.#dead;
  }

  /** Starts the forker at `binary`, its FIFOs in `dir` (created, mode 0700, removed on exit). */
  static start(binary: string, dir: string): Promise<Forker> {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o700 });
    const child = spawn(binary, [dir], { stdio: ['pipe', 'pipe', 'ignore'], env: {} });
    const forker = new Forker(child, dir);
    return new Promise((resolve, reject) => {
      let ready = false;
      child.on('error', (error) => {
        forker.#die(error);
        if (!ready) reject(error);
      });
      child.on('exit', (code, signal) => {
        forker.#die(new Error(`the forker exited (${signal ?? code})`));
        if (!ready) reject(new Error(`the forker exited at start (${signal ?? code})`));
      });
      child.stdin!.on('error', () => undefined);
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (text: string) => {
        forker.#buffer += text;
        let nl = forker.#buffer.indexOf('\n');
        while (nl >= 0) {
          const line = forker.#buffer.slice(0, nl);
          forker.#buffer = forker.#buffer.slice(nl + 1);
          if (!ready) {
            if (line === 'ready') {
              ready = true;
              forker.#setRef();
              resolve(forker);
            }
          } else forker.#onLine(line);
          nl = forker.#buffer.indexOf('\n');
        }
      });
    });
  }

  #onLine(line: string): void {
    const words = line.split(' ');
    const id = Number(words[0]);
    if (words[1] === 'exit') {
      const onExit = this.#exits.get(id);
      this.#exits.delete(id);
      this.#busy--;
      this.#setRef();
      const status = Number(words[2]);
      // A wait status: exited (low 7 bits 0) with its code in bits 8-15, or ended by a signal.
      const code = (status & 0x7f) === 0 ? (status >> 8) & 0xff : null;
      onExit?.({ code, cpuUs: Number(words[3]) + Number(words[4]) });
      return;
    }
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    this.#busy--;
    this.#setRef();
    if (words[1] === 'err') {
      const errno = Number(words[2]);
      const error = new Error(`the forker's request failed (errno ${errno})`) as NodeJS.ErrnoException;
      error.errno = errno;
      error.code = errnoCodes[errno] ?? `E${errno}`;
      waiting.reject(error);
    } else waiting.resolve(words.slice(1));
  }

  #die(error: Error): void {
    if (this.#dead) return;
    this.#dead = true;
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
    // Every jail it started got SIGKILL with it (parent-death signal).
    for (const onExit of this.#exits.values()) onExit({ code: null, cpuUs: 0 });
    this.#exits.clear();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #setRef(): void {
    const out = this.#child.stdout as Socket | null;
    if (this.#busy > 0) {
      this.#child.ref();
      out?.ref();
    } else {
      this.#child.unref();
      out?.unref();
    }
  }

  #send(op: string, fields: string[], id = ++this.#next): number {
    const payload = Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
    this.#child.stdin!.write(Buffer.concat([Buffer.from(`${op} ${id} ${payload.length}\n`), payload]));
    return id;
  }

  #request(op: string, fields: string[]): Promise<string[]> {
    if (this.#dead) return Promise.reject(new Error('the forker has exited'));
    const id = this.#send(op, fields);
    this.#busy++;
    this.#setRef();
    return new Promise((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
  }

  /** Mounts a tmpfs with `options` at `target`. */
  async mount(target: string, options: string): Promise<void> {
    await this.#request('M', [target, options]);
  }

  /** Remounts the tmpfs at `target` with `options`. */
  async remount(target: string, options: string): Promise<void> {
    await this.#request('R', [target, options]);
  }

  /** Unmounts `target` (lazily when busy). */
  async umount(target: string): Promise<void> {
    await this.#request('U', [target]);
  }

  /**
   * Starts `argv` (empty environment, parent-death signal) after it joined the cgroups of
   * `procsFiles`; resolves once it runs, with its pid, the paths of its FIFOs (`<prefix>.0` to
   * `.3`) and its end. The caller opens its ends of the FIFOs, then calls {@link opened}.
   */
  async launch(procsFiles: string[], argv: string[]): Promise<{ id: number; pid: number; prefix: string; exit: Promise<LaunchExit> }> {
    if (this.#dead) throw new Error('the forker has exited');
    const id = this.#send('L', [String(procsFiles.length), ...procsFiles, String(argv.length), ...argv]);
    // Two replies: `pid` (or `err`), then `exit`.
    this.#busy += 2;
    this.#setRef();
    const exit = new Promise<LaunchExit>((resolve) => this.#exits.set(id, resolve));
    let words: string[];
    try {
      words = await new Promise<string[]>((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
    } catch (error) {
      if (this.#exits.delete(id)) {
        this.#busy--;
        this.#setRef();
      }
      throw error;
    }
    return { id, pid: Number(words[1]), prefix: `${this.#dir}/${id}`, exit };
  }

  /** The judge holds its ends of launch `id`'s FIFOs: the forker drops its own and their names. */
  opened(id: number): void {
    if (!this.#dead) this.#send('O', [], id);
  }

  /** Ends the forker (and anything it still runs). */
  async close(): Promise<void> {
    if (this.#dead) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.ref();
    this.#child.stdin!.end();
    await exited;
  }
}

const errnoCodes: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 13: 'EACCES', 16: 'EBUSY', 22: 'EINVAL', 28: 'ENOSPC' };

const noChild: LaunchedChild = {
  pid: undefined,
  stdin: null,
  stdout: null,
  stderr: null,
  stdio: [],
  kill: () => false,
};

/**
 * @internal A jail's nsjail started by the {@link Forker}: the same face as the shell
 * {@link Launcher} (streams, `closed`, log, hold, discard), its stdio FIFOs opened by the judge.
 */
export class ForkedLauncher implements JailLauncher {
  child: LaunchedChild = noChild;
  readonly closed: Promise<number | null>;
  exitedAt = 0;
  spawnError: Error | undefined;
  /** CPU of nsjail and everything it reaped (the jail), in µs, once it has ended. */
  cpuUs = 0;
  readonly #log: Buffer[] = [];
  #logBytes = 0;
  #started = false;
  #exited = false;
  #close: (code: number | null) => void = () => undefined;
  #streams: Socket[] = [];

  /** No script: the forker execs nsjail's argv itself. */
  readonly scriptPath = '';

  constructor(
    readonly forker: Forker,
    readonly cgroup: CgroupHandle,
  ) {
    this.closed = new Promise((resolve) => {
      this.#close = resolve;
    });
  }

  /** Starts nsjail with `argv` through the forker; its stdin stays open (the jail's channel). */
  async open(argv: string[]): Promise<void> {
    if (this.#started) throw new Error('launcher already started');
    this.#started = true;
    let launched: Awaited<ReturnType<Forker['launch']>>;
    try {
      launched = await this.forker.launch(this.cgroup.procsFiles, argv);
    } catch (error) {
      this.spawnError = error as Error;
      this.#exited = true;
      this.exitedAt = performance.now();
      this.#close(null);
      return;
    }
    const { id, pid, prefix } = launched;
    const fds: number[] = [];
    try {
      fds.push(openSync(`${prefix}.0`, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW));
      for (const n of [1, 2, 3]) fds.push(openSync(`${prefix}.${n}`, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW));
    } catch (error) {
      for (const fd of fds) closeSync(fd);
      this.spawnError = error as Error;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    this.forker.opened(id);
    const sockets = this.spawnError ? [] : fds.map((fd, n) => new Socket({ fd, readable: n > 0, writable: n === 0 }));
    this.#streams = sockets;
    const [stdin, stdout, stderr, log] = sockets;
    stdin?.on('error', () => {
      // The program may exit without reading its input (EPIPE): not an error of the judge.
    });
    log?.on('data', (chunk: Buffer) => {
      if (this.#logBytes < 256 * 1024) this.#log.push(chunk);
      this.#logBytes += chunk.length;
    });
    this.child = {
      pid,
      stdin: stdin ?? null,
      stdout: stdout ?? null,
      stderr: stderr ?? null,
      stdio: sockets,
      kill: (signal) => {
        if (this.#exited) return false;
        try {
          process.kill(pid, signal);
          return true;
        } catch {
          return false;
        }
      },
    };
    const ends = sockets.slice(1).map((s) => new Promise((resolve) => s.once('close', resolve)));
    void launched.exit.then(async (exit) => {
      this.#exited = true;
      this.exitedAt = performance.now();
      this.cpuUs = exit.cpuUs;
      // What is left in the pipes is read, then they close (as a child process's 'close').
      await Promise.all(ends);
      stdin?.destroy();
      this.#close(this.spawnError ? null : exit.code);
    });
  }

  start(): void {
    throw new Error('a forked launcher serves warm jails only');
  }

  hold(ref: boolean): void {
    for (const socket of this.#streams) ref ? socket.ref() : socket.unref();
  }

  log(): string {
    return Buffer.concat(this.#log).toString('utf8');
  }

  async discard(): Promise<void> {
    if (!this.#started) {
      this.#started = true;
      this.#exited = true;
      this.#close(null);
      return;
    }
    this.hold(true);
    this.child.kill('SIGKILL');
    await this.closed;
  }
}
