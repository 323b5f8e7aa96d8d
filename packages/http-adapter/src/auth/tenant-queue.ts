import type { Job, JobHandler, JobQueue } from '@judgekit/core';

/** Options of {@link TenantQueue}. */
export interface TenantQueueOptions {
  /**
   * A tenant's `maxRunning` quota: most of its jobs handed to the queue (waiting there or running)
   * at once; `null` or `undefined` for no bound.
   */
  maxRunning: (tenant: string | null) => number | null | undefined | Promise<number | null | undefined>;
}

/**
 * A queue in front of another that keeps each tenant to its `maxRunning` quota: a tenant's jobs
 * beyond it are held back here, in order, and handed on as its earlier ones finish. One tenant
 * with a thousand submissions then holds at most `maxRunning` places, and another tenant's
 * submission waits behind those, not behind the thousand. Held jobs count as waiting, so the
 * judge's `maxQueued` and a tenant's `maxQueued` see them.
 *
 * Held jobs live in this process: in front of a shared (Redis) queue, the bound is per API node.
 *
 * @example
 * ```ts
 * const queue = new TenantQueue(new FastqJobQueue({ concurrency: 4 }), { maxRunning: (t) => quotas[t]?.maxRunning })
 * const judge = new Judge({ runner, queue })
 * ```
 */
export class TenantQueue implements JobQueue {
  readonly #inner: JobQueue;
  readonly #maxRunning: TenantQueueOptions['maxRunning'];
  /** Jobs of each tenant handed to the inner queue and not finished. */
  readonly #active = new Map<string | null, Set<string>>();
  /** Jobs of each tenant running now. */
  readonly #running = new Map<string | null, number>();
  readonly #held = new Map<string | null, Job[]>();
  #closed = false;

  constructor(inner: JobQueue, options: TenantQueueOptions) {
    this.#inner = inner;
    this.#maxRunning = options.maxRunning;
  }

  start(handler: JobHandler): void {
    this.#inner.start(async (job, delivery) => {
      this.#running.set(job.tenant, (this.#running.get(job.tenant) ?? 0) + 1);
      try {
        await handler(job, delivery);
      } finally {
        this.#running.set(job.tenant, (this.#running.get(job.tenant) ?? 1) - 1);
        await this.#release(job);
      }
    });
  }

  async push(job: Job): Promise<void> {
    const cap = await this.#maxRunning(job.tenant);
    const active = this.#activeOf(job.tenant);
    const held = this.#held.get(job.tenant);
    if (cap === null || cap === undefined || (active.size < cap && !held?.length)) {
      active.add(job.id);
      try {
        await this.#inner.push(job);
      } catch (error) {
        active.delete(job.id);
        throw error;
      }
      return;
    }
    if (held) held.push(job);
    else this.#held.set(job.tenant, [job]);
  }

  async remove(id: string): Promise<boolean> {
    for (const [tenant, jobs] of this.#held) {
      const i = jobs.findIndex((j) => j.id === id);
      if (i >= 0) {
        jobs.splice(i, 1);
        if (jobs.length === 0) this.#held.delete(tenant);
        return true;
      }
    }
    const removed = await this.#inner.remove(id);
    if (removed) {
      for (const [tenant, active] of this.#active) {
        if (active.has(id)) {
          await this.#release({ id, tenant } as Job);
          break;
        }
      }
    }
    return removed;
  }

  async waiting(): Promise<number> {
    return (await this.#inner.waiting()) + this.held;
  }

  running(): number | Promise<number> {
    return this.#inner.running();
  }

  /** Jobs held back here, over every tenant. */
  get held(): number {
    let n = 0;
    for (const jobs of this.#held.values()) n += jobs.length;
    return n;
  }

  /** A tenant's jobs waiting: held back here, or handed on and not yet running (this process's view). */
  queuedOf(tenant: string | null): number {
    const handed = this.#active.get(tenant)?.size ?? 0;
    return (this.#held.get(tenant)?.length ?? 0) + Math.max(0, handed - (this.#running.get(tenant) ?? 0));
  }

  pause(): void | Promise<void> {
    return this.#inner.pause?.();
  }

  resume(): void | Promise<void> {
    return this.#inner.resume?.();
  }

  async drain(): Promise<void> {
    do {
      await this.#inner.drain();
    } while (this.held > 0 && !this.#closed);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#held.clear();
    await this.#inner.close();
  }

  #activeOf(tenant: string | null): Set<string> {
    let set = this.#active.get(tenant);
    if (!set) {
      set = new Set();
      this.#active.set(tenant, set);
    }
    return set;
  }

  async #release(job: Pick<Job, 'id' | 'tenant'>): Promise<void> {
    const active = this.#activeOf(job.tenant);
    active.delete(job.id);
    const held = this.#held.get(job.tenant);
    if (!held?.length || this.#closed) return;
    const cap = await this.#maxRunning(job.tenant);
    while (held.length > 0 && (cap === null || cap === undefined || active.size < cap)) {
      const next = held.shift()!;
      active.add(next.id);
      await this.#inner.push(next);
    }
    if (held.length === 0) this.#held.delete(job.tenant);
  }
}
