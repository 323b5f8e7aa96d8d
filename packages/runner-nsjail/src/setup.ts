import type { JailLauncher, Launcher } from './launcher.js';
import type { SandboxStorage } from './storage.js';
import type { ResolvedMount } from './toolchain.js';
import type { WarmJail } from './warm.js';

/** @internal What a sandbox gets from its runner. */
export interface SandboxSetup {
  id: string;
  nsjail: string;
  /** The sandbox's tmpfs holding its work directory and /tmp. */
  storage: SandboxStorage;
  uid: number;
  gid: number;
  mounts: ResolvedMount[];
  devices: readonly string[];
  baseEnv: Readonly<Record<string, string>>;
  languageEnv: Readonly<Record<string, string>>;
  /**
   * Host path of the jail supervisor: with it, the commands after a sandbox's first run in one
   * long-lived jail (warm.ts); without it (or when that jail cannot start), each in its own nsjail.
   */
  supervisor: string | null;
  /** Whether commands after the first share one warm jail (needs the supervisor and cgroup v1). */
  warmJail: boolean;
  /** Outside uid (and gid) of the supervisor: the sandbox's own, never the program's. */
  supervisorUid: number;
  /**
   * A jail started ahead of demand for this sandbox alone (pool.ts): every command, the first
   * included, runs in it; it is destroyed with the sandbox.
   */
  prepared?: { jail: WarmJail; launcher: JailLauncher };
  /** Hands out a launcher already waiting in a fresh cgroup (from the runner's pool). */
  takeLauncher(): Promise<Launcher>;
  /** Called once after the sandbox's files are gone (returns the uid to the pool). */
  release(): Promise<void>;
}
