import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

/**
 * Mounts Bull Board (the queue dashboard) into a Fastify app under `basePath`, for one or more
 * BullMQ queues. The caller guards the routes (judgekit's HTTP adapter lets only admin keys in).
 *
 * @example
 * ```ts
 * await registerDashboard(app, { basePath: '/admin/queues', queues: [backend.queue.queue] })
 * ```
 */
export async function registerDashboard(
  app: FastifyInstance,
  options: { basePath: string; queues: readonly Queue[]; title?: string },
): Promise<void> {
  const adapter = new FastifyAdapter();
  adapter.setBasePath(options.basePath);
  createBullBoard({
    queues: options.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: options.title ?? 'judgekit queues' } },
  });
  await app.register(adapter.registerPlugin(), { prefix: options.basePath });
}
