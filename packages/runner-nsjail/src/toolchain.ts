import { existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { builtinLanguages } from '@judgekit/core';

/**
 * Where a language's toolchain comes from inside the sandbox: host folders mounted read-only
 * (the default), or a prepared root file system.
 *
 * @example
 * ```ts
 * // Java from the host, plus its configuration folder:
 * { mounts: [...defaultToolchainMounts, '/etc/java-17-openjdk'] }
 * // A root file system made with debootstrap:
 * { rootfs: '/var/lib/judgekit/rootfs/python3' }
 * ```
 */
export interface ToolchainMounts {
  /**
   * Host paths mounted read-only at the same place. Missing paths are skipped; a host path that
   * is a symbolic link to a sibling (`/bin -> usr/bin` on merged-/usr systems) becomes the same
   * link inside. @defaultValue {@link defaultToolchainMounts}
   */
  mounts?: string[];
  /**
   * A folder holding a complete root file system, mounted read-only as `/` instead of `mounts`.
   * `/box`, `/tmp`, `/proc` and `/dev` are still provided by the sandbox.
   */
  rootfs?: string;
}

/**
 * The default read-only host paths: the system folders and only the parts of `/etc` that
 * toolchains read (never all of `/etc`, which holds `shadow` and the host's configuration):
 * `alternatives` (the JDK's and compilers' links), the loader's cache, the time zone, and the
 * JDK's configuration. Each bind costs a little on every command, so the list stays short.
 */
export const defaultToolchainMounts: readonly string[] = Object.freeze([
  '/usr',
  '/lib',
  '/lib64',
  '/lib32',
  '/bin',
  '/sbin',
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/localtime',
  '/etc/java-17-openjdk',
  '/etc/java-21-openjdk',
  '/etc/java-11-openjdk',
]);

/** @internal One mount instruction, resolved against the host. */
export type ResolvedMount = { kind: 'bind'; source: string; path: string } | { kind: 'symlink'; path: string; target: string };

/** @internal Resolves a list of host paths into binds and same-place symlinks, skipping missing ones. */
export function resolveMounts(paths: readonly string[]): ResolvedMount[] {
  const out: ResolvedMount[] = [];
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) {
      const target = readlinkSync(path);
      // A relative top-level link (`/bin -> usr/bin`) is recreated; anything else is bound (the
      // mount resolves it on the host, which is the judge's own trusted file system).
      if (!target.startsWith('/') && !path.slice(1).includes('/')) {
        out.push({ kind: 'symlink', path, target });
        continue;
      }
    }
    out.push({ kind: 'bind', source: path, path });
  }
  return out;
}

/** Top-level folders the sandbox provides itself; a root file system's own are not used. */
const providedBySandbox = new Set(['box', 'dev', 'proc', 'sys', 'tmp', 'run']);

/**
 * @internal Resolves a prepared root file system into read-only binds of its top-level entries
 * (and links for its top-level links). nsjail then builds the root on its own tmpfs, so the
 * root file system needs no mount points and is never written.
 */
export function resolveRootfs(rootfs: string): ResolvedMount[] {
  const out: ResolvedMount[] = [];
  for (const name of readdirSync(rootfs)) {
    if (providedBySandbox.has(name)) continue;
    const source = join(rootfs, name);
    const stats = lstatSync(source);
    if (stats.isSymbolicLink()) out.push({ kind: 'symlink', path: `/${name}`, target: readlinkSync(source) });
    else if (stats.isDirectory() || stats.isFile()) out.push({ kind: 'bind', source, path: `/${name}` });
  }
  return out;
}

/**
 * Debian packages that provide the built-in languages' toolchains, from each definition's
 * `toolchain.host` (the one place these facts live). A language absent here needs
 * `scripts/setup/toolchains.sh`, which installs them all.
 */
export const toolchainPackages: Readonly<Record<string, string[]>> = Object.freeze(
  Object.fromEntries(builtinLanguages.filter((l) => (l.toolchain?.host.length ?? 0) > 0).map((l) => [l.id, [...l.toolchain!.host]])),
);
