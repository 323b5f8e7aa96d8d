/**
 * System calls the sandbox refuses with `EPERM`, each with the reason. `docs/security.md`
 * prints the same list. Names are kafel's (nsjail's policy language): `umount` is `umount2`.
 */
export const deniedSyscalls: Readonly<Record<string, string>> = Object.freeze({
  ptrace: 'inspects and rewrites other processes; a program could tamper with its own init or a sibling',
  process_vm_readv: 'reads another process’s memory without ptrace',
  process_vm_writev: 'writes another process’s memory without ptrace',
  mount: 'the mount namespace is the file-system boundary; no new mounts inside it',
  umount: 'umount2: unmounting a read-only bind could uncover what is under it',
  pivot_root: 'changes the root of the mount namespace',
  move_mount: 'new mount API: same as mount',
  open_tree: 'new mount API: clones mount trees',
  fsopen: 'new mount API: creates a file-system context',
  fsmount: 'new mount API: turns a context into a mount',
  fspick: 'new mount API: reconfigures an existing mount',
  mount_setattr: 'new mount API: could clear a read-only flag',
  kexec_load: 'loads a new kernel',
  kexec_file_load: 'loads a new kernel from a file',
  init_module: 'loads kernel code',
  finit_module: 'loads kernel code from a file',
  delete_module: 'unloads kernel code',
  bpf: 'large kernel attack surface (verifier bugs) and tracing of other processes',
  perf_event_open: 'kernel attack surface and side channels on other processes',
  keyctl: 'the kernel keyring is not namespaced; keys of other users could be probed',
  add_key: 'kernel keyring, not namespaced',
  request_key: 'kernel keyring, not namespaced',
  userfaultfd: 'lets a program stall the kernel at chosen page faults, the usual tool to win kernel races',
  unshare: 'new namespaces (a nested user namespace grants capabilities against more kernel code)',
  setns: 'joining other namespaces',
  io_uring_setup: 'io_uring runs work outside seccomp’s view and has a long record of kernel bugs',
  io_uring_enter: 'io_uring, see io_uring_setup',
  io_uring_register: 'io_uring, see io_uring_setup',
  open_by_handle_at: 'opens files by handle, bypassing the mount namespace (the classic container escape)',
  name_to_handle_at: 'produces handles for open_by_handle_at',
  acct: 'process accounting writes to a host file',
  swapon: 'host swap configuration',
  swapoff: 'host swap configuration',
  reboot: 'host power state',
  settimeofday: 'host clock',
  clock_settime: 'host clock',
  clock_adjtime: 'host clock',
  adjtimex: 'host clock',
  iopl: 'raw I/O port access',
  ioperm: 'raw I/O port access',
  quotactl: 'host disk quotas',
  fanotify_init: 'watches file access across the mount',
  lookup_dcookie: 'kernel profiling interface, leaks host paths',
  personality: 'can switch off address-space randomisation or enable READ_IMPLIES_EXEC',
  syslog: 'reads the kernel log (host addresses, other tenants’ messages)',
  vhangup: 'hangs up the controlling terminal',
  uselib: 'obsolete loader call with a history of bugs',
  pidfd_getfd: 'steals file descriptors from another process',
});

/**
 * Calls refused only with one flag, each with the reason; `docs/security.md` prints them too.
 * Huge pages come from a pool the host reserves (`vm.nr_hugepages`), charged to the hugetlb
 * controller and not to the memory cgroup: on a host with such a pool, a program could hold
 * them beyond its memory limit.
 */
export const deniedFlags: Readonly<Record<string, { rule: string; reason: string }>> = Object.freeze({
  MAP_HUGETLB: {
    rule: 'mmap(addr, length, prot, mmap_flags) { (mmap_flags & 0x40000) != 0 }',
    reason: 'huge pages outside the memory cgroup',
  },
  MFD_HUGETLB: { rule: 'memfd_create(name, memfd_flags) { (memfd_flags & 0x4) != 0 }', reason: 'huge pages outside the memory cgroup' },
  SHM_HUGETLB: { rule: 'shmget(key, size, shm_flags) { (shm_flags & 0x800) != 0 }', reason: 'huge pages outside the memory cgroup' },
});

/** Namespace flags of `clone`: CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET. */
const cloneNamespaceFlags = '0x7e020000';

/**
 * @internal The kafel policy nsjail compiles. `clone` with namespace flags is refused like
 * `unshare`; `clone3` passes its flags in memory that seccomp cannot read, so it answers
 * `ENOSYS` and the C library falls back to `clone`. Other architectures' system calls (the i386
 * `int 0x80` path) are killed by nsjail's architecture check.
 */
export function seccompPolicy(): string {
  const names = Object.keys(deniedSyscalls).join(', ');
  return [
    'POLICY judgekit {',
    `  ERRNO(1) { ${names} },`,
    `  ERRNO(1) { clone { (clone_flags & ${cloneNamespaceFlags}) != 0 } },`,
    ...Object.values(deniedFlags).map(({ rule }) => `  ERRNO(1) { ${rule} },`),
    '  ERRNO(38) { clone3 }',
    '}',
    'USE judgekit DEFAULT ALLOW',
  ].join('\n');
}
