import { randomUUID } from 'node:crypto';
import { JudgeError } from '../errors/judge-error.js';
import { describe } from './schema.js';

let lastMs = -1;
let counter = 0;
let prefix = '';
const counterHex: string[] = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));

/**
 * A new submission id: a UUID version 7 (RFC 9562), whose first 48 bits are the creation time in
 * milliseconds and whose next 12 bits count up within a millisecond. Ids made by one process
 * therefore sort in creation order, which the listing's newest-first order uses as its
 * tie-break, and a database index on them stays append-mostly.
 *
 * @example
 * ```ts
 * submissionId() // '0195f3c1-7a2b-7000-8c4e-5b1d9e0f2a31'
 * ```
 */
export function submissionId(): string {
  const now = Date.now();
  if (now > lastMs) {
    setMs(now);
    counter = 0;
  } else if (++counter > 0xfff) {
    // More than 4096 in one millisecond (or the clock went back): borrow the next millisecond.
    setMs(lastMs + 1);
    counter = 0;
  }
  // randomUUID's variant and random bits (its characters 18 on) complete the id.
  return prefix + counterHex[counter] + randomUUID().slice(18);
}

function setMs(ms: number): void {
  lastMs = ms;
  const t = ms.toString(16).padStart(12, '0');
  prefix = `${t.slice(0, 8)}-${t.slice(8, 12)}-7`;
}

/** Longest submission id a call may name, in characters. */
const maxIdLength = 128;

/** @internal Refuses an id that cannot be a submission's (`JDG_ERR_INPUT_INVALID`), before any store is asked. */
export function checkSubmissionId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > maxIdLength) {
    throw new JudgeError('JDG_ERR_INPUT_INVALID', `id must be a non-empty string, received ${describe(id)}.`, {
      details: { issues: [{ path: 'id', message: `expected a non-empty string of at most ${maxIdLength} characters` }] },
    });
  }
}
