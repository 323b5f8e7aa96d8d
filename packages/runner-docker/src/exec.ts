import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import type { Duplex } from 'node:stream';
import type { ExecOutcome, LimitKind } from '@judgekit/core';

/** What the jk-exec helper reports after a step (see images/jk-exec.c). @internal */
export interface HelperReport {
  exit: number;
  signal: number;
  cpuUs: number;
  wallUs: number;
  maxRssKb: number;
  peakKb: number;
  procs: number;
  limit: string;
  execErrno: number;
}

const signalNames = new Map<number, string>();
// Several names share a number (SIGABRT/SIGIOT); the first listed is the usual one.
for (const [name, n] of Object.entries(constants.signals)) if (!signalNames.has(n)) signalNames.set(n, name);

/** @internal */
export function signalName(n: number): string {
  return signalNames.get(n) ?? `SIG${n}`;
}

/** @internal Parses "key=value ..." after the nonce. */
export function parseReport(line: string): HelperReport | null {
  const fields = new Map(
    line
      .trim()
      .split(/\s+/)
      .map((kv) => kv.split('=') as [string, string]),
  );
  const num = (k: string) => Number(fields.get(k));
  if (!fields.has('cpu_us') || !fields.has('limit')) return null;
  return {
    exit: num('exit'),
    signal: num('signal'),
    cpuUs: num('cpu_us'),
    wallUs: num('wall_us'),
    maxRssKb: num('maxrss_kb'),
    peakKb: num('peak_kb'),
    procs: num('procs'),
    limit: fields.get('limit') ?? 'none',
    execErrno: num('exec_errno'),
  };
}

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

/** A capped capture of one stream. */
class Capture {
  readonly chunks: Buffer[] = [];
  kept = 0;
  truncated = false;
  add(data: Buffer, room: number): void {
    if (data.length <= room) {
      this.chunks.push(data);
      this.kept += data.length;
    } else {
      if (room > 0) this.chunks.push(data.subarray(0, room));
      this.kept += Math.max(0, room);
      this.truncated = true;
    }
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** How a step ended, before it becomes an {@link ExecOutcome}. @internal */
export type StepEnd =
  | { kind: 'report'; outcome: ExecOutcome }
  | { kind: 'lost'; stderrTail: string; hostReason: LimitKind | 'abort' | 'backstop' | null };

/**
 * Drives one `jk-exec run` over an attached exec connection: sends the header and stdin,
 * captures output up to `outputBytes` (sending the kill byte when passed), and parses the report.
 * `kill(reason)` asks the helper to kill the step now. @internal
 */
export function driveStep(
  socket: Duplex,
  stdin: Uint8Array,
  outputBytes: number,
  files?: Uint8Array,
): { done: Promise<StepEnd>; kill: (reason: LimitKind | 'abort' | 'backstop') => void } {
  const nonce = randomBytes(16).toString('hex');
  const marker = Buffer.from(`\n\x1e${nonce} `);
  const stdout = new Capture();
  const stderr = new Capture();
  let total = 0;
  let hostReason: LimitKind | 'abort' | 'backstop' | null = null;
  let reportBuf: Buffer | null = null;
  // Stderr is held back by up to marker.length bytes so a report split across frames is still found.
  let stderrHold = Buffer.alloc(0);

  const kill = (reason: LimitKind | 'abort' | 'backstop') => {
    hostReason ??= reason;
    if (!socket.destroyed && socket.writable) socket.write('K');
  };

  const countOut = (capture: Capture, data: Buffer) => {
    const room = outputBytes - total;
    total += data.length;
    capture.add(data, room);
    if (total > outputBytes) kill('output');
  };

  const demux = new FrameDemuxer((stream, data) => {
    // Docker copies stdout and stderr separately: stdout may still arrive after the report.
    if (stream !== 2) {
      countOut(stdout, data);
      return;
    }
    if (reportBuf) {
      reportBuf = Buffer.concat([reportBuf, data]);
      return;
    }
    const joined = Buffer.concat([stderrHold, data]);
    const at = joined.indexOf(marker);
    if (at >= 0) {
      countOut(stderr, joined.subarray(0, at));
      reportBuf = joined.subarray(at + marker.length);
      stderrHold = Buffer.alloc(0);
      return;
    }
    const keep = Math.min(joined.length, marker.length - 1);
    if (joined.length > keep) countOut(stderr, joined.subarray(0, joined.length - keep));
    stderrHold = joined.subarray(joined.length - keep);
  });

  const done = new Promise<StepEnd>((resolve) => {
    socket.on('data', (chunk: Buffer) => demux.push(chunk));
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (!reportBuf) {
        if (stderrHold.length) countOut(stderr, stderrHold);
        const text = stderr.text();
        resolve({ kind: 'lost', stderrTail: text.slice(-2000), hostReason });
        return;
      }
      const report = parseReport(reportBuf.toString('utf8').split('\n')[0] ?? '');
      if (!report) {
        resolve({ kind: 'lost', stderrTail: stderr.text().slice(-2000), hostReason });
        return;
      }
      let limit: LimitKind | null = null;
      if (report.limit === 'killed') limit = hostReason === 'output' ? 'output' : hostReason === 'backstop' ? 'wall' : null;
      else if (report.limit !== 'none') limit = report.limit as LimitKind;
      else if (hostReason === 'output') limit = 'output';
      resolve({
        kind: 'report',
        outcome: {
          exitCode: report.exit >= 0 ? report.exit : null,
          signal: report.signal > 0 ? signalName(report.signal) : null,
          stdout: stdout.text(),
          stderr: report.execErrno ? `${stderr.text()}jk-exec: cannot execute: errno ${report.execErrno}\n` : stderr.text(),
          stdoutTruncated: stdout.truncated,
          stderrTruncated: stderr.truncated,
          cpuTimeMs: report.cpuUs / 1000,
          wallTimeMs: report.wallUs / 1000,
          // jk-exec's peak counts anonymous memory only; gVisor's ru_maxrss also counts file-backed
          // pages (a JVM's libraries), so it stands in only for a step too short to be sampled.
          memoryBytes: (report.peakKb > 0 ? report.peakKb : report.maxRssKb) * 1024,
          limitExceeded: limit,
        },
      });
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', () => {});
  });

  socket.write(`${nonce} ${stdin.length}${files ? ' 1' : ''}\n`);
  if (files) socket.write(Buffer.concat([files, Buffer.from([0])]));
  if (stdin.length) socket.write(stdin);
  return { done, kill };
}
