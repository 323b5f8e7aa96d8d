import { JudgeError } from '../errors/judge-error.js';
import { BaseRunner } from './base-runner.js';
import type { ExecOutcome, ExecRequest, OperationOptions, RunnerHealth, Sandbox, SandboxFile } from './contract.js';

/**
 * A scripted program for {@link FakeRunner}: given the request and the sandbox's files, say what
 * happened. Missing fields default to a clean exit with empty output.
 */
export type FakeProgram = (
  request: ExecRequest,
  files: ReadonlyMap<string, Uint8Array>,
  options: OperationOptions,
) => Partial<ExecOutcome> | Promise<Partial<ExecOutcome>>;

/** Options for {@link FakeRunner}. */
export interface FakeRunnerOptions {
  /** What every exec does. @defaultValue echoes stdin to stdout and exits 0 */
  program?: FakeProgram;
}

const echo: FakeProgram = (request) => ({
  stdout: typeof request.stdin === 'string' ? request.stdin : Buffer.from(request.stdin ?? '').toString(),
});

let sequence = 0;

class FakeSandbox implements Sandbox {
  readonly id = `fake-${++sequence}`;
  readonly files = new Map<string, Uint8Array>();
  #disposed = false;
  constructor(private readonly program: FakeProgram) {}

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

  constructor(options: FakeRunnerOptions = {}) {
    super();
    this.#program = options.program ?? echo;
  }

  protected async openSandbox(): Promise<Sandbox> {
    return new FakeSandbox(this.#program);
  }

  async health(): Promise<RunnerHealth> {
    return { ready: !this.closed, details: { runner: 'fake (isolates nothing)' }, problems: [] };
  }
}
