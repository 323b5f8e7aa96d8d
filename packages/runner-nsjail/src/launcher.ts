import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { CgroupHandle } from './cgroup.js';

/**
 * nsjail gets SIGKILL when the judge dies (a parent-death signal; its jail's processes die with
 * it, nsjail sets theirs), so a killed judge leaves no jail running to its time limit. util-linux's
 * setpriv sets it and execs nsjail; without setpriv the startup sweep alone kills orphans.
 */
const parentDeath = existsSync('/usr/bin/setpriv') ? 'exec /usr/bin/setpriv --pdeathsig KILL -- ' : 'exec ';

/** @internal Quotes one word for a POSIX shell. */
export const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * @internal The launcher's script: join every controller of the command's cgroup, wait for the
 * path of a script (one line on stdin), then source it, which execs nsjail. Everything nsjail
 * starts is accounted from its first instruction; a failure is written to the log pipe (fd 3).
 */
export function launcherScript(procsFiles: string[]): string {
  const join = procsFiles.map((f) => `echo $$ > ${shellQuote(f)}`).join(' && ');
  return [
    `${join} || { echo "[judgekit] cannot join the cgroup" >&3; exit 125; }`,
    // dash's read takes one byte at a time from a pipe, so the program's stdin that follows the
    // line is left whole for it.
    'IFS= read -r script || exit 125',
    '. "$script"',
  ].join('\n');
}

/** @internal The process a launcher became (nsjail): a child process, or one the forker started. */
export interface LaunchedChild {
  readonly pid?: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** fds 0-3; fd 3 is nsjail's log. */
  readonly stdio: readonly unknown[];
  kill(signal?: NodeJS.Signals | number): boolean;
}

/** @internal What a warm jail needs of the process that becomes its nsjail (warm.ts). */
export interface JailLauncher {
  readonly cgroup: CgroupHandle;
  readonly scriptPath: string;
  readonly child: LaunchedChild;
  readonly closed: Promise<number | null>;
  readonly exitedAt: number;
  readonly spawnError: Error | undefined;
  /** Starts nsjail with `argv`, its stdin left open (the jail's command channel). */
  open(argv: string[]): void | Promise<void>;
  hold(ref: boolean): void;
  log(): string;
  discard(): Promise<void>;
}

/**
 * @internal A shell started ahead of a command inside the command's cgroup, waiting to become
 * nsjail. Its stdio pipes are the command's.
 */
export class Launcher implements JailLauncher {
  readonly child: ChildProcess;
  readonly closed: Promise<number | null>;
  exitedAt = 0;
  spawnError: Error | undefined;
  readonly #log: Buffer[] = [];
  #logBytes = 0;
  #started = false;

  constructor(
    readonly cgroup: CgroupHandle,
    readonly scriptPath: string,
  ) {
    this.child = spawn('/bin/sh', ['-c', launcherScript(cgroup.procsFiles)], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: {} });
    (this.child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
      // nsjail's log is small; cap it anyway so a chatty failure cannot grow the judge.
      if (this.#logBytes < 256 * 1024) this.#log.push(chunk);
      this.#logBytes += chunk.length;
    });
    this.child.stdin!.on('error', () => {
      // The program may exit without reading its input (EPIPE): not an error of the judge.
    });
    // A waiting launcher must not keep the judge's process alive; start() takes it back.
    this.#setRef(false);
    this.closed = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.spawnError = error;
        resolve(null);
      });
      this.child.on('exit', () => {
        this.exitedAt = performance.now();
      });
      this.child.on('close', (code) => resolve(code));
    });
  }

  /** Writes nsjail's command as a script, then lets the launcher exec it with `stdin` after. */
  start(argv: string[], stdin: Uint8Array): void {
    this.open(argv);
    this.child.stdin!.end(stdin);
  }

  /** Like {@link start}, but leaves nsjail's stdin open: a warm jail's command channel. */
  open(argv: string[]): void {
    if (this.#started) throw new Error('launcher already started');
    this.#started = true;
    this.#setRef(true);
    writeFileSync(this.scriptPath, `${parentDeath}${argv.map(shellQuote).join(' ')}\n`, { mode: 0o600 });
    this.child.stdin!.write(`${this.scriptPath}\n`);
  }

  /** Lets an idle warm jail not keep the judge's process alive (and a busy one keep it). */
  hold(ref: boolean): void {
    this.#setRef(ref);
  }

  #setRef(ref: boolean): void {
    for (const stream of this.child.stdio) {
      const socket = stream as Socket | null;
      if (socket && typeof socket.unref === 'function') ref ? socket.ref() : socket.unref();
    }
    ref ? this.child.ref() : this.child.unref();
  }

  /** Everything nsjail (and the launcher) wrote to the log pipe. */
  log(): string {
    return Buffer.concat(this.#log).toString('utf8');
  }

  /** Stops a launcher that was never started. */
  async discard(): Promise<void> {
    // Referenced again, or an unreferenced child's exit would not keep the loop alive to see it.
    this.#setRef(true);
    this.child.kill('SIGKILL');
    await this.closed;
  }
}
