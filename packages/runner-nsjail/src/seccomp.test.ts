import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deniedFlags, deniedSyscalls, seccompPolicy } from './seccomp.js';

describe('seccomp policy', () => {
  it('denies at least the system calls the issue names', () => {
    for (const name of [
      'ptrace',
      'process_vm_readv',
      'process_vm_writev',
      'mount',
      'umount',
      'pivot_root',
      'kexec_load',
      'bpf',
      'perf_event_open',
      'keyctl',
      'add_key',
      'userfaultfd',
      'unshare',
      'setns',
    ]) {
      expect(deniedSyscalls, name).toHaveProperty(name);
      expect(seccompPolicy()).toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('refuses clone with namespace flags and answers clone3 with ENOSYS', () => {
    expect(seccompPolicy()).toContain('clone { (clone_flags & 0x7e020000) != 0 }');
    expect(seccompPolicy()).toContain('ERRNO(38) { clone3 }');
  });

  it('refuses huge pages by their flag, which the memory cgroup would not count', () => {
    expect(seccompPolicy()).toContain('mmap(addr, length, prot, mmap_flags) { (mmap_flags & 0x40000) != 0 }');
    expect(seccompPolicy()).toContain('memfd_create(name, memfd_flags) { (memfd_flags & 0x4) != 0 }');
    expect(seccompPolicy()).toContain('shmget(key, size, shm_flags) { (shm_flags & 0x800) != 0 }');
  });

  it('has every denied flag documented in docs/security.md', () => {
    const doc = readFileSync(new URL('../../../docs/security.md', import.meta.url), 'utf8');
    for (const name of Object.keys(deniedFlags)) expect(doc, name).toMatch(new RegExp(`\\| \`${name}\` +\\| \\S`));
  });

  it('has every denied system call documented with its reason in docs/security.md', () => {
    const doc = readFileSync(new URL('../../../docs/security.md', import.meta.url), 'utf8');
    for (const name of Object.keys(deniedSyscalls)) expect(doc, name).toMatch(new RegExp(`\\| \`${name}\` +\\| \\S`));
  });
});
