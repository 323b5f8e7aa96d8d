import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where dockerd keeps runsc's state by default (the runc v2 shim's root for the `moby` namespace). @internal */
export const defaultRunscRoot = '/var/run/docker/runtime-runc/moby';
const supervisor = '/usr/local/bin/jk-exec';

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 15_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')}: ${String(stderr).trim().slice(-500) || error.message}`)) : resolve(stdout),
    );
  });
}

/**
 * gVisor sandboxes of judgekit that the engine no longer knows: a container created while dockerd
 * was shutting down can be left running by runsc, absent from `docker ps -a` (so the label sweep
 * misses it). Lists runsc's own state under `root`, and kills and deletes each sandbox whose id
 * the engine does not know and whose bundle runs judgekit's supervisor (so nobody else's
 * sandboxes are touched). Returns the ids removed; does nothing where runsc or its root is absent
 * (a remote engine, no permission).
 * @internal
 */
export async function sweepRunsc(options: {
  runsc: string;
  root: string;
  /** Every container id the engine knows, asked after runsc's list (so a container created meanwhile is known). */
  known: () => Promise<ReadonlySet<string>>;
  /** Told about each unknown sandbox that could not be checked or removed. */
  warn?: (message: string) => void;
}): Promise<string[]> {
  let listed: { id: string; bundle?: string }[] | null;
  try {
    listed = JSON.parse(await run(options.runsc, ['--root', options.root, 'list', '-format', 'json'])) as typeof listed;
  } catch {
    return [];
  }
  if (!listed?.length) return [];
  let known: ReadonlySet<string>;
  try {
    known = await options.known();
  } catch {
    return []; // without the engine's list nothing can be told apart
  }
  const removed: string[] = [];
  for (const sandbox of listed) {
    if (!sandbox.id || known.has(sandbox.id) || !sandbox.bundle) continue;
    let args: unknown;
    try {
      // The bundle is the engine's own (root-owned, outside every sandbox): safe to read.
      args = (JSON.parse(await readFile(join(sandbox.bundle, 'config.json'), 'utf8')) as { process?: { args?: string[] } }).process?.args;
    } catch (error) {
      options.warn?.(
        `judgekit: runsc sandbox ${sandbox.id} is unknown to the engine; its bundle cannot be read: ${(error as Error).message}`,
      );
      continue;
    }
    if (!Array.isArray(args) || args[0] !== supervisor) continue;
    try {
      await run(options.runsc, ['--root', options.root, 'delete', '-force', sandbox.id]);
      removed.push(sandbox.id);
    } catch (error) {
      options.warn?.(`judgekit: could not remove runsc sandbox ${sandbox.id}, which the engine had lost: ${(error as Error).message}`);
    }
  }
  return removed;
}
