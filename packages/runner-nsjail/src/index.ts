/**
 * A judgekit runner on nsjail: Linux namespaces, cgroups v1 and v2, seccomp, measured limits.
 *
 * @packageDocumentation
 * @module @judgekit/runner-nsjail
 */
export { type CgroupVersion, detectCgroupVersion } from './cgroup.js';
export { defaultNsjailBuild, defaultNsjailVenv, nsjailInstallCommand } from './locate.js';
export type { PrestartedJailStats } from './pool.js';
export { diagnose, NsjailRunner, type NsjailRunnerOptions } from './runner.js';
export { deniedSyscalls } from './seccomp.js';
export { defaultToolchainMounts, type ToolchainMounts, toolchainPackages } from './toolchain.js';
