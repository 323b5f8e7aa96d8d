import { describe, expect, it } from 'vitest';
import { FakeRunner } from '../runner/fake-runner.js';
import type { ResultStore, StoredSubmission } from '../store/contract.js';
import { gate, until } from './gate.fixture.js';
import { Judge } from './judge.js';

const input = { language: 'python3', source: 'x' };

describe('Judge with tenants', () => {
  it('answers another tenant’s id exactly like an unknown one, on every call', async () => {
    const g = gate();
    await using judge = new Judge({ runner: new FakeRunner({ program: g.program }), concurrency: 1 });
    const id = await judge.submit(input, { tenant: 'acme' });
    const other = { tenant: 'globex' };
    for (const call of [
      () => judge.get(id, other),
      () => judge.wait(id, other),
      () => judge.cancel(id, other),
      () => judge.watch(id, other).next(),
      () => judge.get(id, { tenant: null }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'JDG_ERR_SUBMISSION_NOT_FOUND', message: `No submission ${id}.` });
    }
    expect(await judge.delete(id, other)).toBe(false);
    expect((await judge.get(id, { tenant: 'acme' })).status).not.toBe('cancelled');
    // Without a tenant option the caller is the application itself: it sees everything.
    expect((await judge.get(id)).id).toBe(id);
    await until(() => g.pending() === 1);
    await g.release();
    expect((await judge.wait(id, { tenant: 'acme' })).verdict).toBe('accepted');
    expect(await judge.delete(id, { tenant: 'acme' })).toBe(true);
  });

  it('lists only the caller’s tenant, newest first, a page at a time', async () => {
    await using judge = new Judge({ runner: new FakeRunner() });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await judge.run({ ...input, metadata: { n: String(i) } }, { tenant: 'acme' })).id);
    await judge.run(input, { tenant: 'globex' });
    await judge.run(input);
    const first = await judge.list({ limit: 2 }, { tenant: 'acme' });
    expect(first.items.map((r) => r.metadata?.n)).toEqual(['4', '3']);
    const second = await judge.list({ limit: 2, cursor: first.nextCursor! }, { tenant: 'acme' });
    const third = await judge.list({ limit: 2, cursor: second.nextCursor! }, { tenant: 'acme' });
    expect([...second.items, ...third.items].map((r) => r.metadata?.n)).toEqual(['2', '1', '0']);
    expect(third.nextCursor).toBeNull();
    expect((await judge.list({}, { tenant: 'globex' })).items).toHaveLength(1);
    expect((await judge.list({}, { tenant: null })).items).toHaveLength(1);
    expect((await judge.list()).items).toHaveLength(7);
    expect((await judge.list({ metadata: { n: '3' } })).items.map((r) => r.id)).toEqual([ids[3]]);
  });

  it('refuses a bad listing query with a coded error naming the field', async () => {
    await using judge = new Judge({ runner: new FakeRunner() });
    await expect(judge.list({ limit: 0 })).rejects.toMatchObject({ code: 'JDG_ERR_INPUT_INVALID', message: /limit/ });
    await expect(judge.list({ verdict: 'great' as never })).rejects.toMatchObject({ code: 'JDG_ERR_INPUT_INVALID', message: /verdict/ });
    await expect(judge.list({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'JDG_ERR_INPUT_INVALID', message: /cursor/ });
    await expect(judge.list({ createdAfter: 'yesterday' })).rejects.toMatchObject({ code: 'JDG_ERR_INPUT_INVALID' });
    await expect(judge.list({ nope: 1 } as never)).rejects.toMatchObject({ code: 'JDG_ERR_INPUT_INVALID' });
  });

  it('says listing is unavailable when the store cannot list', async () => {
    const map = new Map<string, StoredSubmission>();
    const store: ResultStore = { get: (id) => map.get(id), set: (id, v) => void map.set(id, v), delete: (id) => map.delete(id) };
    await using judge = new Judge({ runner: new FakeRunner(), store });
    await judge.run(input, { tenant: 'acme' });
    expect([...map.values()][0]!.tenant).toBe('acme');
    await expect(judge.list()).rejects.toMatchObject({ code: 'JDG_ERR_LISTING_UNAVAILABLE' });
  });

  it('applies a per-call maximum under the judge’s: a request above it is refused, a default above it lowered', async () => {
    const seen: number[] = [];
    await using judge = new Judge({
      runner: new FakeRunner({
        program: (r) => {
          seen.push(r.limits.memoryBytes);
          return {};
        },
      }),
      maxLimits: { memoryBytes: 1 << 30 },
    });
    const quota = { maxLimits: { memoryBytes: 128 << 20 } };
    await expect(judge.submit({ ...input, limits: { memoryBytes: 200 << 20 } }, quota)).rejects.toMatchObject({
      code: 'JDG_ERR_LIMIT_EXCEEDS_MAX',
      details: { max: 128 << 20 },
    });
    await judge.run(input, quota);
    // A quota above the judge's own maximum changes nothing.
    await expect(
      judge.submit({ ...input, limits: { memoryBytes: 2 ** 31 } }, { maxLimits: { memoryBytes: 2 ** 32 } }),
    ).rejects.toMatchObject({
      code: 'JDG_ERR_LIMIT_EXCEEDS_MAX',
      details: { max: 1 << 30 },
    });
    expect(seen).toEqual([128 << 20]);
    await expect(judge.submit(input, { maxLimits: { memoryBytes: -1 } })).rejects.toMatchObject({ code: 'JDG_ERR_INPUT_INVALID' });
  });
});
