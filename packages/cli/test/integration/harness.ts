import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { postgresBinDir } from '@judgekit/postgres/testing';
import { redisServerPath } from '@judgekit/redis/testing';
import { NsjailRunner } from '@judgekit/runner-nsjail';

// What the CLI's process-level tests share: `judgekit` from source as a real child process
// (`node --import tsx packages/cli/src/bin.ts ...`), its output collected, servers waited for by
// their one JSON "listening" line, and the real parts each suite needs checked before it runs.

/** The repository's root: every CLI process runs there. */
export const root = fileURLToPath(new URL('../../../../', import.meta.url));
/** The CLI's entry, run from source. */
export const bin = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));

/** The pattern of a server's "listening" log line; its first group is the base URL. */
export const listening = /"address":"(http:\/\/[^"]+)"[^\n]*"msg":"listening"/;

/**
 * True when every part a suite needs is here: the nsjail sandbox always, a redis-server and a
 * PostgreSQL when asked. With `CI` set, a missing part throws, naming how to install it: no skips.
 */
export async function partsReady(parts: { redis?: boolean; postgres?: boolean } = {}): Promise<boolean> {
  const problems: string[] = [];
  if (parts.redis && !redisServerPath()) problems.push('redis-server is not installed (sudo bash scripts/setup/redis.sh)');
  if (parts.postgres && !postgresBinDir()) problems.push('PostgreSQL is not installed (sudo bash scripts/setup/postgres.sh)');
  const runner = new NsjailRunner();
  const health = await runner.health();
  await runner.destroy();
  if (!health.ready) {
    problems.push(`nsjail is not ready (${health.problems.map((p) => p.message).join('; ')}): sudo bash scripts/setup/nsjail.sh`);
  }
  if (problems.length > 0 && process.env.CI) throw new Error(problems.join('; '));
  return problems.length === 0;
}

/** A CLI child process with what it printed so far. */
export type CliProcess = ChildProcess & { out: () => string; err: () => string };

/** How a finished CLI command ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI processes one suite starts. `killAll` in its `afterAll` leaves none behind, whatever a
 * failed test left running.
 */
export class CliProcesses {
  readonly started: CliProcess[] = [];

  /** Starts `judgekit ARGS...`. */
  spawn(args: string[], options: { env?: Record<string, string> } = {}): CliProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
      cwd: root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (err += d));
    const proc = Object.assign(child, { out: () => out, err: () => err });
    this.started.push(proc);
    return proc;
  }

  /** Runs `judgekit ARGS...` to its end. */
  async run(args: string[], options: { env?: Record<string, string> } = {}): Promise<CliResult> {
    const child = this.spawn(args, options);
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    return { code: child.exitCode, stdout: child.out(), stderr: child.err() };
  }

  /** Starts a long-running command and resolves with the match of `pattern` on its stdout. */
  async start(args: string[], pattern: RegExp, what: string, timeoutMs = 90_000): Promise<{ proc: CliProcess; match: RegExpExecArray }> {
    const proc = this.spawn(args);
    return { proc, match: await waitFor(proc, pattern, what, timeoutMs) };
  }

  /** Starts `judgekit serve --port 0 ARGS...` and resolves with its base URL once it listens. */
  async serve(args: string[]): Promise<{ proc: CliProcess; base: string }> {
    const { proc, match } = await this.start(['serve', '--port', '0', ...args], listening, 'serve listening');
    return { proc, base: match[1]! };
  }

  /** Creates an API key for `tenant` with `judgekit keys create` and returns it. */
  async createKey(databaseUrl: string, tenant: string, options: { admin?: boolean } = {}): Promise<string> {
    const r = await this.run(['keys', 'create', '--tenant', tenant, '--database-url', databaseUrl, ...(options.admin ? ['--admin'] : [])]);
    if (r.code !== 0) throw new Error(`judgekit keys create failed (${r.code}): ${r.stderr}`);
    // The key is the last word of the output.
    return r.stdout.trim().split(/\s+/).at(-1)!;
  }

  /**
   * Migrates a fresh database and gives it the tenants the PostgreSQL suites use: `acme` and
   * `globex` with a key each, `ops` with an admin key, and acme's webhook secret.
   */
  async provisionTenants(databaseUrl: string): Promise<{ keys: Record<'acme' | 'globex' | 'ops', string>; acmeSecret: string }> {
    const migrated = await this.run(['migrate', '--database-url', databaseUrl]);
    if (migrated.code !== 0) throw new Error(`judgekit migrate failed (${migrated.code}): ${migrated.stderr}`);
    const keys = {
      acme: await this.createKey(databaseUrl, 'acme'),
      globex: await this.createKey(databaseUrl, 'globex'),
      ops: await this.createKey(databaseUrl, 'ops', { admin: true }),
    };
    const secret = await this.run(['keys', 'secret', '--tenant', 'acme', '--database-url', databaseUrl]);
    if (secret.code !== 0) throw new Error(`judgekit keys secret failed (${secret.code}): ${secret.stderr}`);
    return { keys, acmeSecret: secret.stdout.trim() };
  }

  /** SIGKILLs every process still running. */
  killAll(): void {
    for (const c of this.started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }

  /** SIGTERMs every process still running and waits for each to exit. */
  async stopAll(): Promise<void> {
    await Promise.all(this.started.map((c) => stopGracefully(c)));
  }
}

/** Resolves with the first match of `pattern` on the process's stdout; rejects if it exits first or times out. */
export function waitFor(proc: CliProcess, pattern: RegExp, what: string, timeoutMs = 90_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      proc.stdout?.off('data', check);
      proc.off('exit', onExit);
      fn();
    };
    const timer = setTimeout(
      () => done(() => reject(new Error(`${what} did not happen: ${proc.err()}${proc.out().slice(-2000)}`))),
      timeoutMs,
    );
    const check = () => {
      const m = pattern.exec(proc.out());
      if (m) done(() => resolve(m));
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`${what}: exited ${code}: ${proc.err()}`)));
    proc.stdout?.on('data', check);
    proc.once('exit', onExit);
    check();
  });
}

/** SIGTERM, then waits for the exit. */
export async function stopGracefully(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  await once(proc, 'exit');
}

/** Polls `check` every 50 ms until it holds (a throw counts as not yet), or rejects after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
