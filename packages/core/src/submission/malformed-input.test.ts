import { describe, expect, it } from 'vitest';
import { isJudgeError } from '../errors/judge-error.js';
import { Judge } from '../judge/judge.js';
import { FakeRunner } from '../runner/fake-runner.js';

/** A small deterministic generator, so a failure names a reproducible case. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const huge = 'x'.repeat(64 * 1024 * 1024 + 1);
const valid = { language: 'python3', source: 'print(1)' };

function malformedInputs(count: number): unknown[] {
  const rnd = random(20261125);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const junk = [
    null,
    undefined,
    0,
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'x',
    true,
    [],
    {},
    [1],
    { a: 1 },
    () => 1,
    Symbol('s'),
    10n,
  ];
  const badLimit = [-1, 0, 0.5, 1e300, Number.NaN, Number.POSITIVE_INFINITY, '1000', null, {}, [], true, -0.0001, 2 ** 53];
  const pollute = ['__proto__', 'constructor', 'prototype'];
  const makers: (() => unknown)[] = [
    () => pick(junk),
    () => ({ ...valid, language: pick(junk) }),
    () => ({ ...valid, language: `lang-${Math.floor(rnd() * 1e6)}` }),
    () => ({ ...valid, language: huge.slice(0, 100 + Math.floor(rnd() * 1000)) }),
    () => ({ ...valid, source: pick(junk.filter((j) => typeof j !== 'string' && j !== undefined)) }),
    () => ({ ...valid, source: huge }),
    () => ({ language: 'python3' }),
    () => ({ ...valid, files: [{ content: 'x' }] }),
    () => ({
      language: 'python3',
      files: pick([
        [],
        [{}],
        [{ name: '../etc/passwd', content: 'x' }],
        [{ name: '/abs', content: 'x' }],
        [{ name: 'a', content: 'x', encoding: 'utf16' }],
        'x',
        [{ name: 'a/../../b', content: '' }],
      ]),
    }),
    () => ({
      ...valid,
      limits: {
        [pick(['cpuTimeMs', 'wallTimeMs', 'memoryBytes', 'processes', 'outputBytes', 'fileSizeBytes', 'openFiles'])]: pick(badLimit),
      },
    }),
    () => ({ ...valid, limits: { cpuTimeMs: 1000, gpuCount: 1 } }),
    () => ({
      ...valid,
      limits: pick(
        junk.filter((j) => j !== undefined && !(typeof j === 'object' && j !== null && !Array.isArray(j) && Object.keys(j).length === 0)),
      ),
    }),
    () => ({ ...valid, limits: { memoryBytes: 3 * 1024 ** 3 } }),
    () => ({ ...valid, limits: { cpuTimeMs: 1_000_000 } }),
    () => ({
      ...valid,
      tests: pick([
        [],
        'x',
        [null],
        [{ input: 5 }],
        [{ expectedOutput: [] }],
        Array.from({ length: 1001 }, () => ({})),
        [{ limits: { cpuTimeMs: -5 } }],
        [{ extra: 1 }],
      ]),
    }),
    () => ({ ...valid, stdin: 'x', tests: [{}] }),
    () => ({
      ...valid,
      checker: pick([
        'fuzzy',
        { type: 'float', absTolerance: -1 },
        { type: 'custom' },
        { type: 'custom', language: 'nope', source: 'x' },
        5,
        { type: 'lines', extra: true },
      ]),
    }),
    () => ({ ...valid, args: pick(['x', [1], [null], Array.from({ length: 65 }, () => 'a')]) }),
    () => ({ ...valid, stopOnFirstFailure: pick(['yes', 1, null]) }),
    () => JSON.parse(`{"language":"python3","source":"x","${pick(pollute)}":{"polluted":true}}`),
    () => JSON.parse(`{"language":"python3","source":"x","limits":{"${pick(pollute)}":{"polluted":true}}}`),
    () => JSON.parse(`{"language":"python3","source":"x","tests":[{"${pick(pollute)}":{"polluted":true}}]}`),
    () => JSON.parse(`{"language":"python3","source":"x","metadata":{"__proto__":{"polluted":true}}}`),
    () => ({ ...valid, metadata: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'])) }),
    () => ({ ...valid, [`unknown${Math.floor(rnd() * 100)}`]: 1 }),
    () => ({ ...valid, version: pick([5, '', huge.slice(0, 100)]) }),
  ];
  return Array.from({ length: count }, (_, i) => makers[i % makers.length]!());
}

describe('malformed input', () => {
  it('answers 1,000 malformed submissions with coded errors, queues nothing and keeps serving', async () => {
    await using judge = new Judge({ runner: new FakeRunner(), maxLimits: { memoryBytes: 2 * 1024 ** 3 } });
    const codes = new Map<string, number>();
    const inputs = malformedInputs(1000);
    for (const [i, input] of inputs.entries()) {
      const error = await judge.submit(input as never).then(
        (id) => new Error(`case ${i} was accepted as ${id}: ${JSON.stringify(input)?.slice(0, 200)}`),
        (e: unknown) => e,
      );
      if (!isJudgeError(error)) throw error;
      expect(['JDG_ERR_INPUT_INVALID', 'JDG_ERR_LANGUAGE_UNKNOWN', 'JDG_ERR_LIMIT_EXCEEDS_MAX']).toContain(error.code);
      expect(error.details.issues?.length, `case ${i} names no field`).toBeGreaterThan(0);
      expect(error.message.length).toBeLessThan(400);
      codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
    }
    expect(codes.size).toBe(3);
    expect(judge.stats()).toMatchObject({ queued: 0, running: 0, finished: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await judge.run(valid)).verdict).toBe('accepted');
  });

  it('rejects malformed ids and wait options with coded errors', async () => {
    await using judge = new Judge({ runner: new FakeRunner() });
    for (const id of [undefined, null, 5, '', 'x'.repeat(1000), {}]) {
      for (const call of [
        () => judge.get(id as never),
        () => judge.cancel(id as never),
        () => judge.delete(id as never),
        () => judge.wait(id as never),
      ]) {
        await expect(call()).rejects.toMatchObject({ code: 'JDG_ERR_INPUT_INVALID' });
      }
    }
    const { id } = await judge.run(valid);
    await expect(judge.wait(id, { timeoutMs: -1 })).rejects.toMatchObject({ code: 'JDG_ERR_INPUT_INVALID' });
  });
});
