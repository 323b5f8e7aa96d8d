import { release } from 'node:os';
import { Judge, LanguageRegistry } from '@judgekit/core';
import { execa } from 'execa';
import { checkRedis, formatRedis, type RedisReport } from '../cluster/doctor.js';
import { checkDatabase, type DatabaseReport, formatDatabase } from '../migrate/doctor.js';
import { commandName, probeRunner, type RunnerProbe, runnerKinds } from '../runners.js';
import { table } from '../table.js';

/** Facts about the host itself, beside the sandboxes. */
export interface HostReport {
  /** Node.js version, and whether it is one the packages support. */
  node: { version: string; supported: boolean; wanted: string };
  /** Kernel release and architecture. */
  kernel: string;
  /** Whether the process runs as root (the nsjail sandbox needs it). */
  root: boolean;
  /** Docker client and engine versions from the `docker` command, or why it could not tell. */
  dockerCli: string;
}

/** What `judgekit doctor` found. */
export interface DoctorReport {
  host: HostReport;
  runners: { kind: string; ready: boolean; details: Record<string, string>; problems: { message: string; fix?: string }[] }[];
  /** Languages with the version detected in the first ready sandbox (null: not installed there). */
  languages: { id: string; name: string; version: string | null }[];
  /** The runner the languages were probed with, or null when none is ready. */
  probedWith: string | null;
  /** PostgreSQL (the durable mode). */
  database: DatabaseReport;
  /** Redis (the cluster mode). */
  redis: RedisReport;
}

/** Checks every sandbox backend and, with the first ready one, every language's toolchain. */
export async function doctor(options: { databaseUrl?: string; redisUrl?: string } = {}): Promise<DoctorReport> {
  const probes: RunnerProbe[] = [];
  for (const kind of runnerKinds) probes.push(await probeRunner(kind));
  const ready = probes.find((p) => p.runner && p.health.ready);
  let languages: DoctorReport['languages'];
  if (ready?.runner) {
    const judge = new Judge({ runner: ready.runner, closeRunner: false });
    const list = judge.languages.list();
    const versions = await Promise.all(list.map((l) => judge.version(l.id).catch(() => null)));
    languages = list.map((l, i) => ({ id: l.id, name: l.name, version: versions[i] ?? null }));
    await judge.close();
  } else {
    languages = new LanguageRegistry().list().map((l) => ({ id: l.id, name: l.name, version: null }));
  }
  await Promise.allSettled(probes.map((p) => p.runner?.destroy()));
  return {
    host: await hostReport(),
    runners: probes.map((p) => ({ kind: p.kind, ...p.health })),
    languages,
    probedWith: ready?.kind ?? null,
    database: await checkDatabase(options.databaseUrl),
    redis: await checkRedis(options.redisUrl),
  };
}

const wantedNode = '^20.19.0 || >=22.12.0';

/** Node, kernel, user and the Docker command, the way a person debugging the host would check them. */
export async function hostReport(): Promise<HostReport> {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
  let dockerCli: string;
  try {
    // The docker runner talks to the engine's API; the CLI's view shows socket permissions and contexts a user may have set.
    const r = await execa('docker', ['version', '--format', 'client {{.Client.Version}}, engine {{.Server.Version}}'], {
      timeout: 5000,
      reject: false,
      stdin: 'ignore',
    });
    dockerCli =
      r.exitCode === 0 ? r.stdout.trim() : `${r.stdout.trim() || 'docker version failed'}${r.stderr ? `: ${lastLine(r.stderr)}` : ''}`;
    if (r.failed && r.exitCode === undefined) dockerCli = `not found (${r.shortMessage})`;
  } catch (error) {
    dockerCli = `not available (${(error as Error).message})`;
  }
  return {
    node: { version: process.version, supported, wanted: wantedNode },
    kernel: `${release()} ${process.arch}`,
    root: process.getuid?.() === 0,
    dockerCli,
  };
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** The human form of a {@link DoctorReport}. */
export function formatDoctor(report: DoctorReport): string {
  let out = '';
  const h = report.host;
  out += 'host:\n';
  out += `  node: ${h.node.version}${h.node.supported ? '' : ` (NOT SUPPORTED: judgekit needs Node.js ${h.node.wanted})`}\n`;
  out += `  kernel: ${h.kernel}\n`;
  out += `  user: ${h.root ? 'root' : 'not root (the nsjail sandbox needs root: sudo)'}\n`;
  out += `  docker command: ${h.dockerCli}\n\n`;
  for (const r of report.runners) {
    out += `${r.kind}: ${r.ready ? 'ready' : 'NOT READY'}\n`;
    for (const [key, value] of Object.entries(r.details)) out += `  ${key}: ${value}\n`;
    for (const p of r.problems) out += `  problem: ${p.message}\n${p.fix ? `    fix: ${p.fix}\n` : ''}`;
  }
  out += formatDatabase(report.database);
  out += formatRedis(report.redis);
  out += '\n';
  if (report.probedWith) {
    out += `languages (versions detected in the ${report.probedWith} sandbox):\n`;
    out += table(
      ['id', 'name', 'version'],
      report.languages.map((l) => [l.id, l.name, l.version ?? 'not found']),
    );
  } else {
    out += 'No sandbox works on this host: judgekit cannot run code until one of the problems above is fixed.\n';
    out += `Then check again: ${commandName()} doctor\n`;
  }
  return out;
}
