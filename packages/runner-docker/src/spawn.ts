import { constants } from 'node:os';
import type { ProcessExit, SandboxProcess, SessionSignal, TerminalSize } from '@judgekit/core';
import { message } from './step.js';

/**
 * Stdin bytes the judge lets be in flight to a live step, unacknowledged by its supervisor: the
 * supervisor's buffer is never larger. Past it, `write` queues on the host and returns false.
 */
const windowBytes = 256 * 1024;
const chunkBytes = 64 * 1024;

/**
 * @internal A command running live in a Docker sandbox, driven over its container's attach
 * stream (op X of `jk-exec serve`, see images/jk-exec.c): stdin, signals, resizes and flow
 * control go to the supervisor as messages; output, acknowledgements and the report come back.
 * The supervisor measures and limits it exactly as a step of `exec`.
 */
export class DockerProcess implements SandboxProcess {
  onDrain: SandboxProcess['onDrain'] = null;
  #onOutput: SandboxProcess['onOutput'] = null;
  /**
   * Output that came before the caller could listen: the start and the first output can arrive
   * in one read of the stream, handled before `spawn`'s caller resumes. Held until the first
   * listener is set, then handed to it in order.
   */
  #early: ['stdout' | 'stderr', Buffer][] | null = [];
  exit!: Promise<ProcessExit>;
  readonly #send: (bytes: Buffer) => void;
  readonly #tty: boolean;
  /** Set once the supervisor has said it runs (B); messages go out only from then on. */
  #live = false;
  /** Set once its report came: nothing more may be sent (the stream belongs to the next op). */
  #over = false;
  #queue: Buffer[] = [];
  #queued = 0;
  #inFlight = 0;
  #wantDrain = false;
  #endAsked = false;
  #closeSent = false;
  #killAsked = false;

  constructor(send: (bytes: Buffer) => void, tty: boolean) {
    this.#send = send;
    this.#tty = tty;
  }

  /** The supervisor runs the program: send what waited for it. */
  started(): void {
    if (this.#over || this.#live) return;
    this.#live = true;
    if (this.#killAsked) this.#send(message('K'));
    this.#flush();
  }

  /** Its report came: from now on nothing is sent. */
  ended(): void {
    this.#over = true;
    this.#queue = [];
    this.#queued = 0;
  }

  get onOutput(): SandboxProcess['onOutput'] {
    return this.#onOutput;
  }

  set onOutput(listener: SandboxProcess['onOutput']) {
    this.#onOutput = listener;
    const early = this.#early;
    if (!listener || !early) return;
    this.#early = null;
    for (const [stream, data] of early) this.#onOutput?.(stream, data);
  }

  /** Output of the program, from the supervisor's O and E frames. */
  output(stream: 'stdout' | 'stderr', data: Buffer): void {
    if (this.#early) this.#early.push([stream, data]);
    else this.#onOutput?.(stream, data);
  }

  /** The supervisor wrote `bytes` of stdin to the program (a w frame). */
  acknowledged(bytes: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - bytes);
    this.#flush();
    if (this.#wantDrain && this.#queued === 0 && this.#inFlight <= windowBytes / 2) {
      this.#wantDrain = false;
      this.onDrain?.();
    }
  }

  #flush(): void {
    if (!this.#live || this.#over) return;
    while (this.#queue.length > 0 && this.#inFlight < windowBytes) {
      const head = this.#queue[0]!;
      const take = Math.min(head.length, chunkBytes, windowBytes - this.#inFlight);
      const part = head.subarray(0, take);
      if (take === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(take);
      this.#queued -= take;
      this.#inFlight += take;
      this.#send(message('I', part));
    }
    if (this.#queue.length === 0 && this.#endAsked && !this.#closeSent) {
      this.#closeSent = true;
      this.#send(message('C'));
    }
  }

  write(data: Uint8Array): boolean {
    if (this.#over || this.#endAsked || data.length === 0) return true;
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.length);
    // Copied: the caller may reuse its buffer once write returns.
    this.#queue.push(Buffer.from(bytes));
    this.#queued += bytes.length;
    this.#flush();
    const ok = this.#queued === 0 && this.#inFlight < windowBytes;
    if (!ok) this.#wantDrain = true;
    return ok;
  }

  end(): void {
    if (this.#over || this.#endAsked) return;
    // A terminal's end of input is its EOF character, read by the program as an empty read.
    if (this.#tty) {
      this.write(Buffer.from([4]));
      return;
    }
    this.#endAsked = true;
    this.#flush();
  }

  #control(type: string, payload = ''): void {
    if (this.#live && !this.#over) this.#send(message(type, payload));
  }

  pause(): void {
    this.#control('P');
  }

  resume(): void {
    this.#control('Q');
  }

  resize(size: TerminalSize): void {
    if (this.#tty) this.#control('Z', `${size.cols} ${size.rows}`);
  }

  signal(name: SessionSignal): void {
    if (name === 'SIGKILL') {
      this.kill();
      return;
    }
    this.#control('S', String(constants.signals[name]));
  }

  /** Ends every process of the step now (before it started: as soon as it does). */
  kill(): void {
    if (this.#over) return;
    if (!this.#live) {
      this.#killAsked = true;
      return;
    }
    this.#send(message('K'));
  }
}
