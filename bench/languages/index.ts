// bench/languages: for every built-in language on both runners, the median time of a hello-world
// submission from submit to verdict (compile included) and of the run step alone, against the same
// toolchain run bare on the host in the same run (the same argv, PATH and language environment).
//   node --import tsx bench/languages/index.ts [--runs N] [--runners nsjail,docker] [--languages c,go] [--markdown]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildCommand,
  builtinLanguages,
  defaultCompileLimits,
  defaultLimits,
  Judge,
  type LanguageDefinition,
  type Limits,
  type Runner,
} from '@judgekit/core';
import { DockerRunner } from '@judgekit/runner-docker';
import { NsjailRunner } from '@judgekit/runner-nsjail';
import { programs } from '../../test/languages/programs.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    runners: { type: 'string', default: 'nsjail,docker' },
    languages: { type: 'string', default: builtinLanguages.map((l) => l.id).join(',') },
    markdown: { type: 'boolean', default: false },
  },
});
const runs = Number(opts.runs);
const languages = builtinLanguages.filter((l) => opts.languages.split(',').includes(l.id));
const factories: Record<string, () => Runner> = { nsjail: () => new NsjailRunner(), docker: () => new DockerRunner() };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const compileLimits = (l: LanguageDefinition): Limits => ({ ...defaultCompileLimits, ...l.compileLimits });
const runLimits = (l: LanguageDefinition): Limits => ({ ...defaultLimits, ...l.runLimits });
const argvOf = (l: LanguageDefinition, step: 'compile' | 'run'): string[] =>
  buildCommand(step === 'compile' ? l.compile! : l.run, {
    limits: step === 'compile' ? compileLimits(l) : runLimits(l),
    args: [],
    sourceFile: l.sourceFile,
  });

/** The toolchain bare on the host: compile (in a fresh folder, as a sandbox has) and run; times in ms. */
function bare(language: LanguageDefinition): { total: number[]; run: number[] } {
  const total: number[] = [];
  const run: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'judgekit-bench-'));
    // The language's environment, with its /tmp folders moved into this run's own folder (fresh, like a sandbox's).
    const env: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8', TMPDIR: dir };
    for (const [k, v] of Object.entries(language.env ?? {})) env[k] = v.startsWith('/tmp/') ? join(dir, v.slice(5)) : v;
    const exec = (argv: string[]) => {
      const started = performance.now();
      const out = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, env, input: '', encoding: 'utf8' });
      const ms = performance.now() - started;
      if (out.status !== 0) throw new Error(`bare ${argv.join(' ')} failed: ${out.stderr || out.error}`);
      return ms;
    };
    try {
      writeFileSync(join(dir, language.sourceFile), programs[language.id]!.hello);
      const started = performance.now();
      if (language.compile) exec(argvOf(language, 'compile'));
      const runMs = exec(argvOf(language, 'run'));
      // The first round warms the page cache, as the sandboxed rounds' warm-up does.
      if (i > 0) {
        total.push(performance.now() - started);
        run.push(runMs);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { total, run };
}

/** In a sandbox: submit→verdict through a Judge, and the run step alone through the runner (compiled once). */
async function sandboxed(
  runner: Runner,
  judge: Judge,
  language: LanguageDefinition,
): Promise<{ total: number[]; run: number[]; memory: number[] }> {
  const p = programs[language.id]!;
  const total: number[] = [];
  const memory: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const started = performance.now();
    const r = await judge.run({ language: language.id, source: p.hello, tests: [{ input: '', expectedOutput: 'hello, world\n' }] });
    const ms = performance.now() - started;
    if (r.verdict !== 'accepted')
      throw new Error(`${language.id}: ${r.verdict} ${r.message ?? ''} ${r.compile?.stderr ?? r.tests[0]?.stderr ?? ''}`);
    if (i > 0) total.push(ms);
    if (i > 0) memory.push(r.tests[0]!.memoryBytes);
  }
  const run: number[] = [];
  const box = await runner.open({ language });
  try {
    await box.write([{ path: language.sourceFile, content: p.hello }]);
    if (language.compile) await box.exec({ argv: argvOf(language, 'compile'), limits: compileLimits(language), env: language.env });
    for (let i = 0; i < runs + 1; i++) {
      const started = performance.now();
      const out = await box.exec({ argv: argvOf(language, 'run'), limits: runLimits(language), env: language.env });
      const ms = performance.now() - started;
      if (out.exitCode !== 0) throw new Error(`${language.id} run step: ${out.stderr}`);
      if (i > 0) run.push(ms);
    }
  } finally {
    await box.dispose();
  }
  return { total, run, memory };
}

interface Row {
  language: string;
  runner: string;
  total: number;
  bareTotal: number;
  run: number;
  bareRun: number;
  memoryBytes: number;
}

const loadBefore = loadavg()[0]!;
const rows: Row[] = [];
const bareOf = new Map<string, { total: number; run: number }>();
for (const language of languages) {
  const b = bare(language);
  bareOf.set(language.id, { total: median(b.total), run: median(b.run) });
}
for (const name of opts.runners.split(',')) {
  const runner = factories[name]!();
  const health = await runner.health();
  if (!health.ready) {
    console.log(`skipping ${name}: ${health.problems.map((p) => p.message).join('; ')}`);
    await runner.destroy();
    continue;
  }
  const judge = new Judge({ runner, concurrency: 1, closeRunner: false });
  for (const language of languages) {
    try {
      process.stderr.write(`${name} ${language.id}…\n`);
      const s = await sandboxed(runner, judge, language);
      const b = bareOf.get(language.id)!;
      rows.push({
        language: language.id,
        runner: name,
        total: median(s.total),
        bareTotal: b.total,
        run: median(s.run),
        bareRun: b.run,
        memoryBytes: median(s.memory),
      });
    } catch (error) {
      console.log(`${name} ${language.id}: ${(error as Error).message.slice(0, 300)}`);
    }
  }
  await judge.close();
  await runner.close();
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
const header = ['language', 'runner', 'submit→verdict', 'bare compile+run', 'ratio', 'run step', 'bare run', 'ratio', 'peak memory'];
const cells = rows.map((r) => [
  r.language,
  r.runner,
  ms(r.total),
  ms(r.bareTotal),
  ratio(r.total, r.bareTotal),
  ms(r.run),
  ms(r.bareRun),
  ratio(r.run, r.bareRun),
  `${(r.memoryBytes / 1024 / 1024).toFixed(1)} MiB`,
]);
console.log(
  `\nhello world, median of ${runs} runs after one warm-up; bare = the same argv on the host in this run (no target set: ratios only)`,
);
// Other work on the machine inflates every figure: say how busy it was.
console.log(`load average (1 min): ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end\n`);
if (opts.markdown) {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`);
  for (const c of cells) console.log(`| ${c.join(' | ')} |`);
} else {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  for (const c of cells) console.log(fmt(c));
}
