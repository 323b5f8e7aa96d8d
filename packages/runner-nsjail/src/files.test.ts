import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isJudgeError } from '@judgekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSandboxFile, removeTree, splitSandboxPath, writeSandboxFile } from './files.js';

const pathInvalid = (e: unknown) => isJudgeError(e, 'JDG_ERR_SANDBOX_PATH_INVALID');
const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };

describe('link-safe sandbox file access', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'jk-files-'));
    outside = mkdtempSync(join(tmpdir(), 'jk-outside-'));
    writeFileSync(join(outside, 'host.txt'), 'host');
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('refuses absolute paths, .. and empty paths', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', '', '.', 'a\0b']) expect(() => splitSandboxPath(bad), bad).toThrow();
    expect(splitSandboxPath('./a//b/c.txt')).toEqual(['a', 'b', 'c.txt']);
  });

  it('writes nested files and reads them back', async () => {
    await writeSandboxFile(root, 'src/main.c', Buffer.from('int main;'), 0o600, owner);
    expect(Buffer.from(await readSandboxFile(root, 'src/main.c', 100)).toString()).toBe('int main;');
  });

  it('refuses to read or write through a symlinked file or folder', async () => {
    symlinkSync(join(outside, 'host.txt'), join(root, 'link.txt'));
    symlinkSync(outside, join(root, 'dir'));
    await expect(readSandboxFile(root, 'link.txt', 100)).rejects.toSatisfy(pathInvalid);
    await expect(readSandboxFile(root, 'dir/host.txt', 100)).rejects.toSatisfy(pathInvalid);
    await expect(writeSandboxFile(root, 'link.txt', Buffer.from('x'), 0o644, owner)).rejects.toSatisfy(pathInvalid);
    await expect(writeSandboxFile(root, 'dir/new.txt', Buffer.from('x'), 0o644, owner)).rejects.toSatisfy(pathInvalid);
    expect(readFileSync(join(outside, 'host.txt'), 'utf8')).toBe('host');
  });

  it('refuses a file larger than maxBytes', async () => {
    writeFileSync(join(root, 'big'), Buffer.alloc(1000));
    await expect(readSandboxFile(root, 'big', 999)).rejects.toSatisfy((e: unknown) => isJudgeError(e, 'JDG_ERR_SANDBOX_FILE_TOO_LARGE'));
  });

  it('removes a tree without following links out of it', async () => {
    mkdirSync(join(root, 'a/b'), { recursive: true });
    symlinkSync(outside, join(root, 'a/b/out'));
    symlinkSync(join(outside, 'host.txt'), join(root, 'a/host'));
    await removeTree(root);
    expect(readFileSync(join(outside, 'host.txt'), 'utf8')).toBe('host');
    await removeTree(root);
  });
});
