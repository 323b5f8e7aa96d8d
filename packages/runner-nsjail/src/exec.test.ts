import { defaultLimits } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { CgroupHandle } from './cgroup.js';
import { buildArgv, trimPartialUtf8 } from './exec.js';
import { launcherScript, shellQuote } from './launcher.js';

const command = (overrides = {}) => ({
  nsjail: '/opt/nsjail',
  argv: ['python3', 'main.py'],
  stdin: new Uint8Array(),
  env: { PATH: '/usr/bin:/bin' },
  limits: { ...defaultLimits, fileSizeBytes: 1000 },
  workDir: '/var/lib/judgekit/nsjail/1-a-1/box',
  tmpDir: '/var/lib/judgekit/nsjail/1-a-1/tmp',
  uid: 60007,
  gid: 60007,
  mounts: [{ kind: 'bind' as const, source: '/usr', path: '/usr' }],
  devices: ['/dev/null'],
  supervisor: null as { path: string; uid: number } | null,
  cgroup: new CgroupHandle('v1', ['/cg/memory/J/x', '/cg/pids/J/x', '/cg/cpuacct/J/x']),
  signal: undefined,
  ...overrides,
});

describe('nsjail command line', () => {
  it('maps the sandbox user one-to-one to an unprivileged outside uid, never root', () => {
    const argv = buildArgv(command());
    expect(argv[argv.indexOf('--user') + 1]).toBe('65534:60007:1');
    expect(argv[argv.indexOf('--group') + 1]).toBe('65534:60007:1');
  });

  it('runs the supervisor as PID 1 under a uid of its own, keeping only what it needs to start and end the program', () => {
    const argv = buildArgv(command({ supervisor: { path: '/base/.jk-jail-x', uid: 60008 } }));
    expect(argv.filter((_, i, a) => a[i - 1] === '--user')).toEqual(['0:60008:1', '65534:60007:1']);
    expect(argv.filter((_, i, a) => a[i - 1] === '--group')).toEqual(['0:60008:1', '65534:60007:1']);
    expect(argv.filter((_, i, a) => a[i - 1] === '--cap')).toEqual(['CAP_SETUID', 'CAP_SETGID', 'CAP_KILL']);
    expect(argv).not.toContain('--keep_caps');
    expect(argv.slice(argv.indexOf('--'))).toEqual(['--', '/.jk/jk-jail', 'once', '1000', 'python3', 'main.py']);
    expect(argv[argv.indexOf('--cwd') + 1]).toBe('/');
  });

  it('sets every rlimit explicitly', () => {
    const argv = buildArgv(command());
    for (const r of ['as', 'core', 'cpu', 'fsize', 'nofile', 'nproc', 'stack', 'memlock', 'rtprio', 'msgqueue']) {
      expect(argv, r).toContain(`--rlimit_${r}`);
    }
    expect(argv).toContain('JK_FSIZE_BLOCKS=2');
  });

  it('starts with nsjail itself, quiet, with its log on fd 3', () => {
    const argv = buildArgv(command());
    expect(argv[0]).toBe('/opt/nsjail');
    expect(argv).toContain('--quiet');
    expect(argv[argv.indexOf('--log_fd') + 1]).toBe('3');
  });

  it('has the launcher join every cgroup controller before it reads its script', () => {
    const script = launcherScript(command().cgroup.procsFiles);
    expect(script).toContain("echo $$ > '/cg/memory/J/x/cgroup.procs'");
    expect(script).toContain("echo $$ > '/cg/cpuacct/J/x/cgroup.procs'");
    expect(script.indexOf('cgroup.procs')).toBeLessThan(script.indexOf('read -r script'));
  });

  it('quotes words for the shell', () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('binds the work directory and /tmp from the sandbox’s own size-limited storage, nothing of the host’s disk writable', () => {
    const argv = buildArgv(command());
    const rw = argv.filter((_, i, a) => a[i - 1] === '--bindmount');
    expect(rw).toEqual(['/var/lib/judgekit/nsjail/1-a-1/box:/box', '/var/lib/judgekit/nsjail/1-a-1/tmp:/tmp']);
    expect(argv).not.toContain('--mount');
  });

  it('passes only the allow-listed environment', () => {
    const envs = buildArgv(command()).filter((_, i, a) => a[i - 1] === '--env');
    expect(envs).toEqual(['PATH=/usr/bin:/bin', 'JK_FSIZE_BLOCKS=2']);
  });
});

describe('trimPartialUtf8', () => {
  it('drops a character cut in the middle and keeps whole ones', () => {
    const euro = Buffer.from('a€');
    expect(trimPartialUtf8(euro.subarray(0, 3)).toString()).toBe('a');
    expect(trimPartialUtf8(euro).toString()).toBe('a€');
    expect(trimPartialUtf8(Buffer.from('abc')).toString()).toBe('abc');
  });
});
