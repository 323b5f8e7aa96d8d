import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);
const run = async (file: string) =>
  (await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 120_000 })).stdout;

describe('examples', () => {
  it('embed.ts compiles once and judges three tests against real nsjail', async () => {
    const out = await run('examples/embed.ts');
    expect(out).toMatch(/^compiled in \d+ ms$/m);
    expect(out).toContain('test small: accepted\ntest large: accepted\ntest negative: accepted\nverdict: accepted (3/3)');
  });

  it('batch-grading.ts tells a right, a slow, a wrong and a broken solution apart', async () => {
    const out = await run('examples/batch-grading.ts');
    expect(out).toMatch(/^ada\s+accepted\s+3\/3$/m);
    expect(out).toMatch(/^brook\s+time_limit_exceeded\s+2\/3$/m);
    expect(out).toMatch(/^cass\s+wrong_answer\s+2\/3$/m);
    expect(out).toMatch(/^dev\s+compile_error\s+0\/3$/m);
  });
});
