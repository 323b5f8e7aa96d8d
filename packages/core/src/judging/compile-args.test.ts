import { describe, expect, it } from 'vitest';
import { Judge } from '../judge/judge.js';
import { FakeRunner } from '../runner/fake-runner.js';

describe('compileArgs and stderrToStdout', () => {
  const judgeRecording = () => {
    const argvs: string[][] = [];
    const judge = new Judge({
      runner: new FakeRunner({
        program: (r) => {
          argvs.push([...r.argv]);
          return { stdout: '' };
        },
      }),
    });
    return { judge, argvs };
  };

  it('appends extra compiler arguments to a fixed compile command, and leaves the run command alone', async () => {
    const { judge, argvs } = judgeRecording();
    await using _ = judge;
    await judge.run({ language: 'c', source: 'int main(){}', compileArgs: ['-O3', '-DLOCAL'], args: ['x'] });
    expect(argvs[0]).toEqual(['gcc', '-O2', '-std=gnu17', '-pipe', '-o', 'main', 'main.c', '-lm', '-O3', '-DLOCAL']);
    expect(argvs[1]).toEqual(['./main', 'x']);
  });

  it('puts them before the file where the compiler needs that (go build)', async () => {
    const { judge, argvs } = judgeRecording();
    await using _ = judge;
    await judge.run({ language: 'go', source: 'package main\nfunc main(){}', compileArgs: ['-ldflags=-s'] });
    expect(argvs[0]).toEqual(['go', 'build', '-ldflags=-s', '-o', 'main', 'main.go']);
  });

  it('runs the program under a shell that points stderr at stdout when asked', async () => {
    const { judge, argvs } = judgeRecording();
    await using _ = judge;
    await judge.run({ language: 'python3', source: 'x', stderrToStdout: true, args: ['a b'] });
    expect(argvs[0]).toEqual(['/bin/sh', '-c', 'exec "$@" 2>&1', 'sh', 'python3', '-B', 'main.py', 'a b']);
    await judge.run({ language: 'python3', source: 'x' });
    expect(argvs[1]).toEqual(['python3', '-B', 'main.py']);
  });

  it('lowers the stack limit under a shell when asked, never above the memory limit, merging stderr too', async () => {
    const { judge, argvs } = judgeRecording();
    await using _ = judge;
    await judge.run({ language: 'python3', source: 'x', stackBytes: 64_000 * 1024, limits: { memoryBytes: 256 * 1024 * 1024 } });
    expect(argvs[0]).toEqual(['/bin/sh', '-c', 'ulimit -s 64000 || exit 125; exec "$@"', 'sh', 'python3', '-B', 'main.py']);
    await judge.run({
      language: 'python3',
      source: 'x',
      stackBytes: 1 << 30,
      stderrToStdout: true,
      limits: { memoryBytes: 64 * 1024 * 1024 },
    });
    expect(argvs[1]).toEqual(['/bin/sh', '-c', 'ulimit -s 65536 || exit 125; exec "$@" 2>&1', 'sh', 'python3', '-B', 'main.py']);
    await expect(judge.submit({ language: 'python3', source: 'x', stackBytes: 100 })).rejects.toMatchObject({
      code: 'JDG_ERR_INPUT_INVALID',
    });
  });

  it('refuses compiler arguments that are not strings, or too many', async () => {
    const { judge } = judgeRecording();
    await using _ = judge;
    await expect(judge.submit({ language: 'c', source: 'x', compileArgs: [1 as unknown as string] })).rejects.toMatchObject({
      code: 'JDG_ERR_INPUT_INVALID',
    });
    await expect(judge.submit({ language: 'c', source: 'x', compileArgs: Array.from({ length: 65 }, () => '-g') })).rejects.toMatchObject({
      code: 'JDG_ERR_INPUT_INVALID',
    });
  });
});
