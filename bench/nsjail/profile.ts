import { Judge } from '@judgekit/core';
import { NsjailRunner } from '@judgekit/runner-nsjail';
import { treeCpuNs } from '../peers/cpu.js';

const forker = process.argv[2] !== 'noforker';
const runner = new NsjailRunner({ forker });
const judge = new Judge({ runner, concurrency: 2 });
const n = Number(process.env.N ?? 60);
for (let i = 0; i < 5; i++) await judge.run({ language: 'python3', source: 'print(1)' });
const settle = async () => {
  for (let i = 0; i < 250; i++) {
    const s = runner.prestartedStats();
    if (!s || s.building === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
};
await settle();
const self0 = process.cpuUsage();
const tree0 = treeCpuNs('self');
let progCpu = 0;
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  const r = await judge.run({ language: 'python3', source: 'print(1)' });
  progCpu += r.tests[0]!.cpuTimeMs;
}
await settle();
const wall = performance.now() - t0;
const self1 = process.cpuUsage(self0);
const tree1 = treeCpuNs('self');
console.log(
  `forker=${forker} per run: wall ${(wall / n).toFixed(1)} ms, judge self ${((self1.user + self1.system) / 1000 / n).toFixed(2)} ms (user ${(self1.user / 1000 / n).toFixed(2)} sys ${(self1.system / 1000 / n).toFixed(2)}), whole tree ${((tree1 - tree0) / 1e6 / n).toFixed(2)} ms, program (cgroup) ${(progCpu / n).toFixed(2)} ms, rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`,
);
{
  const before = runner.prestartedStats()!;
  const t = performance.now();
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next++ < 100) await judge.run({ language: 'python3', source: 'print(1)' });
    }),
  );
  const after = runner.prestartedStats()!;
  console.log(
    `  burst at conc 2: ${(100 / ((performance.now() - t) / 1000)).toFixed(1)} runs/s, hits ${after.hits - before.hits}, misses ${after.misses - before.misses}`,
  );
}
await judge.close();
