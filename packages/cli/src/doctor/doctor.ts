import { Judge, LanguageRegistry } from '@judgekit/core';
import { checkDatabase, type DatabaseReport, formatDatabase } from '../migrate/doctor.js';
import { probeRunner, type RunnerProbe, runnerKinds } from '../runners.js';
import { table } from '../table.js';

/** What `judgekit doctor` found. */
export interface DoctorReport {
  runners: { kind: string; ready: boolean; details: Record<string, string>; problems: { message: string; fix?: string }[] }[];
  /** Languages with the version detected in the first ready sandbox (null: not installed there). */
  languages: { id: string; name: string; version: string | null }[];
  /** The runner the languages were probed with, or null when none is ready. */
  probedWith: string | null;
  /** PostgreSQL (the durable mode). */
  database: DatabaseReport;
}

/** Checks every sandbox backend and, with the first ready one, every language's toolchain. */
export async function doctor(options: { databaseUrl?: string } = {}): Promise<DoctorReport> {
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
    runners: probes.map((p) => ({ kind: p.kind, ...p.health })),
    languages,
    probedWith: ready?.kind ?? null,
    database: await checkDatabase(options.databaseUrl),
  };
}

/** The human form of a {@link DoctorReport}. */
export function formatDoctor(report: DoctorReport): string {
  let out = '';
  for (const r of report.runners) {
    out += `${r.kind}: ${r.ready ? 'ready' : 'NOT READY'}\n`;
    for (const [key, value] of Object.entries(r.details)) out += `  ${key}: ${value}\n`;
    for (const p of r.problems) out += `  problem: ${p.message}\n${p.fix ? `    fix: ${p.fix}\n` : ''}`;
  }
  out += formatDatabase(report.database);
  out += '\n';
  if (report.probedWith) {
    out += `languages (versions detected in the ${report.probedWith} sandbox):\n`;
    out += table(
      ['id', 'name', 'version'],
      report.languages.map((l) => [l.id, l.name, l.version ?? 'not found']),
    );
  } else {
    out += 'No sandbox works on this host: judgekit cannot run code until one of the problems above is fixed.\n';
  }
  return out;
}
