import type { NsjailRunner, PrestartedJailStats } from '../../src/index.js';

/** Waits until `ready` pre-started jails are ready and none is starting; throws after 10 s. */
export async function readyJails(runner: NsjailRunner, ready: number): Promise<PrestartedJailStats> {
  let stats: PrestartedJailStats | null = null;
  for (let i = 0; i < 400; i++) {
    stats = runner.prestartedStats();
    if (stats && stats.ready === ready && stats.building === 0) return stats;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`pre-started jails never reached ${ready} ready: ${JSON.stringify(stats)}`);
}
