// Test helpers shared by the judge's unit tests (not part of the package).
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { JudgeError } from '../errors/judge-error.js';
import type { FakeProgram } from '../runner/fake-runner.js';

/** A program that blocks until released, recording how many ran at once and in what order. */
export function gate() {
  let running = 0;
  let maxRunning = 0;
  const order: string[] = [];
  const waiting: (() => void)[] = [];
  const program: FakeProgram = async (request, _files, { signal }) => {
    if (request.argv[0] === 'gcc') return {};
    order.push(String(request.stdin));
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise<void>((resolve, reject) => {
      waiting.push(resolve);
      signal?.addEventListener('abort', () => reject(new JudgeError('JDG_ERR_OPERATION_ABORTED', 'aborted')), { once: true });
    });
    running--;
    return { stdout: 'ok\n' };
  };
  return {
    program,
    order,
    get maxRunning() {
      return maxRunning;
    },
    release: async (n = Number.POSITIVE_INFINITY) => {
      for (let i = 0; i < n && waiting.length > 0; i++) waiting.shift()!();
      await sleep(5);
    },
    pending: () => waiting.length,
  };
}

export const until = async (fn: () => boolean) => {
  for (let i = 0; i < 400 && !fn(); i++) await sleep(5);
  expect(fn()).toBe(true);
};
