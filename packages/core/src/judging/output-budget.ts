import { abortError } from '../errors/judge-error.js';

/**
 * @internal The judge-wide bound on output held by commands running at once: before a command
 * runs, its `outputBytes` limit (what its runner may buffer for it) is reserved, and released
 * once its outcome has been judged. A reservation that does not fit waits, first come first
 * served; one larger than the whole budget takes all of it. Synchronous when it fits.
 */
export class OutputBudget {
  readonly #capacity: number;
  #held = 0;
  readonly #waiters: { bytes: number; resolve: () => void }[] = [];
  /** Reservations that had to wait, in all. */
  waits = 0;

  constructor(capacityBytes: number) {
    this.#capacity = capacityBytes;
  }

  /** Bytes reserved now. */
  get held(): number {
    return this.#held;
  }

  /** Reserves up to `bytes` (at most the whole budget); returns what it reserved, or a promise of it. */
  acquire(bytes: number, signal: AbortSignal): number | Promise<number> {
    const want = Math.min(bytes, this.#capacity);
    if (this.#waiters.length === 0 && this.#held + want <= this.#capacity) {
      this.#held += want;
      return want;
    }
    this.waits++;
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        bytes: want,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(want);
        },
      };
      const onAbort = () => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(abortError(signal));
        this.#grant();
      };
      this.#waiters.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives back what {@link acquire} reserved. */
  release(bytes: number): void {
    this.#held -= bytes;
    this.#grant();
  }

  #grant(): void {
    while (this.#waiters.length > 0 && this.#held + this.#waiters[0]!.bytes <= this.#capacity) {
      const next = this.#waiters.shift()!;
      this.#held += next.bytes;
      next.resolve();
    }
  }
}

/**
 * @internal Keeps at most `remaining` bytes of a step's stdout and stderr (stdout first) in its
 * result, marking what was cut as truncated; the checker has already seen the whole output.
 * Returns the bytes kept.
 */
export function retainOutput(
  step: { stdout: string; stderr: string; stdoutTruncated: boolean; stderrTruncated: boolean },
  remaining: number,
): number {
  const out = cut(step.stdout, remaining);
  if (out !== step.stdout) {
    step.stdout = out;
    step.stdoutTruncated = true;
  }
  const outBytes = byteLength(step.stdout);
  const err = cut(step.stderr, remaining - outBytes);
  if (err !== step.stderr) {
    step.stderr = err;
    step.stderrTruncated = true;
  }
  return outBytes + byteLength(step.stderr);
}

function byteLength(s: string): number {
  return s.length === 0 ? 0 : Buffer.byteLength(s);
}

/** The longest prefix of `s` of at most `max` UTF-8 bytes, cut at a character boundary. */
function cut(s: string, max: number): string {
  if (max <= 0) return s.length === 0 ? s : '';
  // A UTF-16 unit is at most 3 UTF-8 bytes: short strings cannot be over.
  if (s.length * 3 <= max || Buffer.byteLength(s) <= max) return s;
  let cutAt = Math.min(s.length, max);
  for (;;) {
    // Never split a surrogate pair.
    if (cutAt > 0 && (s.charCodeAt(cutAt - 1) & 0xfc00) === 0xd800) cutAt--;
    const kept = s.slice(0, cutAt);
    const bytes = Buffer.byteLength(kept);
    if (bytes <= max) return kept;
    cutAt = Math.floor((cutAt * max) / bytes);
  }
}
