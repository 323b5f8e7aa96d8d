import { JudgeError } from '../errors/judge-error.js';
import { BaseRunner } from './base-runner.js';
import type { ExecOutcome, ExecRequest, OperationOptions, RunnerHealth, Sandbox, SandboxFile } from './contract.js';
import type { ProcessExit, SandboxProcess, SessionSignal, SpawnRequest, TerminalSize } from './spawn.js';

/**
 * A scripted program for {@link FakeRunner}: given the request and the sandbox's files, say what
 * happened. Missing fields default to a clean exit with empty output.
 */
export type FakeProgram = (
  request: ExecRequest,
  files: ReadonlyMap<string, Uint8Array>,
  options: OperationOptions,
) => Partial<ExecOutcome> | Promise<Partial<ExecOutcome>>;

/** The fake side of a live command ({@link FakeSpawnProgram}): what it prints, what it is told, how it ends. */
export interface FakeProcessIO {
  /** Sends output to the judge. */
  output(stream: 'stdout' | 'stderr', data: string | Uint8Array): void;
  /** Ends the command (once); missing fields default to a clean exit. */
  exit(outcome?: Partial<ProcessExit>): void;
  /** Receives stdin as it is written, then `null` at its end. */
  onInput: ((data: Uint8Array | null) => void) | null;
  /** Receives signals; without a listener, every signal but SIGWINCH and SIGCONT ends the command by it. */
  onSignal: ((name: SessionSignal) => void) | null;
  /** Receives terminal resizes. */
  onResize: ((size: TerminalSize) => void) | null;
}

/** A scripted live command for {@link FakeRunner}'s `spawn` (sessions, interactive problems). */
export type FakeSpawnProgram = (request: SpawnRequest, io: FakeProcessIO) => void;

/** Options for {@link FakeRunner}. */
export interface FakeRunnerOptions {
  /** What every exec does. @defaultValue echoes stdin to stdout and exits 0 */
  program?: FakeProgram;
  /** What every spawned command does. @defaultValue echoes its input to stdout, exits 0 at the end of input */
  spawn?: FakeSpawnProgram;
}

const echoSpawn: FakeSpawnProgram = (_request, io) => {
  io.onInput = (data) => (data === null ? io.exit() : io.output('stdout', data));
};

/** A live fake command: delivers output while not paused, ends once. */
class FakeProcess implements SandboxProcess {
  onOutput: SandboxProcess['onOutput'] = null;
  onDrain: SandboxProcess['onDrain'] = null;
  readonly exit: Promise<ProcessExit>;
  readonly io: FakeProcessIO;
  #done = false;
  #exiting: ProcessExit | undefined;
  #paused = false;
  #queued: [stream: 'stdout' | 'stderr', data: Uint8Array][] = [];
  #resolve!: (exit: ProcessExit) => void;
  #started = performance.now();

  constructor(request: SpawnRequest, program: FakeSpawnProgram) {
    this.exit = new Promise((resolve) => (this.#resolve = resolve));
    const self = this;
    this.io = {
      output(stream, data) {
        if (self.#done) return;
        self.#queued.push([stream, typeof data === 'string' ? Buffer.from(data) : data]);
        // Delivered on a later turn, as a real pipe would: the caller sets onOutput after spawn resolves.
        setImmediate(() => self.#deliver());
      },
      exit(outcome = {}) {
        if (self.#done || self.#exiting) return;
        self.#exiting = {
          exitCode: 0,
          signal: null,
          cpuTimeMs: 0,
          wallTimeMs: performance.now() - self.#started,
          memoryBytes: 0,
          limitExceeded: null,
          ...outcome,
        };
        setImmediate(() => self.#deliver());
      },
      onInput: null,
      onSignal: null,
      onResize: null,
    };
    program(request, this.io);
  }

  /** Output first, while not paused; the exit once every byte of it is out (a killed command's output is dropped). */
  #deliver(): void {
    if (this.#done) return;
    const killed = this.#exiting?.signal === 'SIGKILL';
    while (this.#queued.length > 0 && !this.#paused && !killed) {
      const [stream, data] = this.#queued.shift()!;
      this.onOutput?.(stream, data);
    }
    if (this.#exiting && (this.#queued.length === 0 || killed)) {
      this.#done = true;
      this.#resolve(this.#exiting);
    }
  }

  write(data: Uint8Array): boolean {
    if (!this.#done && !this.#exiting) this.io.onInput?.(data);
    return true;
  }

  end(): void {
    if (!this.#done) this.io.onInput?.(null);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    setImmediate(() => this.#deliver());
  }

  resize(size: TerminalSize): void {
    if (!this.#done) this.io.onResize?.(size);
  }

  signal(name: SessionSignal): void {
    if (this.#done) return;
    if (this.io.onSignal && name !== 'SIGKILL') this.io.onSignal(name);
    else if (name === 'SIGKILL') {
      // A kill overrides an exit still waiting for its output to be read.
      this.#exiting = { ...(this.#exiting ?? this.#blankExit()), exitCode: null, signal: 'SIGKILL' };
      setImmediate(() => this.#deliver());
    } else if (name !== 'SIGWINCH' && name !== 'SIGCONT') this.io.exit({ exitCode: null, signal: name });
  }

  #blankExit(): ProcessExit {
    return {
      exitCode: null,
      signal: null,
      cpuTimeMs: 0,
      wallTimeMs: performance.now() - this.#started,
      memoryBytes: 0,
      limitExceeded: null,
    };
  }
}

const echo: FakeProgram = (request) => ({
  stdout: typeof request.stdin === 'string' ? request.stdin : Buffer.from(request.stdin ?? '').toString(),
});

let sequence = 0;

class FakeSandbox implements Sandbox {
  readonly id = `fake-${++sequence}`;
  readonly files = new Map<string, Uint8Array>();
  #disposed = false;
  #live: FakeProcess | undefined;
  constructor(
    private readonly program: FakeProgram,
    private readonly spawnProgram: FakeSpawnProgram,
  ) {}

  async spawn(request: SpawnRequest): Promise<SandboxProcess> {
    this.#check();
    const live = new FakeProcess(request, this.spawnProgram);
    this.#live = live;
    return live;
  }

  async write(files: SandboxFile[]): Promise<void> {
    this.#check();
    // Paths, argv, env and aborts are checked by BaseRunner before a call gets here.
    for (const file of files) {
      this.files.set(file.path, typeof file.content === 'string' ? Buffer.from(file.content) : file.content);
    }
  }

  async exec(request: ExecRequest, options: OperationOptions = {}): Promise<ExecOutcome> {
    this.#check();
    if (options.signal?.aborted)
      throw new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The operation was aborted.', { cause: options.signal.reason });
    const partial = await this.program(request, this.files, options);
    return {
      exitCode: 0,
      signal: null,
      stdout: '',
      stderr: '',
      stdoutTruncated: false,
      stderrTruncated: false,
      cpuTimeMs: 0,
      wallTimeMs: 0,
      memoryBytes: 0,
      limitExceeded: null,
      ...partial,
    };
  }

  async read(path: string): Promise<Uint8Array> {
    this.#check();
    const content = this.files.get(path);
    if (!content) throw new JudgeError('JDG_ERR_SANDBOX_PATH_INVALID', `No file ${JSON.stringify(path)} in the sandbox.`);
    return content;
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#live?.signal('SIGKILL');
    this.files.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #check(): void {
    if (this.#disposed) throw new JudgeError('JDG_ERR_SANDBOX_DISPOSED', `Sandbox ${this.id} was disposed.`);
  }
}

/**
 * An in-memory runner that runs nothing: each exec is answered by a scripted {@link FakeProgram}.
 * For users' own tests of code that embeds a `Judge`; it isolates nothing and must never run
 * untrusted code.
 *
 * @example
 * ```ts
 * const judge = new Judge({ runner: new FakeRunner({ program: (req) => ({ stdout: 'ok\n' }) }) })
 * ```
 */
export class FakeRunner extends BaseRunner {
  readonly name = 'fake';
  readonly #program: FakeProgram;
  readonly #spawn: FakeSpawnProgram;

  constructor(options: FakeRunnerOptions = {}) {
    super();
    this.#program = options.program ?? echo;
    this.#spawn = options.spawn ?? echoSpawn;
  }

  protected async openSandbox(): Promise<Sandbox> {
    return new FakeSandbox(this.#program, this.#spawn);
  }

  async health(): Promise<RunnerHealth> {
    return { ready: !this.closed, details: { runner: 'fake (isolates nothing)' }, problems: [] };
  }
}
