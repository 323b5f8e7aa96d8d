import { readFileSync } from 'node:fs';
import { Judge } from '@judgekit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { NsjailRunner } from '../../src/index.js';
import { nsjailAvailable } from './nsjail-available.js';

const example = (name: string) => readFileSync(new URL(`../../../../examples/interactive/${name}`, import.meta.url), 'utf8');

const tests = [{ input: '1000000 37\n' }, { input: '1000000 999999\n' }, { input: '1 1\n' }];

if (nsjailAvailable()) {
  const runner = new NsjailRunner();
  const judge = new Judge({ runner });
  afterAll(() => judge.close());

  for (const [language, ext] of [
    ['python3', 'py'],
    ['cpp', 'cpp'],
  ] as const) {
    describe(`interactive problems in ${language}, on nsjail`, () => {
      const interactor = { language, source: example(`interactor.${ext}`) };
      const run = (solution: string, extra: object = {}) =>
        judge.run({ language, source: example(solution), interactor, tests, limits: { wallTimeMs: 2000 }, ...extra });

      it('accepts a binary search, with the interactor’s stderr as the message', async () => {
        const result = await run(`binary-search.${ext}`);
        expect(result.verdict, JSON.stringify(result.message)).toBe('accepted');
        expect(result.tests.map((t) => t.verdict)).toEqual(['accepted', 'accepted', 'accepted']);
        expect(result.tests[0]!.message).toMatch(/found 37 in \d+ queries/);
      });

      it('gives a linear search wrong_answer at the query limit', async () => {
        const result = await run(`linear-search.${ext}`, { stopOnFirstFailure: true });
        expect(result.verdict).toBe('wrong_answer');
        expect(result.tests[0]).toMatchObject({ verdict: 'wrong_answer', message: 'more than 25 queries' });
      });

      it('ends a solution that never talks at its wall limit as time_limit_exceeded', async () => {
        const started = performance.now();
        const result = await run(`silent.${ext}`, { stopOnFirstFailure: true, limits: { wallTimeMs: 1000 } });
        expect(result.tests[0]).toMatchObject({ verdict: 'time_limit_exceeded' });
        expect(performance.now() - started).toBeLessThan(8000);
      });

      it('gives a flood whatever the interactor says', async () => {
        const result = await run(`flood.${ext}`, { stopOnFirstFailure: true });
        expect(result.tests[0]).toMatchObject({ verdict: 'wrong_answer', message: 'more than 25 queries' });
      });

      it('reports a crashing interactor as internal_error', async () => {
        const result = await judge.run({
          language,
          source: example(`binary-search.${ext}`),
          interactor: { language, source: example(`crashing-interactor.${ext}`) },
          tests: tests.slice(0, 1),
        });
        expect(result.verdict).toBe('internal_error');
        expect(result.message).toMatch(/interactor crashed/);
      });
    });
  }

  describe('interactive problems, mixed', () => {
    it('passes the expected output as argv[2] and a python interactor judges a C++ solution', async () => {
      const result = await judge.run({
        language: 'cpp',
        source: example('binary-search.cpp'),
        interactor: {
          language: 'python3',
          source: 'import sys\nprint(open(sys.argv[2]).read().strip(), file=sys.stderr)\nsys.exit(0 if len(sys.argv) == 3 else 3)\n',
        },
        tests: [{ input: '5 1\n', expectedOutput: 'the expected file\n' }],
      });
      expect(result.tests[0]).toMatchObject({ verdict: 'accepted', message: 'the expected file' });
    });
  });
} else {
  describe('interactive problems on nsjail', () => {
    it.skip('needs nsjail and root (set CI to make this a failure)', () => undefined);
  });
}
