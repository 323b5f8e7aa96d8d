import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// deploy/ validated as far as this machine allows (no container registry): the compose file
// against the Compose Specification's schema (and by `docker compose config` where the plugin
// exists), the systemd units by `systemd-analyze verify` (where systemd's tools exist), the
// Dockerfile's paths against the repository.
const root = fileURLToPath(new URL('..', import.meta.url));
const deploy = join(root, 'deploy');
const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** `${NAME}`, `${NAME:?message}`, `${NAME:-default}` as Compose interpolates them; `$$` is a literal `$`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Z_][A-Z0-9_]*)(?::?([?-])([^}]*))?\}/g, (all, name?: string, op?: string, arg?: string) => {
    if (all === '$$') return '$';
    const value = env[name!];
    if (value !== undefined && value !== '') return value;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

describe('deploy/', () => {
  const composeText = readFileSync(join(deploy, 'compose.yaml'), 'utf8');

  it('has a compose.yaml that the Compose Specification accepts, with api, worker and redis', () => {
    type Service = {
      command?: string[];
      ports?: string[];
      environment?: Record<string, string>;
      build?: { context: string; dockerfile: string };
    };
    const compose = parse(interpolate(composeText, { REDIS_PASSWORD: 'test-password' })) as { services: Record<string, Service> };
    const schema = JSON.parse(readFileSync(join(root, 'test/fixtures/compose-spec.json'), 'utf8'));
    // Draft-07, named by its https URI, which ajv knows by its http one.
    delete schema.$schema;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'redis', 'worker']);
    expect(compose.services.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    // Redis is never published; the API only on the loopback of the host.
    expect(compose.services.redis!.ports).toBeUndefined();
    expect(compose.services.api!.ports).toEqual(['127.0.0.1:8000:8000']);
    expect(compose.services.worker!.command).toEqual(['worker', '--runner', 'docker']);
    expect(compose.services.api!.environment!.JUDGEKIT_REDIS_URL).toBe('redis://:test-password@redis:6379');
    // The build context and Dockerfile it names exist.
    expect(existsSync(join(deploy, compose.services.api!.build!.context, compose.services.api!.build!.dockerfile))).toBe(true);
    // Without the password it refuses to start.
    expect(() => interpolate(composeText, {})).toThrow(/REDIS_PASSWORD/);
    // Where the Compose plugin is installed, Compose itself checks it too.
    if (has('docker', ['compose', 'version'])) {
      execFileSync('docker', ['compose', '-f', join(deploy, 'compose.yaml'), 'config', '--quiet'], {
        env: { ...process.env, REDIS_PASSWORD: 'test-password' },
      });
    }
  });

  it('has systemd units for the API node, the worker and Redis that systemd-analyze verify accepts (where systemd is)', () => {
    const units = readdirSync(join(deploy, 'systemd')).sort();
    expect(units).toEqual(['judgekit-api.service', 'judgekit-redis.service', 'judgekit-worker.service']);
    const api = readFileSync(join(deploy, 'systemd/judgekit-api.service'), 'utf8');
    expect(api).toMatch(/ExecStart=.*judgekit serve --concurrency 0/);
    expect(api).toMatch(/DynamicUser=yes/);
    expect(readFileSync(join(deploy, 'systemd/judgekit-worker.service'), 'utf8')).toMatch(/ExecStart=.*judgekit worker/);
    expect(readFileSync(join(deploy, 'systemd/judgekit-redis.service'), 'utf8')).toMatch(/--appendonly yes/);
    if (!has('systemd-analyze', ['--version'])) {
      if (process.env.CI) throw new Error('systemd-analyze is missing on the CI machine');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'jk-units-'));
    try {
      for (const unit of units) copyFileSync(join(deploy, 'systemd', unit), join(dir, unit));
      const run = spawnSync('systemd-analyze', ['verify', ...units.map((u) => join(dir, u))], { encoding: 'utf8' });
      // Only the units' own files are judged: a missing /etc/judgekit/judgekit.env is the installer's step.
      const problems = `${run.stdout}${run.stderr}`
        .split('\n')
        .filter((l) => l.includes('judgekit-') && !/judgekit\.env|redis\.conf/.test(l));
      expect(problems, problems.join('\n')).toEqual([]);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a Dockerfile whose entry point is the judgekit command this repository builds', () => {
    const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
    const link = /ln -s \/opt\/judgekit\/(\S+) \/usr\/local\/bin\/judgekit/.exec(dockerfile)?.[1];
    expect(link).toBeDefined();
    expect(existsSync(join(root, link!))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(join('packages/cli', pkg.bin.judgekit!)).toBe(link);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/ENTRYPOINT \["judgekit"\]/);
  });
});
