import { constants } from 'node:os';
import type { Duplex } from 'node:stream';

/** The protocol the images' `jk-exec serve` speaks (see images/jk-exec.c). @internal */
export const protocolHello = 'jk-exec 2';

/** What `jk-exec serve` reports after a step. @internal */
export interface StepReport {
  exit: number;
  signal: number;
  cpuUs: number;
  wallUs: number;
  peakKb: number;
  procs: number;
  limit: string;
  execErrno: number;
  /** 0: joining the step's cgroups failed; 1: dropping to the program's uid failed; 2: exec failed. */
  execStage: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  diskKb: number;
  inodes: number;
  /** Set when the supervisor could not prepare the step (cgroups, pipes): a sandbox failure. */
  error?: string;
}

const signalNames = new Map<number, string>();
// Several names share a number (SIGABRT/SIGIOT); the first listed is the usual one.
for (const [name, n] of Object.entries(constants.signals)) if (!signalNames.has(n)) signalNames.set(n, name);

/** @internal */
export function signalName(n: number): string {
  return signalNames.get(n) ?? `SIG${n}`;
}

/** @internal Parses the "key=value ..." report of a step, or null when it is not one. */
export function parseReport(line: string): StepReport | null {
  const fields = new Map(
    line
      .trim()
      .split(/\s+/)
      .map((kv) => {
        const at = kv.indexOf('=');
        return [kv.slice(0, at), kv.slice(at + 1)] as [string, string];
      }),
  );
  if (fields.has('error')) {
    return {
      ...emptyReport,
      error: `${fields.get('error')} (errno ${fields.get('errno') ?? '?'})`,
    };
  }
  if (!fields.has('cpu_us') || !fields.has('limit')) return null;
  const num = (k: string) => Number(fields.get(k) ?? 0);
  return {
    exit: num('exit'),
    signal: num('signal'),
    cpuUs: num('cpu_us'),
    wallUs: num('wall_us'),
    peakKb: num('peak_kb'),
    procs: num('procs'),
    limit: fields.get('limit') ?? 'none',
    execErrno: num('exec_errno'),
    execStage: num('exec_stage'),
    stdoutTruncated: fields.get('out_trunc') === '1',
    stderrTruncated: fields.get('err_trunc') === '1',
    diskKb: num('disk_kb'),
    inodes: num('inodes'),
  };
}

const emptyReport: StepReport = {
  exit: -1,
  signal: 0,
  cpuUs: 0,
  wallUs: 0,
  peakKb: 0,
  procs: 0,
  limit: 'none',
  execErrno: 0,
  execStage: 0,
  stdoutTruncated: false,
  stderrTruncated: false,
  diskKb: 0,
  inodes: 0,
};

/**
 * Demultiplexes Docker's attach stream (8-byte frame headers: stream id, 3 zero bytes,
 * big-endian length) into stdout (1) and stderr (2) chunks. @internal
 */
export class FrameDemuxer {
  #pending: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (stream: number, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    while (this.#pending.length >= 8) {
      const size = this.#pending.readUInt32BE(4);
      if (this.#pending.length < 8 + size) break;
      const stream = this.#pending[0] ?? 1;
      const data = this.#pending.subarray(8, 8 + size);
      this.#pending = this.#pending.subarray(8 + size);
      this.onFrame(stream, data);
    }
  }
}

/**
 * Splits the supervisor's own frames (1 type byte, 4 bytes big-endian length, payload) out of
 * the bytes of the container's stdout. @internal
 */
export class MessageParser {
  #pending: Buffer = Buffer.alloc(0);
  constructor(private readonly onMessage: (type: string, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    while (this.#pending.length >= 5) {
      const size = this.#pending.readUInt32BE(1);
      if (this.#pending.length < 5 + size) break;
      const type = String.fromCharCode(this.#pending[0] ?? 0);
      const payload = this.#pending.subarray(5, 5 + size);
      this.#pending = this.#pending.subarray(5 + size);
      this.onMessage(type, payload);
    }
  }
}

/** The session ended (container gone, engine gone) before an op finished. @internal */
export class SessionLost extends Error {
  constructor(readonly diagnostics: string) {
    super(`the container's supervisor went away${diagnostics ? `: ${diagnostics.trim().slice(-500)}` : ''}`);
    this.name = 'SessionLost';
  }
}

/** One op in flight: receives the supervisor's frames until it calls `done`. */
type OpHandler = (type: string, payload: Buffer) => boolean;

/**
 * The judge's side of one container's `jk-exec serve`, over a single attach connection: ops go
 * out one at a time (in call order), and frames come back in order on the same stream.
 * @internal
 */
export class Session {
  readonly #socket: Duplex;
  #current: { handler: OpHandler; resolve: () => void; reject: (e: Error) => void } | null = null;
  #tail: Promise<unknown> = Promise.resolve();
  #lost: SessionLost | null = null;
  #diagnostics = '';

  constructor(socket: Duplex) {
    this.#socket = socket;
    const parser = new MessageParser((type, payload) => {
      const current = this.#current;
      if (!current) return;
      let finished = false;
      try {
        finished = current.handler(type, payload);
      } catch (error) {
        this.#current = null;
        current.reject(error as Error);
        return;
      }
      if (finished) {
        this.#current = null;
        current.resolve();
      }
    });
    const demux = new FrameDemuxer((stream, data) => {
      if (stream === 2) this.#diagnostics = (this.#diagnostics + data.toString('utf8')).slice(-2000);
      else parser.push(data);
    });
    socket.on('data', (chunk: Buffer) => demux.push(chunk));
    const end = () => {
      this.#lost ??= new SessionLost(this.#diagnostics);
      const current = this.#current;
      this.#current = null;
      current?.reject(this.#lost);
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', () => {});
  }

  /** Whether the connection is gone. */
  get lost(): boolean {
    return this.#lost !== null;
  }

  /**
   * Sends `bytes` once every earlier op finished, then feeds the frames to `handler` until it
   * returns true. Rejects with {@link SessionLost} when the connection ends first.
   */
  op(bytes: (Buffer | Uint8Array)[], handler: OpHandler): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#lost) throw this.#lost;
      await new Promise<void>((resolve, reject) => {
        this.#current = { handler, resolve, reject };
        for (const b of bytes) if (b.length) this.#socket.write(b);
      });
    };
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => {});
    return result;
  }

  /** Writes bytes as they are, in order, for the op in flight (a spawned step's messages). */
  send(bytes: Buffer): void {
    if (!this.#lost && !this.#socket.destroyed && this.#socket.writable) this.#socket.write(bytes);
  }

  /** Asks the supervisor to kill the step in flight now (ignored between steps). */
  kill(): void {
    if (!this.#socket.destroyed && this.#socket.writable) this.#socket.write('K');
  }

  /** Ends the connection; an op in flight rejects. */
  close(): void {
    this.#socket.destroy();
  }
}
