import { z } from 'zod';

/** Shapes of the cluster routes. */

export const workerSchema = z.object({
  id: z.string().describe('Unique per process: host/pid/start.'),
  host: z.string(),
  pid: z.number().int(),
  runner: z.string().describe('The sandbox backend: nsjail or docker.'),
  concurrency: z.number().int().describe('Submissions it runs at once.'),
  running: z.number().int().describe('Submissions it runs now.'),
  state: z
    .enum(['ready', 'unhealthy', 'draining'])
    .describe('unhealthy: its runner is unavailable and it takes no jobs; draining: stopping.'),
  problem: z.string().nullable(),
  startedAt: z.string(),
  lastSeen: z.string().describe('Its last heartbeat (ISO 8601).'),
});

export const workersResponse = z.object({
  workers: z.array(workerSchema),
  waiting: z.number().int().describe('Submissions waiting in the whole cluster.'),
  running: z.number().int().describe('Submissions running in the whole cluster.'),
  workersAlive: z.number().int(),
});

/** The answer of `GET /v1/workers`. */
export type WorkersResponse = z.infer<typeof workersResponse>;
