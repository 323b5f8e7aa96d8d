// Embedding judgekit in an application: submit, follow the events, read the result.
// Run: node --import tsx examples/embed.ts
import { Judge } from '@judgekit/core';
import { NsjailRunner } from '@judgekit/runner-nsjail';

await using judge = new Judge({ runner: new NsjailRunner(), concurrency: 2 });

const id = await judge.submit({
  language: 'cpp',
  source: `#include <iostream>
int main() { long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }`,
  tests: [
    { name: 'small', input: '1 2\n', expectedOutput: '3\n' },
    { name: 'large', input: '4000000000 4000000000\n', expectedOutput: '8000000000\n' },
    { name: 'negative', input: '-5 3\n', expectedOutput: '-2\n' },
  ],
  limits: { cpuTimeMs: 1000, memoryBytes: 64 * 1024 * 1024 },
});

for await (const event of judge.watch(id)) {
  if (event.type === 'compiled') console.log(`compiled in ${Math.round(event.compile.wallTimeMs)} ms`);
  if (event.type === 'test') console.log(`test ${event.test.name}: ${event.test.verdict}`);
  if (event.type === 'done') console.log(`verdict: ${event.result.verdict} (${event.result.summary.passed}/${event.result.summary.total})`);
}
