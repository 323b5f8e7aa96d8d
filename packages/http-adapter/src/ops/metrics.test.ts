import { readFileSync } from 'node:fs';
import { FakeRunner, Judge } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { AdapterMetrics } from './metrics.js';

const docs = readFileSync(new URL('../../../../docs/http.md', import.meta.url), 'utf8');

describe('metrics', () => {
  it('serves Prometheus-conventional names, each documented in docs/http.md', async () => {
    const judge = new Judge({ runner: new FakeRunner() });
    await judge.run({ language: 'python3', source: 'x' });
    const metrics = new AdapterMetrics(judge);
    metrics.observeRequest('GET', '/healthz', 200, 0.001);
    const text = await metrics.registry.metrics();
    metrics.close();
    await judge.close();
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
    expect(families.length).toBeGreaterThan(10);
    for (const { name, type } of families) {
      expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(name, 'no doubled prefix').not.toMatch(/^(\w+?)_\1_/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_(seconds|bytes)$/);
      if (name.startsWith('judgekit_')) expect(docs, `${name} in docs/http.md`).toContain(`| \`${name}`);
      else expect(name, `${name}: judgekit's own metrics start with judgekit_`).toMatch(/^(process|nodejs)_/);
    }
    expect(text).toMatch(/^judgekit_submissions_finished_total\{verdict="accepted"\} 1$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });
});
