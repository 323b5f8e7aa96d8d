/**
 * An interactive problem: guess the number. The interactor (interactive/interactor.py) talks to
 * the solution (interactive/binary-search.cpp) through pipes, each in its own nsjail sandbox, and
 * its exit code is the verdict. Run as root on a host prepared by `npm run setup`:
 *
 *   npx tsx examples/interactive.ts
 */
import { readFileSync } from 'node:fs';
import { Judge } from '@judgekit/core';
import { NsjailRunner } from '@judgekit/runner-nsjail';

const file = (name: string) => readFileSync(new URL(`./interactive/${name}`, import.meta.url), 'utf8');

await using judge = new Judge({ runner: new NsjailRunner() });
const result = await judge.run({
  language: 'cpp',
  source: file('binary-search.cpp'),
  interactor: { language: 'python3', source: file('interactor.py') },
  tests: [{ input: '1000000 37\n' }, { input: '1000000 999999\n' }, { input: '1 1\n' }],
  limits: { wallTimeMs: 2000 },
});
console.log(result.verdict); // accepted
for (const test of result.tests) console.log(test.name, test.verdict, test.message); // 1 accepted found 37 in 19 queries
