import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Runner, RunnerHealth } from '@judgekit/core';

/**
 * How the user can run this command again, for hints: `judgekit` when it is on the PATH, else
 * `npx judgekit` (in the repository, or a project that has the package but not on the PATH).
 */
export function commandName(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'judgekit'), constants.X_OK);
      return 'judgekit';
    } catch {}
  }
  return 'npx judgekit';
}

/** A sandbox backend the CLI knows by name. */
export type RunnerKind = 'nsjail' | 'docker';
/** What `--runner` accepts. */
export type RunnerChoice = RunnerKind | 'auto';

export const runnerKinds: readonly RunnerKind[] = ['nsjail', 'docker'];

/** One backend's state: its runner when the package loads, and its health. */
export interface RunnerProbe {
  kind: RunnerKind;
  runner: Runner | null;
  health: RunnerHealth;
}

const packages: Record<RunnerKind, { name: string; export: string; install: string }> = {
  nsjail: { name: '@judgekit/runner-nsjail', export: 'NsjailRunner', install: 'npm i @judgekit/runner-nsjail' },
  docker: { name: '@judgekit/runner-docker', export: 'DockerRunner', install: 'npm i @judgekit/runner-docker' },
};

/** Creates a runner of the given kind, or says why it cannot (package missing, constructor failed). */
export async function probeRunner(kind: RunnerKind): Promise<RunnerProbe> {
  const pkg = packages[kind];
  let runner: Runner;
  try {
    // Loaded on demand: a host may have one backend's package and not the other.
    const mod = (await import(pkg.name)) as Record<string, new () => Runner>;
    const Ctor = mod[pkg.export];
    if (typeof Ctor !== 'function') throw new Error(`${pkg.name} has no export ${pkg.export}`);
    runner = new Ctor();
  } catch (error) {
    return {
      kind,
      runner: null,
      health: {
        ready: false,
        details: {},
        problems: [{ message: `${pkg.name} cannot be loaded: ${(error as Error).message}`, fix: pkg.install }],
      },
    };
  }
  let health: RunnerHealth;
  try {
    health = await runner.health();
  } catch (error) {
    health = { ready: false, details: {}, problems: [{ message: `health check failed: ${(error as Error).message}` }] };
  }
  return { kind, runner, health };
}

/** Thrown when no sandbox works; carries every backend's problems for the message. */
export class NoSandboxError extends Error {
  constructor(readonly probes: RunnerProbe[]) {
    super(
      [
        'No sandbox works on this host, and judgekit never runs code without one.',
        ...probes.flatMap((p) => [
          `  ${p.kind}:`,
          ...p.health.problems.map((q) => `    - ${q.message}${q.fix ? `\n      fix: ${q.fix}` : ''}`),
        ]),
        `Run \`${commandName()} doctor\` for details.`,
      ].join('\n'),
    );
    this.name = 'NoSandboxError';
  }
}

/**
 * Picks the runner: `auto` tries nsjail, then Docker (with gVisor), and refuses to go on
 * without a sandbox. A named runner must be ready too. Runners not picked are closed.
 */
export async function pickRunner(choice: RunnerChoice): Promise<{ runner: Runner; probes: RunnerProbe[] }> {
  const kinds = choice === 'auto' ? runnerKinds : [choice];
  const probes: RunnerProbe[] = [];
  for (const kind of kinds) {
    const probe = await probeRunner(kind);
    probes.push(probe);
    if (probe.runner && probe.health.ready) return { runner: probe.runner, probes };
    await probe.runner?.destroy().catch(() => {});
  }
  throw new NoSandboxError(probes);
}
