import { describe, expect, it } from 'vitest';
import { resolveEngineAddress } from './engine.js';
import { FrameDemuxer, MessageParser, parseReport, signalName } from './exec.js';
import { checkRelativePath } from './sandbox.js';
import { encodeRun } from './step.js';

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

  it('splits the supervisor’s own frames (type, big-endian length, payload), across chunk boundaries', () => {
    const got: [string, string][] = [];
    const parser = new MessageParser((type, payload) => got.push([type, payload.toString()]));
    const msg = (type: string, text: string) => {
      const head = Buffer.alloc(5);
      head[0] = type.charCodeAt(0);
      head.writeUInt32BE(Buffer.byteLength(text), 1);
      return Buffer.concat([head, Buffer.from(text)]);
    };
    const bytes = Buffer.concat([msg('O', 'out'), msg('E', ''), msg('R', 'exit=0')]);
    for (let i = 0; i < bytes.length; i += 2) parser.push(bytes.subarray(i, i + 2));
    expect(got).toEqual([
      ['O', 'out'],
      ['E', ''],
      ['R', 'exit=0'],
    ]);
  });

  it('parses the step report of jk-exec serve, and its preparation errors', () => {
    expect(
      parseReport(
        'exit=-1 signal=9 cpu_us=1010000 wall_us=1121064 peak_kb=14000 procs=3 limit=cpu exec_errno=0 exec_stage=0 out_trunc=1 err_trunc=0 disk_kb=12 inodes=4',
      ),
    ).toEqual({
      exit: -1,
      signal: 9,
      cpuUs: 1010000,
      wallUs: 1121064,
      peakKb: 14000,
      procs: 3,
      limit: 'cpu',
      execErrno: 0,
      execStage: 0,
      stdoutTruncated: true,
      stderrTruncated: false,
      diskKb: 12,
      inodes: 4,
    });
    expect(parseReport('error=cgroup errno=28')?.error).toBe('cgroup (errno 28)');
    expect(parseReport('garbage')).toBeNull();
  });

  it('encodes a step: limits within the container’s caps, environment then argv NUL-ended, then stdin', () => {
    const limits = {
      cpuTimeMs: 1000,
      wallTimeMs: 2000,
      memoryBytes: 4 * 2 ** 30,
      processes: 8,
      outputBytes: 100,
      fileSizeBytes: 10,
      openFiles: 16,
      diskBytes: 1 << 30,
      diskInodes: 99,
    };
    const [head, args, stdin] = encodeRun(
      { argv: ['python3', 'main.py'], env: { A: 'b' }, limits, stdin: 'in' },
      {
        memoryBytes: 1 << 30,
        diskBytes: 1 << 20,
        cpus: 1.5,
      },
    );
    expect(head?.toString()).toBe(`R 1000 2000 ${1 << 30} 10 16 8 1500 100 ${1 << 20} 99 4 2 ${args?.length} 2\n`);
    expect(args?.toString()).toBe('PATH=/usr/local/bin:/usr/bin:/bin\0HOME=/tmp\0LANG=C.UTF-8\0A=b\0python3\0main.py\0');
    expect(stdin?.toString()).toBe('in');
    expect(() => encodeRun({ argv: ['a\0b'], limits }, { memoryBytes: 1, diskBytes: 1, cpus: 1 })).toThrow(/NUL/);
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
