import { type ExecRequest, JudgeError, type LimitKind, type ProcessExit } from '@judgekit/core';
import { type StepReport, signalName } from './exec.js';

const baseEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8' };

/** What bounds every step of a container, whatever its request asks. @internal */
export interface StepCaps {
  memoryBytes: number;
  diskBytes: number;
  cpus: number;
}

/** The limit fields and the NUL-separated environment and argv shared by ops R and X. */
function encodeStep(request: Omit<ExecRequest, 'stdin'>, caps: StepCaps): { fields: number[]; args: Buffer } {
  const { limits } = request;
  const env = Object.entries({ ...baseEnv, ...request.env }).map(([k, v]) => `${k}=${v}`);
  for (const part of [...env, ...request.argv]) {
    if (part.includes('\0')) throw new JudgeError('JDG_ERR_INPUT_INVALID', 'Arguments and environment values cannot contain a NUL byte.');
  }
  const args = Buffer.from([...env, ...request.argv].map((s) => `${s}\0`).join(''), 'utf8');
  const fields = [
    limits.cpuTimeMs,
    limits.wallTimeMs,
    Math.min(limits.memoryBytes, caps.memoryBytes),
    limits.fileSizeBytes,
    limits.openFiles,
    limits.processes,
    Math.round(caps.cpus * 1000),
    limits.outputBytes,
    Math.min(limits.diskBytes, caps.diskBytes),
    limits.diskInodes,
    env.length,
    request.argv.length,
    args.length,
  ];
  return { fields, args };
}

const line = (op: string, fields: number[]): Buffer =>
  Buffer.from(`${op} ${fields.map((n) => String(Math.max(0, Math.floor(n)))).join(' ')}\n`);

/** Encodes a step for `jk-exec serve` (op R, see images/jk-exec.c). @internal */
export function encodeRun(request: ExecRequest, caps: StepCaps): Buffer[] {
  const { fields, args } = encodeStep(request, caps);
  const stdin = typeof request.stdin === 'string' ? Buffer.from(request.stdin, 'utf8') : Buffer.from(request.stdin ?? new Uint8Array());
  return [line('R', [...fields, stdin.length]), args, stdin];
}

/** Encodes a live step (op X): its stdin comes as messages while it runs; a size means a terminal. @internal */
export function encodeSpawn(request: Omit<ExecRequest, 'stdin'>, caps: StepCaps, tty: { cols: number; rows: number } | null): Buffer[] {
  const { fields, args } = encodeStep(request, caps);
  // A live command's output volume is its caller's to count (the spawn contract): a session
  // counts it, and an interactive solution's stdout is the interactor's input, not output. The
  // supervisor would otherwise kill a flood at the limit before the judge's pause reached it.
  fields[7] = Number.MAX_SAFE_INTEGER;
  return [line('X', [...fields, tty?.cols ?? 0, tty?.rows ?? 0]), args];
}

/** A message to a live step: 1 type byte, 4 bytes big-endian length, payload. @internal */
export function message(type: string, payload: Buffer | string = ''): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length, 1);
  return body.length ? Buffer.concat([head, body]) : head;
}

/**
 * How a step ended, from its report: which limit (a host backstop's kill is the wall limit; a
 * kill asked by the judge is none), the measured figures, and a note for stderr when the program
 * could not be executed. Throws `JDG_ERR_SANDBOX_FAILED` when the supervisor could not run it.
 * @internal
 */
export function exitOf(
  r: StepReport,
  limits: ExecRequest['limits'],
  hostReason: 'abort' | 'backstop' | null,
  sandboxId: string,
): ProcessExit & { stderrNote: string } {
  if (r.error) throw new JudgeError('JDG_ERR_SANDBOX_FAILED', `Docker sandbox ${sandboxId} could not prepare the step: ${r.error}`);
  if (r.execStage < 2 && r.execErrno) {
    throw new JudgeError(
      'JDG_ERR_SANDBOX_FAILED',
      `Docker sandbox ${sandboxId} could not start the program as uid 65534 (stage ${r.execStage}, errno ${r.execErrno})`,
    );
  }
  let limit: LimitKind | null = null;
  if (r.limit === 'killed') limit = hostReason === 'backstop' ? 'wall' : null;
  else if (r.limit !== 'none') limit = r.limit as LimitKind;
  const memoryBytes = r.peakKb * 1024;
  return {
    exitCode: r.exit >= 0 ? r.exit : null,
    signal: r.signal > 0 ? signalName(r.signal) : null,
    cpuTimeMs: r.cpuUs / 1000,
    wallTimeMs: r.wallUs / 1000,
    // Sampled every millisecond: a fast allocator can pass the limit before the kill; the
    // reported peak is capped at the limit it exceeded.
    memoryBytes: limit === 'memory' ? Math.min(memoryBytes, limits.memoryBytes) : memoryBytes,
    limitExceeded: limit,
    stderrNote: r.execErrno ? `jk-exec: cannot execute: errno ${r.execErrno}\n` : '',
  };
}
