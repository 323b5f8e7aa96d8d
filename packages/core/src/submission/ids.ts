import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(8 * 256);
let poolAt = pool.length;
let lastMs = 0;
let counter = 0;
const hex: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

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
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = 0;
  } else {
    // The same millisecond (or the clock went back): count up, borrowing the next millisecond when full.
    ms = lastMs;
    if (++counter > 0xfff) {
      lastMs = ++ms;
      counter = 0;
    }
  }
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const r = pool.subarray(poolAt, poolAt + 8);
  poolAt += 8;
  const t = ms.toString(16).padStart(12, '0');
  return (
    `${t.slice(0, 8)}-${t.slice(8, 12)}-7${(counter >> 8).toString(16)}${hex[counter & 0xff]}-` +
    `${hex[(r[0]! & 0x3f) | 0x80]}${hex[r[1]!]}-${hex[r[2]!]}${hex[r[3]!]}${hex[r[4]!]}${hex[r[5]!]}${hex[r[6]!]}${hex[r[7]!]}`
  );
}
