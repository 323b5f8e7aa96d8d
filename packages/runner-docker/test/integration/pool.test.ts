import { existsSync, readFileSync } from 'node:fs';
import { defaultLimits, Judge, python3 } from '@judgekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../src/engine.js';
import { DockerRunner, type DockerRunnerOptions } from '../../src/index.js';
import { PrivateDockerd } from './private-dockerd.js';
import { dockerUnavailable } from './require-docker.js';

const missing = await dockerUnavailable();
// These tests restart the engine: they run on a dockerd of their own, never the shared one.
let dockerd: PrivateDockerd;
let engine: EngineClient;
const sharedPid = (): string | null => (existsSync('/var/run/docker.pid') ? readFileSync('/var/run/docker.pid', 'utf8').trim() : null);
const sharedBefore = sharedPid();
const runnerOn = (options: DockerRunnerOptions = {}) => new DockerRunner({ socketPath: dockerd.socketPath, ...options });
const waitFor = async (check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe.skipIf(missing !== null)('docker warm pool, engine restarts and clean-up', () => {
  beforeAll(async () => {
    dockerd = await PrivateDockerd.start(['judgekit/python3:latest']);
    engine = new EngineClient({ socketPath: dockerd.socketPath });
  });
  afterAll(async () => {
    engine?.close();
    await dockerd?.destroy();
  });

  it('prestarts containers, gives each to one submission only, refills in the background and drains on close', async () => {
    const runner = runnerOn({ pool: { size: 2, languages: ['python3'] } });
    // The pool fills once the runner starts (at its first open).
    const first = await runner.open({ language: python3 });
    await waitFor(async () => runner.pooledContainers().length === 2);
    const pooled = runner.pooledContainers();
    const second = await runner.open({ language: python3 });
    const secondId = pooled.find((id) => second.id === `docker-${id.slice(0, 12)}`);
    expect(secondId).toBeDefined();
    await second.dispose();
    await first.dispose();
    await waitFor(async () => runner.pooledContainers().length === 2);
    // A disposed sandbox's container is gone, never put back.
    await runner.settled();
    const ids = await runner.ownContainers();
    expect(ids).not.toContain(secondId);
    expect(ids.sort()).toEqual(runner.pooledContainers().sort());
    await runner.close();
    expect(await runner.ownContainers()).toEqual([]);
  });

  it('works with no pool at all', async () => {
    const runner = runnerOn({ pool: { size: 0 } });
    const box = await runner.open({ language: python3 });
    await box.write([{ path: 'main.py', content: 'print(6 * 7)' }]);
    const out = await box.exec({ argv: ['python3', 'main.py'], limits: defaultLimits });
    expect(out.stdout).toBe('42\n');
    expect(runner.pooledContainers()).toEqual([]);
    await box.dispose();
    await runner.settled();
    expect(await runner.ownContainers()).toEqual([]);
    await runner.close();
  });

  it('hardens every container by default and mounts nothing from the host', async () => {
    const runner = runnerOn({ pool: { size: 0 } });
    const box = await runner.open({ language: python3 });
    try {
      const [id] = await runner.ownContainers();
      const info = await engine.request<{
        Config: { User: string; Labels: Record<string, string> };
        HostConfig: Record<string, unknown>;
        Mounts: unknown[];
      }>('GET', `/containers/${id}/json`);
      const host = info.HostConfig;
      expect(info.Config.User).toBe('65534:65534');
      expect(info.Config.Labels['org.judgekit.runner']).toBe('docker');
      expect(host).toMatchObject({
        Runtime: 'runsc',
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        PidsLimit: 256,
        NanoCpus: 1e9,
      });
      expect(host.Memory).toBeGreaterThan(0);
      expect(host.MemorySwap).toBe(host.Memory);
      expect(host.Privileged).toBe(false);
      expect(Object.keys(host.Tmpfs as object).sort()).toEqual(['/tmp', '/work']);
      expect((host.Ulimits as { Name: string }[]).map((u) => u.Name).sort()).toEqual(['core', 'fsize', 'nofile']);
      expect(host.Binds ?? []).toEqual([]);
      expect(info.Mounts).toEqual([]);
      // The engine's socket is nowhere inside.
      await box.write([
        { path: 'main.py', content: 'import os\nprint([p for p in ("/var/run/docker.sock", "/run/docker.sock") if os.path.exists(p)])' },
      ]);
      const out = await box.exec({ argv: ['python3', 'main.py'], limits: defaultLimits });
      expect(out.stdout).toBe('[]\n');
    } finally {
      await box.dispose();
      await runner.close();
    }
  });

  it('removes containers left by a judge that crashed when it starts', async () => {
    const created = await engine.request<{ Id: string }>('POST', '/containers/create', {
      Image: 'judgekit/python3:latest',
      Cmd: ['/usr/local/bin/jk-exec', 'init'],
      Labels: {
        'org.judgekit.runner': 'docker',
        'org.judgekit.owner': 'crashed',
        'org.judgekit.pid': '999999999',
        'org.judgekit.host': (await import('node:os')).hostname(),
      },
      HostConfig: { Runtime: 'runsc', NetworkMode: 'none' },
    });
    await engine.request('POST', `/containers/${created.Id}/start`);
    const runner = runnerOn({ pool: { size: 0 } });
    const box = await runner.open({ language: python3 });
    await box.dispose();
    await expect(engine.request('GET', `/containers/${created.Id}/json`)).rejects.toMatchObject({ status: 404 });
    await runner.close();
  });

  it('reports the engine, runtimes and images in health, with a fix for each problem', async () => {
    const runner = runnerOn({ images: { nosuch: 'judgekit/nosuch:none' }, pool: { size: 0 } });
    const health = await runner.health();
    expect(health.ready).toBe(true);
    expect(health.details.engineVersion).toMatch(/\d+\.\d+/);
    expect(health.details.runtimes).toContain('runsc');
    expect(health.details.images).toContain('python3=judgekit/python3:latest');
    expect(health.problems).toContainEqual({
      message: 'Image judgekit/nosuch:none (language nosuch) is missing.',
      fix: 'sudo scripts/images/build.sh',
    });
    await runner.close();
    const down = new DockerRunner({ socketPath: '/nonexistent/docker.sock' });
    const bad = await down.health();
    expect(bad.ready).toBe(false);
    expect(bad.problems[0]?.fix).toContain('scripts/setup/docker.sh');
    await down.close();
  });

  it('survives a dockerd restart: running submissions end as internal_error, later ones succeed', async () => {
    const runner = runnerOn({ pool: { size: 2, languages: ['python3'] } });
    const judge = new Judge({ runner, concurrency: 2 });
    try {
      const warm = await judge.run({ language: 'python3', source: 'print("before")' });
      expect(warm.verdict).toBe('accepted');
      await waitFor(async () => runner.pooledContainers().length === 2);
      const running = judge.run({ language: 'python3', source: 'import time\ntime.sleep(20)', limits: { wallTimeMs: 30_000 } });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const pidBefore = dockerd.pid();
      await dockerd.restart();
      expect(dockerd.pid()).not.toBe(pidBefore);
      const broken = await running;
      expect(broken.verdict).toBe('internal_error');
      // The pool was lost with the engine; it is refilled once the engine answers again.
      const after = await judge.run({ language: 'python3', source: 'print("after")' });
      expect(after.verdict).toBe('accepted');
      expect(after.tests[0]?.stdout ?? '').toContain('after');
    } finally {
      await judge.close();
      await runner.close();
    }
    expect(await runner.ownContainers()).toEqual([]);
  });

  it('never stopped the shared engine', () => {
    expect(sharedPid()).toBe(sharedBefore);
  });
});
