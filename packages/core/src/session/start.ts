import { JudgeError } from '../errors/judge-error.js';
import { compileArgv } from '../judging/custom-checker.js';
import { buildCommand } from '../languages/definition.js';
import type { LanguageRegistry } from '../languages/registry.js';
import type { Runner } from '../runner/contract.js';
import { defaultCompileLimits, type Limits } from '../runner/limits.js';
import { requireSpawn } from '../runner/spawn.js';
import { toSandboxFiles } from '../submission/prepare.js';
import { resolveLimits } from '../submission/validate.js';
import type { VersionCache } from '../versions/versions.js';
import { parseSessionInput, type ResolvedSessionOptions, type SessionInput } from './options.js';
import { Session } from './session.js';

/** Options of one {@link Judge.session} call. */
export interface SessionCallOptions {
  /** The API key (or any caller id) the session counts against for `sessions.maxPerKey`; none: only the judge's cap. */
  key?: string;
}

/** @internal Counts live sessions per judge and per key. */
export class SessionCaps {
  #total = 0;
  readonly #perKey = new Map<string, number>();
  constructor(private readonly options: ResolvedSessionOptions) {}

  /** Number of sessions running now. */
  get running(): number {
    return this.#total;
  }

  /** Takes a slot or throws `JDG_ERR_SESSION_LIMIT`; the returned function gives it back (once). */
  acquire(key: string | undefined): () => void {
    const { maxSessions, maxPerKey } = this.options;
    if (this.#total >= maxSessions) {
      throw new JudgeError('JDG_ERR_SESSION_LIMIT', `This judge already runs ${maxSessions} sessions; retry later.`, {
        details: { maxSessions },
      });
    }
    const held = key === undefined ? 0 : (this.#perKey.get(key) ?? 0);
    if (key !== undefined && held >= maxPerKey) {
      throw new JudgeError('JDG_ERR_SESSION_LIMIT', `This API key already runs ${maxPerKey} sessions; end one or retry later.`, {
        details: { maxPerKey },
      });
    }
    this.#total++;
    if (key !== undefined) this.#perKey.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      if (key === undefined) return;
      const left = (this.#perKey.get(key) ?? 1) - 1;
      left > 0 ? this.#perKey.set(key, left) : this.#perKey.delete(key);
    };
  }
}

/** @internal What starting a session needs from its judge. */
export interface SessionEnv {
  runner: Runner | undefined;
  languages: LanguageRegistry;
  versions: VersionCache;
  options: ResolvedSessionOptions;
  caps: SessionCaps;
  /** Sessions running now (the judge ends them when it closes). */
  live: Set<Session>;
}

/** @internal {@link Judge.session}: validates, takes a cap slot, opens the sandbox and writes the files, then starts the session. */
export async function startSession(env: SessionEnv, input: SessionInput, call: SessionCallOptions): Promise<Session> {
  const parsed = parseSessionInput(input);
  const signal = input.signal;
  const language = env.languages.get(parsed.language);
  const { options } = env;
  // A language's run defaults (more processes for Java) apply; its times are for judged runs, not terminals.
  const { cpuTimeMs: _cpu, wallTimeMs: _wall, ...languageRun } = language.runLimits ?? {};
  const limits: Limits = resolveLimits(options.defaultLimits, languageRun, [parsed.limits], options.maxLimits, 'limits');
  const compileLimits = resolveLimits(
    defaultCompileLimits,
    language.compileLimits,
    [parsed.compileLimits],
    options.maxLimits,
    'compileLimits',
  );
  const idleTimeoutMs = parsed.idleTimeoutMs ?? options.idleTimeoutMs;
  if (idleTimeoutMs > options.maxIdleTimeoutMs) {
    throw new JudgeError('JDG_ERR_LIMIT_EXCEEDS_MAX', `idleTimeoutMs is ${idleTimeoutMs}, above the maximum ${options.maxIdleTimeoutMs}.`, {
      details: { issues: [{ path: 'idleTimeoutMs', message: `at most ${options.maxIdleTimeoutMs}` }], limit: 'idleTimeoutMs' },
    });
  }
  if (parsed.version !== undefined && parsed.version !== '*' && parsed.version !== 'latest') {
    await env.versions.require(language, parsed.version, { signal });
  }
  if (!env.runner) throw new JudgeError('JDG_ERR_SESSION_UNSUPPORTED', 'This judge has no runner (API-only): it runs no sessions.');
  const release = env.caps.acquire(call.key);
  let box: Awaited<ReturnType<Runner['open']>> | undefined;
  try {
    box = await env.runner.open({ language }, { signal });
    const spawning = requireSpawn(box, env.runner.name);
    const files = parsed.files
      ? parsed.files.map((f, i) => ({
          path: i === 0 ? language.sourceFile : (f.name ?? `file${i}`),
          content: f.content,
          encoding: f.encoding,
        }))
      : [{ path: language.sourceFile, content: parsed.source ?? '', encoding: 'utf8' as const }];
    await spawning.write(toSandboxFiles(files), { signal });
    const tty = parsed.tty ? { cols: parsed.cols ?? 80, rows: parsed.rows ?? 24 } : null;
    const run = {
      argv: buildCommand(language.run, { limits, args: parsed.args ?? [], sourceFile: language.sourceFile }),
      env: { ...language.env, ...(tty ? { TERM: 'xterm-256color' } : {}) },
      limits,
      tty,
    };
    const compile = language.compile
      ? { argv: compileArgv(language, compileLimits), env: language.env, limits: compileLimits, tty: null }
      : null;
    const version = env.versions.known(language.id);
    if (version === null) env.versions.get(language).catch(() => null);
    const session = new Session({
      language: { id: language.id, version },
      box: spawning,
      compile,
      run,
      idleTimeoutMs,
      outputRateBytesPerSecond: options.outputRateBytesPerSecond,
      signal,
      onEnd: () => {
        env.live.delete(session);
        release();
      },
    });
    env.live.add(session);
    return session;
  } catch (error) {
    try {
      await box?.dispose();
    } finally {
      release();
    }
    throw error;
  }
}
