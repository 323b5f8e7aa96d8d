import { hostname } from 'node:os';

/**
 * True when a process with this pid exists (on this host), even one this process may not signal.
 * For stale-owner checks: a resource labelled with a dead owner's pid can be removed.
 *
 * @example
 * ```ts
 * processAlive(process.pid) // true
 * ```
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who made a resource: the judge process's pid and, for resources visible from several hosts, its host name. */
export interface ResourceOwner {
  pid: number;
  /** Host name of the owner; absent for resources that exist on one host only (cgroups, work dirs). */
  host?: string;
}

/**
 * A name prefix that tells which process made a resource: `<pid>-<token>`, e.g. `4211-9f3a1c`.
 * Read back with {@link ownerOfName}.
 */
export function ownerPrefix(token: string): string {
  return `${process.pid}-${token}`;
}

/** The owner named by a `<pid>-…` prefix (see {@link ownerPrefix}), or `null` for any other name. */
export function ownerOfName(name: string): ResourceOwner | null {
  const match = /^(\d+)-/.exec(name);
  return match ? { pid: Number(match[1]) } : null;
}

/** True when a resource's owner is another process on this host that no longer runs. */
export function isStaleOwner(owner: ResourceOwner | null): boolean {
  if (owner === null || owner.pid === process.pid) return false;
  if (owner.host !== undefined && owner.host !== hostname()) return false;
  return !processAlive(owner.pid);
}

/**
 * Removes the resources whose owner is a dead process on this host (what a killed judge left:
 * cgroups, work directories, containers). Resources of live processes, of other hosts, and of
 * this process are kept; a resource without an owner is kept. Each removal runs in turn; one
 * that throws is reported to `onError` and the sweep goes on. Resolves with how many were removed.
 *
 * @example
 * ```ts
 * await sweepStaleOwners(await cgroups.list(), {
 *   owner: (name) => ownerOfName(name),
 *   remove: (name) => cgroups.destroy(name),
 * })
 * ```
 */
export async function sweepStaleOwners<T>(
  resources: Iterable<T> | AsyncIterable<T>,
  options: { owner(resource: T): ResourceOwner | null; remove(resource: T): Promise<void>; onError?(error: unknown, resource: T): void },
): Promise<number> {
  let removed = 0;
  for await (const resource of resources) {
    if (!isStaleOwner(options.owner(resource))) continue;
    try {
      await options.remove(resource);
      removed++;
    } catch (error) {
      options.onError?.(error, resource);
    }
  }
  return removed;
}
