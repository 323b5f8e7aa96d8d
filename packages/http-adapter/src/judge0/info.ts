import { readFileSync } from 'node:fs';
import { arch, cpus, totalmem } from 'node:os';
import type { Judge, JudgeEvent } from '@judgekit/core';
import { judge0IdOf } from './languages.js';
import { metadataKey } from './metadata.js';
import type { ResolvedJudge0Options } from './options.js';
import { type Judge0StatusId, judge0Outcome, judge0Status } from './statuses.js';

/** The Judge0 API version implemented; clients (the official SDK) key their language tables on it. */
export const judge0Version = '1.13.1';

/** What `/config_info` reports, with Judge0 CE 1.13.1's keys in its order (`Config.config_info`). */
export interface ConfigFacts {
  compilerOptions: boolean;
  callbacks: boolean;
  maxQueued: number;
}

/** `/config_info`: the defaults a submission gets and the bounds it may ask for, in Judge0's units. */
export function configInfo(judge: Judge, options: ResolvedJudge0Options, facts: ConfigFacts): Record<string, unknown> {
  const max = judge.maxLimits;
  const d = options.defaults;
  const kb = (bytes: number) => Math.floor(bytes / 1024);
  return {
    maintenance_mode: false,
    enable_wait_result: options.enableWait,
    enable_compiler_options: facts.compilerOptions,
    allowed_languages_for_compile_options: [],
    enable_command_line_arguments: true,
    enable_submission_delete: options.enableSubmissionDelete,
    enable_callbacks: facts.callbacks,
    callbacks_max_tries: options.callbacksMaxTries,
    callbacks_timeout: options.callbacksTimeout,
    enable_additional_files: options.enableAdditionalFiles,
    max_queue_size: facts.maxQueued,
    cpu_time_limit: d.cpuTimeLimit,
    max_cpu_time_limit: max.cpuTimeMs / 1000,
    cpu_extra_time: d.cpuExtraTime,
    max_cpu_extra_time: options.maxCpuExtraTime,
    wall_time_limit: d.wallTimeLimit,
    max_wall_time_limit: max.wallTimeMs / 1000,
    memory_limit: d.memoryLimit,
    max_memory_limit: kb(max.memoryBytes),
    stack_limit: d.stackLimit,
    max_stack_limit: options.maxStackLimit,
    max_processes_and_or_threads: d.maxProcessesAndOrThreads,
    max_max_processes_and_or_threads: max.processes,
    enable_per_process_and_thread_time_limit: false,
    allow_enable_per_process_and_thread_time_limit: false,
    enable_per_process_and_thread_memory_limit: false,
    allow_enable_per_process_and_thread_memory_limit: false,
    max_file_size: d.maxFileSize,
    max_max_file_size: kb(Math.min(max.fileSizeBytes, max.outputBytes)),
    number_of_runs: d.numberOfRuns,
    max_number_of_runs: options.maxNumberOfRuns,
    redirect_stderr_to_stdout: false,
    max_extract_size: kb(options.zipLimits.maxFileBytes),
    enable_batched_submissions: true,
    max_submission_batch_size: options.maxBatchSize,
    submission_cache_duration: 0,
    use_docs_as_homepage: false,
    allow_enable_network: false,
    enable_network: false,
  };
}

const archNames: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686' };

/**
 * `/system_info`: Judge0 answers `lscpu` and `free -h` as a flat object; these are the same keys,
 * read from Node's `os` and `/proc/meminfo` of the API process's host.
 */
export function systemInfo(): Record<string, string> {
  const list = cpus();
  const info: Record<string, string> = {
    Architecture: archNames[arch()] ?? arch(),
    'CPU(s)': String(list.length),
    'Model name': list[0]?.model.trim() ?? 'unknown',
  };
  if (list[0]?.speed) info['CPU MHz'] = list[0].speed.toFixed(3);
  info.Mem = humanBytes(totalmem());
  const swapKb = meminfo('SwapTotal');
  if (swapKb !== null) info.Swap = humanBytes(swapKb * 1024);
  return info;
}

function meminfo(key: string): number | null {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** `free -h`'s style: `7.7Gi`, `512Mi`. */
function humanBytes(bytes: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)}${units[unit]}`;
}

/** `/workers`: the queue of this judge as Judge0 reports its Resque queue. */
export function workersInfo(judge: Judge, concurrency: number): Record<string, unknown>[] {
  const stats = judge.stats();
  return [
    {
      queue: judge0Version,
      size: stats.queued,
      available: concurrency,
      idle: Math.max(0, concurrency - stats.running),
      working: stats.running,
      paused: judge.accepting ? 0 : concurrency,
      failed: stats.sandboxFailures,
    },
  ];
}

/**
 * Counters behind `/statistics`, kept from the judge's events since this process started: Judge0
 * counts its database; without a durable store judgekit counts what it has seen.
 */
export class Statistics {
  readonly #byLanguage = new Map<number, number>();
  readonly #byStatus = new Map<Judge0StatusId, number>();
  readonly #byDay = new Map<string, number>();
  #total = 0;
  readonly #onEvent: (event: JudgeEvent) => void;

  constructor(private readonly judge: Judge) {
    this.#onEvent = (event) => {
      if (event.type === 'queued') {
        this.#total++;
        const day = event.result.createdAt.slice(0, 10);
        this.#byDay.set(day, (this.#byDay.get(day) ?? 0) + 1);
        const meta = event.result.metadata ?? {};
        const id = Number(meta[metadataKey.languageId] ?? judge0IdOf(event.result.language.id));
        if (Number.isFinite(id)) this.#byLanguage.set(id, (this.#byLanguage.get(id) ?? 0) + 1);
      } else if (event.type === 'done' || event.type === 'cancelled') {
        const status = judge0Outcome(event.result).statusId;
        this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
      }
    };
    judge.on('event', this.#onEvent);
  }

  close(): void {
    this.judge.off('event', this.#onEvent);
  }

  /** Judge0's `/statistics` body; `languageName` names a Judge0 id. */
  report(languageName: (id: number) => string | null): Record<string, unknown> {
    const now = new Date();
    const today = now.toISOString().slice(0, 10);
    const last30: Record<string, number> = {};
    for (let i = 1; i <= 30; i++) {
      const day = new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10);
      last30[day] = this.#byDay.get(day) ?? 0;
    }
    const sorted = <K>(map: Map<K, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
    return {
      created_at: now.toISOString(),
      cached_until: now.toISOString(),
      submissions: { total: this.#total, today: this.#byDay.get(today) ?? 0, last_30_days: last30 },
      languages: sorted(this.#byLanguage).map(([id, count]) => ({ language: { id, name: languageName(id) }, count })),
      statuses: sorted(this.#byStatus).map(([id, count]) => ({ status: { id, name: judge0Status(id).description }, count })),
      database: { size_pretty: null, size_in_bytes: null },
    };
  }
}
