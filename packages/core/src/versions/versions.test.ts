import { describe, expect, it } from 'vitest';
import { Judge } from '../judge/judge.js';
import { python3 } from '../languages/builtins.js';
import { FakeRunner } from '../runner/fake-runner.js';
import { VersionCache, type VersionSource, versionMatches } from './versions.js';

describe('versionMatches', () => {
  it.each([
    ['3.11.2', '3.11.2', true],
    ['3.11', '3.11.2', true],
    ['3', '3.11.2', true],
    ['3.1', '3.11.2', false],
    ['3.x', '3.11.2', true],
    ['3.11.*', '3.11.2', true],
    ['*', '3.11.2', true],
    ['4', '3.11.2', false],
    ['3.11.2.1', '3.11.2', false],
  ])('%s selects %s: %s', (wanted, actual, expected) => {
    expect(versionMatches(wanted, actual)).toBe(expected);
  });
});

describe('VersionCache', () => {
  it('probes a language once for any number of callers, then answers from the cache', async () => {
    let probes = 0;
    const source: VersionSource = {
      detect: async () => {
        probes++;
        await new Promise((r) => setTimeout(r, 10));
        return '3.11.2';
      },
    };
    const cache = new VersionCache(source);
    expect(cache.known('python3')).toBeNull();
    expect(await Promise.all([cache.get(python3), cache.get(python3), cache.get(python3)])).toEqual(['3.11.2', '3.11.2', '3.11.2']);
    expect(await cache.get(python3)).toBe('3.11.2');
    expect(cache.known('python3')).toBe('3.11.2');
    expect(probes).toBe(1);
  });

  it('probes again after retryMs when a probe could not tell, and not before', async () => {
    let answer: string | null = null;
    let probes = 0;
    const cache = new VersionCache(
      {
        detect: async () => {
          probes++;
          return answer;
        },
      },
      { retryMs: 30 },
    );
    expect(await cache.get(python3)).toBeNull();
    answer = '3.12.0';
    expect(await cache.get(python3)).toBeNull();
    await new Promise((r) => setTimeout(r, 40));
    expect(await cache.get(python3)).toBe('3.12.0');
    expect(probes).toBe(2);
  });

  it('lets one caller stop waiting without failing the probe for the others', async () => {
    let release!: (v: string) => void;
    const cache = new VersionCache({ detect: () => new Promise<string>((r) => (release = r)) });
    const controller = new AbortController();
    const impatient = cache.get(python3, { signal: controller.signal });
    const patient = cache.get(python3);
    controller.abort();
    await expect(impatient).rejects.toMatchObject({ code: 'JDG_ERR_OPERATION_ABORTED' });
    release('3.11.2');
    expect(await patient).toBe('3.11.2');
  });

  it('refuses a wanted version the host lacks, or one it cannot tell', async () => {
    const cache = new VersionCache({ detect: async (l) => (l.id === 'python3' ? '3.11.2' : null) });
    expect(await cache.require(python3, '3.11')).toBe('3.11.2');
    await expect(cache.require(python3, '3.12')).rejects.toMatchObject({
      code: 'JDG_ERR_LANGUAGE_UNKNOWN',
      message: 'python3 3.12 is not available; this host has 3.11.2.',
      details: { available: '3.11.2' },
    });
    await expect(cache.require({ ...python3, id: 'other' }, '1')).rejects.toMatchObject({
      code: 'JDG_ERR_LANGUAGE_UNKNOWN',
      details: { available: null },
    });
  });
});

describe('Judge versions', () => {
  it('never probes on the submit path unless a version is asked for', async () => {
    const argv: string[] = [];
    await using judge = new Judge({
      runner: new FakeRunner({
        program: (r) => {
          argv.push(r.argv.join(' '));
          return r.argv.includes('--version') ? { stdout: 'Python 3.11.2\n' } : {};
        },
      }),
    });
    const plain = await judge.run({ language: 'python3', source: 'x' });
    expect(plain.language.version).toBeNull();
    expect(argv).toEqual(['python3 -B main.py']);
    const pinned = await judge.run({ language: 'python3', version: '3', source: 'x' });
    expect(pinned.language.version).toBe('3.11.2');
    // Known now: later results carry it without another probe.
    expect((await judge.run({ language: 'python3', source: 'x' })).language.version).toBe('3.11.2');
    expect(argv.filter((a) => a.includes('--version'))).toHaveLength(1);
  });

  it('learns versions from a pluggable source on an API-only judge', async () => {
    await using judge = new Judge({ concurrency: 0, versions: { source: { detect: async () => '9.9.9' } } });
    expect(await judge.version('python3')).toBe('9.9.9');
    const id = await judge.submit({ language: 'python3', version: '9.9', source: 'x' });
    expect((await judge.get(id)).language.version).toBe('9.9.9');
    await expect(judge.submit({ language: 'python3', version: '3', source: 'x' })).rejects.toMatchObject({
      code: 'JDG_ERR_LANGUAGE_UNKNOWN',
    });
  });

  it('probes every language in the background with probe: eager', async () => {
    const probed = new Set<string>();
    await using judge = new Judge({
      concurrency: 0,
      versions: {
        probe: 'eager',
        source: {
          detect: async (l) => {
            probed.add(l.id);
            return '1.0.0';
          },
        },
      },
    });
    await new Promise((r) => setTimeout(r, 10));
    expect([...probed].sort()).toEqual(judge.languages.ids().sort());
  });
});
