export { type CgroupVersion, detectCgroupVersion } from './cgroup.js';
export { defaultNsjailVenv, nsjailInstallCommand } from './locate.js';
export { diagnose, NsjailRunner, type NsjailRunnerOptions } from './runner.js';
export { deniedSyscalls } from './seccomp.js';
export { defaultToolchainMounts, type ToolchainMounts, toolchainPackages } from './toolchain.js';
