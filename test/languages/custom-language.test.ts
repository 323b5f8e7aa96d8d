import { Judge } from '@judgekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lua } from './lua.js';
import { runnerCases, runnerReady } from './runners.js';

const MiB = 1024 * 1024;

for (const runnerCase of runnerCases) {
  const ready = await runnerReady(runnerCase);

  describe.runIf(ready)(`a custom language (Lua, from docs/languages.md) on the ${runnerCase.name} runner`, () => {
    let judge: Judge;
    beforeAll(() => {
      judge = new Judge({ runner: runnerCase.create(), languages: [lua], concurrency: 1 });
    });
    afterAll(() => judge?.close());

    it('is listed beside the built-ins and detects its version', async () => {
      expect(judge.languages.ids()).toContain('lua');
      expect(judge.languages.find('lua5.4')?.id).toBe('lua');
      expect(await judge.version('lua')).toMatch(/^5\.4\.\d+$/);
    });

    it('judges a Lua program against its tests', async () => {
      const r = await judge.run({
        language: 'lua',
        source: 'local s = 0\nfor x in io.read("a"):gmatch("%-?%d+") do s = s + tonumber(x) end\nprint(s)\n',
        tests: [
          { input: '1 2 3\n', expectedOutput: '6' },
          { input: '-5 5 100\n', expectedOutput: '100' },
          { input: '7\n', expectedOutput: '8' },
        ],
      });
      expect(r.tests.map((t) => t.verdict)).toEqual(['accepted', 'accepted', 'wrong_answer']);
    });

    it('reports a Lua error as a runtime error', async () => {
      const r = await judge.run({ language: 'lua', source: 'error("boom")\n' });
      expect(r.verdict).toBe('runtime_error');
      expect(r.tests[0]!.stderr).toMatch(/boom/);
    });

    it('stops an endless loop and a memory hog at their limits', async () => {
      const loop = await judge.run({ language: 'lua', source: 'while true do end\n', limits: { cpuTimeMs: 1000, wallTimeMs: 4000 } });
      expect(loop.verdict).toBe('time_limit_exceeded');
      const hog = await judge.run({
        language: 'lua',
        source: 'local t = {}\nlocal i = 0\nwhile true do i = i + 1; t[i] = string.rep("x", 1 << 20) .. i end\n',
        limits: { memoryBytes: 64 * MiB, cpuTimeMs: 10_000, wallTimeMs: 20_000 },
      });
      expect(hog.verdict).toBe('memory_limit_exceeded');
    });
  });
}
