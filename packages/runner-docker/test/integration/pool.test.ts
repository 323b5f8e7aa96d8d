import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLimits, Judge, python3 } from '@judgekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../src/engine.js';
import { DockerRunner, type DockerRunnerOptions } from '../../src/index.js';
import { supervisorCapabilities } from '../../src/runner.js';
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
        Config: { User: string; Cmd: string[]; Labels: Record<string, string> };
        HostConfig: Record<string, unknown>;
        Mounts: unknown[];
      }>('GET', `/containers/${id}/json`);
      const host = info.HostConfig;
      // Root inside gVisor is the supervisor only; programs run as 65534 with no capabilities.
      expect(info.Config.User).toBe('0:0');
      expect(info.Config.Cmd).toEqual(['/usr/local/bin/jk-exec', 'serve']);
      expect(info.Config.Labels['org.judgekit.runner']).toBe('docker');
      expect(host).toMatchObject({
        Runtime: 'runsc',
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        CapAdd: supervisorCapabilities,
        SecurityOpt: ['no-new-privileges'],
        PidsLimit: 256,
        NanoCpus: 1e9,
      });
      expect(host.Memory).toBeGreaterThan(0);
      expect(host.MemorySwap).toBe(host.Memory);
      expect(host.Privileged).toBe(false);
      expect(Object.keys(host.Tmpfs as object).sort()).toEqual(['/run', '/tmp', '/work']);
      expect((host.Ulimits as { Name: string }[]).map((u) => u.Name).sort()).toEqual(['core', 'fsize', 'nofile']);
      expect(host.Binds ?? []).toEqual([]);
      expect(info.Mounts).toEqual([]);
      // The engine's socket is nowhere inside.
      await box.write([
        { path: 'main.py', content: 'import os\nprint([p for p in ("/var/run/docker.sock", "/run/docker.sock") if os.path.exists(p)])' },
      ]);
      const out = await box.exec({ argv: ['python3', 'main.py'], limits: defaultLimits });
      expect(out.stdout).toBe('[]\n');
      // The program's own view: uid 65534, no capability in any set, no new privileges.
      await box.write([
        {
          path: 'caps.py',
          content:
            'import ctypes, os\nnnp = ctypes.CDLL(None).prctl(39, 0, 0, 0, 0)\nprint(os.getuid(), os.getgid(), os.getgroups(), nnp, [l.split()[1] for l in open("/proc/self/status") if l.startswith("Cap")])',
        },
      ]);
      const caps = await box.exec({ argv: ['python3', 'caps.py'], limits: defaultLimits });
      expect(caps.stdout).toBe("65534 65534 [] 1 ['0000000000000000', '0000000000000000', '0000000000000000', '0000000000000000']\n");
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

  it('holds queued submissions through an engine restart: only the running one fails, readiness says so meanwhile', async () => {
    const runner = runnerOn({ pool: { size: 0 } });
    const judge = new Judge({ runner, concurrency: 1, runnerFaults: { maxWaitMs: 60_000, checkIntervalMs: 200 } });
    try {
      expect((await judge.run({ language: 'python3', source: 'print("warm")' })).verdict).toBe('accepted');
      const running = judge.run({ language: 'python3', source: 'import time\ntime.sleep(20)', limits: { wallTimeMs: 30_000 } });
      await waitFor(async () => (await runner.ownContainers()).length === 1);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const queued = [1, 2, 3].map((n) => judge.run({ language: 'python3', source: `print(${n} * 7)` }));
      // A 5 s blip: dockerd stops (its containers with it) and comes back.
      await dockerd.down();
      expect((await running).verdict).toBe('internal_error');
      await waitFor(async () => !judge.ready().ready && judge.ready().waitingForRunner >= 1, 10_000);
      const health = await judge.health();
      expect(health.ready).toBe(false);
      expect(health.problems[0]?.message).toMatch(/unavailable since .*queued submissions wait for it/);
      await new Promise((resolve) => setTimeout(resolve, 4000));
      await dockerd.up();
      const results = await Promise.all(queued);
      expect(results.map((r) => r.verdict)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(results.map((r) => r.tests[0]?.stdout)).toEqual(['7\n', '14\n', '21\n']);
      expect(judge.ready().ready).toBe(true);
    } finally {
      if (!(await dockerd.answers())) await dockerd.up();
      await judge.close();
      await runner.close();
    }
  });

  it('kills judgekit gVisor sandboxes the engine lost, at start, and leaves others alone', async () => {
    // A sandbox of the kind dockerd's shutdown can leave: running under runsc in the engine's
    // runsc root, unknown to the engine (so no label sweep sees it). Made here with runsc itself.
    const bundle = mkdtempSync(join(tmpdir(), 'judgekit-leak-'));
    const leakId = `judgekit-leak-${process.pid}-${Date.now()}`;
    // runsc takes an id's prefix for the id: neither may start the other.
    const otherId = `judgekit-other-${process.pid}-${Date.now()}`;
    try {
      mkdirSync(join(bundle, 'rootfs'));
      const exporter = await engine.request<{ Id: string }>('POST', '/containers/create', {
        Image: 'judgekit/python3:latest',
        Cmd: ['true'],
      });
      execFileSync('bash', [
        '-o',
        'pipefail',
        '-c',
        'docker -H "$1" export "$2" | tar -x -C "$3"',
        'export',
        dockerd.host,
        exporter.Id,
        join(bundle, 'rootfs'),
      ]);
      await engine.request('DELETE', `/containers/${exporter.Id}?force=true`);
      const spec = (args: string[]) =>
        JSON.stringify({
          ociVersion: '1.0.0',
          process: { terminal: false, user: { uid: 0, gid: 0 }, args, env: ['PATH=/usr/local/bin:/usr/bin:/bin'], cwd: '/' },
          root: { path: 'rootfs', readonly: true },
          hostname: 'leak',
          mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
          linux: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }] },
        });
      const other = mkdtempSync(join(tmpdir(), 'judgekit-other-'));
      symlinkSync(join(bundle, 'rootfs'), join(other, 'rootfs'));
      writeFileSync(join(bundle, 'config.json'), spec(['/usr/local/bin/jk-exec', 'init']));
      writeFileSync(join(other, 'config.json'), spec(['/bin/sleep', '600']));
      const runsc = (...args: string[]) =>
        execFileSync('runsc', ['--root', dockerd.runscRoot, '--network=none', ...args], { encoding: 'utf8' });
      // A detached sandbox keeps the descriptors it was given: none of this process's pipes.
      const start = (dir: string, id: string) =>
        execFileSync('runsc', ['--root', dockerd.runscRoot, '--network=none', 'run', '-detach', '-bundle', dir, id], { stdio: 'ignore' });
      start(bundle, leakId);
      start(other, otherId);
      const listed = () => (JSON.parse(runsc('list', '-format', 'json')) as { id: string }[] | null)?.map((c) => c.id) ?? [];
      expect(listed()).toEqual(expect.arrayContaining([leakId, otherId]));
      expect((await engine.request<{ Id: string }[]>('GET', '/containers/json?all=true')).map((c) => c.Id)).not.toContain(leakId);
      const warnings: string[] = [];
      const runner = runnerOn({ pool: { size: 0 }, runscRoot: dockerd.runscRoot, warn: (m) => warnings.push(m) });
      const box = await runner.open({ language: python3 });
      await box.dispose();
      await runner.close();
      expect(listed(), warnings.join('; ')).not.toContain(leakId);
      // Not judgekit's (another command): left alone.
      expect(listed()).toContain(otherId);
      expect(warnings).toContainEqual(expect.stringContaining('which the engine had lost'));
      runsc('delete', '-force', otherId);
      rmSync(other, { recursive: true, force: true });
    } finally {
      rmSync(bundle, { recursive: true, force: true });
    }
  });

  it('never stopped the shared engine', () => {
    expect(sharedPid()).toBe(sharedBefore);
  });
});
