import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statfsSync } from 'node:fs';

/**
 * Watches the test process's event loop: a 20 ms interval records how late it fires. The judge
 * stays responsive when the worst lateness is small while a hostile program runs.
 */
export function watchEventLoop(): { stop(): number } {
  const periodMs = 20;
  let last = performance.now();
  let worstLagMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worstLagMs = Math.max(worstLagMs, now - last - periodMs);
    last = now;
  }, periodMs);
  return {
    stop() {
      clearInterval(timer);
      return worstLagMs;
    },
  };
}

/** Host pids whose effective uid is in `[first, first + count)`: sandbox processes still alive. */
export function processesWithUids(first: number, count: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1]);
      if (uid >= first && uid < first + count) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** @internal sha256 of each file, to prove the host's files are unchanged. */
export function hashFiles(paths: readonly string[]): Record<string, string> {
  return Object.fromEntries(paths.map((p) => [p, createHash('sha256').update(readFileSync(p)).digest('hex')]));
}

const freeBytes = (path: string): number => {
  const s = statfsSync(path);
  return s.bavail * s.bsize;
};

/**
 * @internal Samples the free space of the file systems holding `paths` every 100 ms: the lowest
 * seen during a case tells whether a program's files reached the host's disk, even when its
 * sandbox removed them afterwards.
 */
export function watchFreeDisk(paths: readonly string[]): {
  stop(): { path: string; beforeBytes: number; lowestBytes: number; afterBytes: number }[];
} {
  const before = paths.map(freeBytes);
  const lowest = [...before];
  const sample = (): void => {
    paths.forEach((p, i) => {
      lowest[i] = Math.min(lowest[i]!, freeBytes(p));
    });
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return paths.map((path, i) => ({ path, beforeBytes: before[i]!, lowestBytes: lowest[i]!, afterBytes: freeBytes(path) }));
    },
  };
}
