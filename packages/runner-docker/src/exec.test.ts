import { describe, expect, it } from 'vitest';
import { resolveEngineAddress } from './engine.js';
import { FrameDemuxer, parseReport, signalName } from './exec.js';
import { checkRelativePath } from './sandbox.js';

const frame = (stream: number, text: string): Buffer => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

describe('docker exec stream and helper report', () => {
  it('splits Docker’s multiplexed frames into stdout and stderr, across chunk boundaries', () => {
    const got: [number, string][] = [];
    const demux = new FrameDemuxer((stream, data) => got.push([stream, data.toString()]));
    const bytes = Buffer.concat([frame(1, 'out'), frame(2, 'err'), frame(1, 'more')]);
    for (let i = 0; i < bytes.length; i += 3) demux.push(bytes.subarray(i, i + 3));
    expect(got).toEqual([
      [1, 'out'],
      [2, 'err'],
      [1, 'more'],
    ]);
  });

  it('parses the jk-exec report line', () => {
    expect(
      parseReport('exit=-1 signal=9 cpu_us=1010000 wall_us=1121064 maxrss_kb=14752 peak_kb=14000 procs=1 limit=cpu exec_errno=0'),
    ).toEqual({
      exit: -1,
      signal: 9,
      cpuUs: 1010000,
      wallUs: 1121064,
      maxRssKb: 14752,
      peakKb: 14000,
      procs: 1,
      limit: 'cpu',
      execErrno: 0,
    });
    expect(parseReport('garbage')).toBeNull();
  });

  it('names signals by their usual name', () => {
    expect(signalName(6)).toBe('SIGABRT');
    expect(signalName(11)).toBe('SIGSEGV');
  });

  it('refuses absolute paths, .. and empty parts before any exec', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../b', 'a//b', '', 'a/./b', 'nul\0']) {
      expect(() => checkRelativePath(bad), bad).toThrow(/must be relative/);
    }
    expect(() => checkRelativePath('src/main.c')).not.toThrow();
  });

  it('finds the engine from the socket option, then DOCKER_HOST, then the default socket', () => {
    expect(resolveEngineAddress('/x.sock', 'tcp://h:1')).toEqual({ socketPath: '/x.sock' });
    expect(resolveEngineAddress(undefined, 'unix:///run/d.sock')).toEqual({ socketPath: '/run/d.sock' });
    expect(resolveEngineAddress(undefined, 'tcp://10.0.0.5:2375')).toEqual({ host: '10.0.0.5', port: 2375 });
    expect(resolveEngineAddress(undefined, '')).toEqual({ socketPath: '/var/run/docker.sock' });
  });
});

describe('docker runner options', () => {
  it('warns at start when a runtime other than runsc is chosen', async () => {
    const { DockerRunner } = await import('./runner.js');
    const warnings: string[] = [];
    const runner = new DockerRunner({ runtime: 'runc', warn: (m) => warnings.push(m), pool: { size: 0 } });
    expect(warnings).toEqual([expect.stringContaining('shares the host kernel')]);
    expect(runner.imageFor('python3')).toBe('judgekit/python3:latest');
    await runner.close();
  });

  it('maps languages to configured images, else to judgekit/<id>:<tag>', async () => {
    const { DockerRunner } = await import('./runner.js');
    const runner = new DockerRunner({ images: { java: 'registry.example/jdk:21' }, imageTag: 'v2', pool: { size: 0 } });
    expect(runner.imageFor('java')).toBe('registry.example/jdk:21');
    expect(runner.imageFor('c')).toBe('judgekit/c:v2');
    await runner.close();
  });
});
