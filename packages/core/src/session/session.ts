import { StringDecoder } from 'node:string_decoder';
import { JudgeError } from '../errors/judge-error.js';
import type { LimitKind } from '../runner/contract.js';
import type { ProcessExit, SandboxProcess, SessionSignal, SpawningSandbox, SpawnRequest, TerminalSize } from '../runner/spawn.js';
import { checkTerminalSize, sessionSignals } from '../runner/spawn.js';

/** A stage of a session: a compiled language's compile step, then the program. */
export type SessionStage = 'compile' | 'run';

/** Which limit ended a session: a runner's limit, or `idle` (no input and no output for `idleTimeoutMs`). */
export type SessionLimitKind = LimitKind | 'idle';

/**
 * What a session's output iterable yields, in order: a `stage` as each starts, then its output.
 * With a terminal the run stage's output is one stream, `stdout`.
 */
export type SessionEvent =
  | { type: 'stage'; stage: SessionStage }
  | { type: 'data'; stage: SessionStage; stream: 'stdout' | 'stderr'; data: string };

/** How a session ended: the last stage that ran and what ended it. */
export interface SessionExit extends Omit<ProcessExit, 'limitExceeded'> {
  /** `compile` when the compile step failed (the program never ran), else `run`. */
  stage: SessionStage;
  /** The first limit that ended it, or `null` (it exited, or was killed by `kill()` or an abort). */
  limitExceeded: SessionLimitKind | null;
}

/** @internal What a session runs and how it is bounded. */
export interface SessionPlan {
  language: { id: string; version: string | null };
  box: SpawningSandbox;
  compile: SpawnRequest | null;
  run: SpawnRequest;
  idleTimeoutMs: number;
  outputRateBytesPerSecond: number;
  signal: AbortSignal | undefined;
  /** Called once, after the sandbox is disposed (frees the session's cap slot). */
  onEnd: () => void;
}

const highWaterBytes = 256 * 1024;
const lowWaterBytes = 64 * 1024;
// The runner keeps the wall limit; this is the judge's own backstop behind it.
const backstopGraceMs = 2_000;

let sequence = 0;
const sessionId = (): string => `ses_${Date.now().toString(36)}${(++sequence).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/**
 * A program running in a sandbox while its caller talks to it, made by {@link Judge.session}.
 * Input written before the program starts (during a compile) is held and delivered in order.
 * Its output is read once, by one consumer (`for await (const e of session)`); a consumer that
 * falls behind slows the program down rather than growing the judge's memory.
 *
 * @example
 * ```ts
 * const session = await judge.session({ language: 'python3', source: 'print(input("name? "))', tty: true })
 * for await (const e of session) if (e.type === 'data') process.stdout.write(e.data)
 * ```
 */
export class Session implements AsyncIterable<SessionEvent> {
  /** Unique id (`ses_…`), for logs. */
  readonly id = sessionId();
  /** Whether the program has a terminal. */
  readonly tty: boolean;
  /** The language's id and its toolchain version (`null` until the judge has probed it). */
  readonly language: { id: string; version: string | null };
  /** Resolves once the session has ended and its sandbox is gone. Rejects only when the machinery failed (`JDG_ERR_SANDBOX_FAILED`). */
  readonly exit: Promise<SessionExit>;
  readonly #plan: SessionPlan;
  readonly #events: SessionEvent[] = [];
  #held = 0;
  #wake: (() => void) | null = null;
  #ended = false;
  #consumed = false;
  #process: SandboxProcess | null = null;
  #stage: SessionStage = 'run';
  #pendingInput: Uint8Array[] = [];
  #inputEnded = false;
  #size: TerminalSize | null;
  #limit: SessionLimitKind | null = null;
  #killed = false;
  #outputBytes = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #tokens: number;
  #refilledAt = performance.now();
  #rateTimer: NodeJS.Timeout | undefined;
  #paused = false;
  #decoders = new Map<string, StringDecoder>();

  /** @internal Made by {@link Judge.session}. */
  constructor(plan: SessionPlan) {
    this.#plan = plan;
    this.tty = plan.run.tty != null;
    this.language = plan.language;
    this.#size = plan.run.tty ?? null;
    this.#tokens = 2 * plan.outputRateBytesPerSecond;
    this.exit = this.#drive();
    // The caller may never read `exit`; a machinery failure is still reported through it.
    this.exit.catch(() => {});
  }

  /** Writes to the program's stdin (what the user typed, with a terminal). Ignored once it has ended. */
  write(data: string | Uint8Array): void {
    if (this.#ended || this.#inputEnded) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.length === 0) return;
    this.#touch();
    if (this.#process && this.#stage === 'run') this.#process.write(bytes);
    else this.#pendingInput.push(bytes);
  }

  /** Closes the program's stdin (with a terminal: sends its EOF character, `^D`). */
  end(): void {
    if (this.#ended || this.#inputEnded) return;
    if (this.#process && this.#stage === 'run') this.#process.end();
    else this.#inputEnded = true;
  }

  /** Resizes the terminal: the program gets `SIGWINCH` and sees the new size. Ignored without a terminal. */
  resize(cols: number, rows: number): void {
    if (!this.tty || this.#ended) return;
    const size = { cols, rows };
    checkTerminalSize(size, 'resize');
    this.#size = size;
    if (this.#process && this.#stage === 'run') this.#process.resize(size);
  }

  /** Sends a signal to the program. `SIGKILL` (the default) ends the session at once. */
  kill(signal: SessionSignal = 'SIGKILL'): void {
    if (!(sessionSignals as readonly string[]).includes(signal)) {
      throw new JudgeError('JDG_ERR_INPUT_INVALID', `kill: ${JSON.stringify(signal)} is not one of ${sessionSignals.join(', ')}.`, {
        details: { issues: [{ path: 'signal', message: `one of ${sessionSignals.join(', ')}` }] },
      });
    }
    if (this.#ended) return;
    if (signal === 'SIGKILL') this.#killed = true;
    this.#touch();
    this.#process?.signal(signal);
  }

  /** The session's output, stage by stage; ends when the program has. One consumer only. */
  get output(): AsyncIterable<SessionEvent> {
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SessionEvent> {
    if (this.#consumed) throw new JudgeError('JDG_ERR_INPUT_INVALID', 'A session’s output is read by one consumer only.');
    this.#consumed = true;
    while (true) {
      const event = this.#events.shift();
      if (event) {
        if (event.type === 'data') this.#held -= event.data.length;
        if (this.#held < lowWaterBytes) this.#flow();
        yield event;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #push(event: SessionEvent): void {
    this.#events.push(event);
    if (event.type === 'data') this.#held += event.data.length;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
    if (this.#held > highWaterBytes) this.#flow();
  }

  /** Reads output only while the consumer keeps up and the output rate allows. */
  #flow(): void {
    const shouldPause = this.#held > highWaterBytes || this.#rateTimer !== undefined;
    if (shouldPause === this.#paused || !this.#process) return;
    this.#paused = shouldPause;
    shouldPause ? this.#process.pause() : this.#process.resume();
  }

  #touch(): void {
    clearTimeout(this.#idleTimer);
    if (this.#ended) return;
    this.#idleTimer = setTimeout(() => this.#stop('idle'), this.#plan.idleTimeoutMs);
  }

  /** Ends the program for a limit the judge keeps itself (the first one wins). */
  #stop(limit: SessionLimitKind): void {
    this.#limit ??= limit;
    this.#process?.signal('SIGKILL');
  }

  #onOutput(stage: SessionStage, stream: 'stdout' | 'stderr', data: Uint8Array, limits: SpawnRequest['limits']): void {
    this.#touch();
    let chunk = data;
    const room = limits.outputBytes - this.#outputBytes;
    if (chunk.length > room) {
      chunk = chunk.subarray(0, Math.max(0, room));
      this.#stop('output');
    }
    this.#outputBytes += chunk.length;
    if (chunk.length > 0) {
      const key = `${stage}:${stream}`;
      let decoder = this.#decoders.get(key);
      if (!decoder) {
        decoder = new StringDecoder('utf8');
        this.#decoders.set(key, decoder);
      }
      const text = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      if (text) this.#push({ type: 'data', stage, stream, data: text });
    }
    this.#spend(chunk.length);
  }

  /** Token bucket: past the burst, reading pauses until the rate has paid for what was read. */
  #spend(bytes: number): void {
    const rate = this.#plan.outputRateBytesPerSecond;
    const now = performance.now();
    this.#tokens = Math.min(2 * rate, this.#tokens + ((now - this.#refilledAt) / 1000) * rate) - bytes;
    this.#refilledAt = now;
    if (this.#tokens >= 0 || this.#rateTimer) return;
    this.#rateTimer = setTimeout(
      () => {
        this.#rateTimer = undefined;
        this.#flow();
      },
      Math.ceil((-this.#tokens / rate) * 1000),
    );
    this.#flow();
  }

  #flushDecoders(stage: SessionStage): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const decoder = this.#decoders.get(`${stage}:${stream}`);
      const rest = decoder?.end();
      if (rest) this.#push({ type: 'data', stage, stream, data: rest });
    }
  }

  /** Runs one stage to its end. */
  async #runStage(stage: SessionStage, request: SpawnRequest): Promise<ProcessExit> {
    this.#stage = stage;
    this.#push({ type: 'stage', stage });
    const spawnRequest = stage === 'run' && this.#size ? { ...request, tty: this.#size } : request;
    // The session's own signal is not passed on: an abort kills the program (below), and the
    // stage still ends with its exit, measured.
    const proc = await this.#plan.box.spawn(spawnRequest);
    this.#process = proc;
    this.#paused = false;
    proc.onOutput = (stream, data) => this.#onOutput(stage, stream, data, request.limits);
    this.#flow();
    if (stage === 'run') {
      for (const bytes of this.#pendingInput) proc.write(bytes);
      this.#pendingInput = [];
      if (this.#inputEnded) proc.end();
    } else {
      proc.end();
    }
    if (this.#limit || this.#killed) proc.signal('SIGKILL');
    const backstop = setTimeout(() => this.#stop('wall'), request.limits.wallTimeMs + backstopGraceMs);
    try {
      return await proc.exit;
    } finally {
      clearTimeout(backstop);
      this.#process = null;
      this.#flushDecoders(stage);
    }
  }

  async #drive(): Promise<SessionExit> {
    const { box, signal } = this.#plan;
    const onAbort = (): void => {
      this.#killed = true;
      this.#process?.signal('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    this.#touch();
    try {
      if (this.#plan.compile) {
        const compiled = await this.#runStage('compile', this.#plan.compile);
        if (compiled.exitCode !== 0 || compiled.limitExceeded || this.#limit || this.#killed) {
          return { ...compiled, stage: 'compile', limitExceeded: this.#limit ?? compiled.limitExceeded };
        }
        this.#outputBytes = 0;
      }
      const ran = await this.#runStage('run', this.#plan.run);
      return { ...ran, stage: 'run', limitExceeded: this.#limit ?? ran.limitExceeded };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(this.#idleTimer);
      clearTimeout(this.#rateTimer);
      this.#ended = true;
      const wake = this.#wake;
      this.#wake = null;
      wake?.();
      try {
        await box.dispose();
      } finally {
        this.#plan.onEnd();
      }
    }
  }
}
