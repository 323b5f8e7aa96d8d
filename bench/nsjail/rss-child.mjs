// The judge's resident memory through many runs, in a plain Node process that imports the built
// packages (no TypeScript loader in the figure). Prints JSON: { start, peak, end } in bytes.
// Usage: node bench/nsjail/rss-child.mjs RUNS
import { Judge } from '@judgekit/core';
import { NsjailRunner } from '@judgekit/runner-nsjail';

const totalRuns = Number(process.argv[2] ?? 5000);
const perSubmission = 20;
const judge = new Judge({ runner: new NsjailRunner(), concurrency: 2, maxQueued: 100_000 });
const tests = Array.from({ length: perSubmission }, (_, i) => ({ input: `${i}\n`, expectedOutput: `${i}\n` }));
// One warm-up submission: the figure is the judge at work, not its first import.
await judge.run({ language: 'bash', source: 'read x; echo "$x"', tests });
const start = process.memoryUsage().rss;
let peak = start;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
let next = 0;
const submissions = Math.ceil(totalRuns / perSubmission);
const worker = async () => {
  while (next < submissions) {
    next++;
    const result = await judge.run({ language: 'bash', source: 'read x; echo "$x"', tests });
    if (result.verdict !== 'accepted') throw new Error(`memory run: ${result.verdict} ${result.message ?? ''}`);
  }
};
await Promise.all([worker(), worker()]);
clearInterval(sampler);
const end = process.memoryUsage().rss;
await judge.close();
console.log(JSON.stringify({ start, peak, end }));
