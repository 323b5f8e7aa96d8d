import { z } from 'zod';

/** Shapes of the operations routes: health, readiness. */

export const healthResponse = z.object({ status: z.literal('ok') });

export const readyResponse = z.object({
  ready: z.boolean(),
  degraded: z.boolean().describe('Serving, but a part is impaired (e.g. PostgreSQL unreachable: results wait in memory); see problems.'),
  runner: z.string(),
  accepting: z.boolean(),
  problems: z.array(z.object({ message: z.string(), fix: z.string().optional() })),
});

/** `GET /v1/stats`: what the admin view shows. In one process, the queue and the one worker are this judge's. */
export const statsResponse = z.object({
  runner: z.string().describe('The sandbox backend, e.g. `nsjail`.'),
  queue: z.object({
    waiting: z.number().int().describe('Submissions waiting to start.'),
    running: z.number().int().describe('Submissions being judged now.'),
  }),
  judge: z
    .looseObject({
      finished: z.record(z.string(), z.number().int()).describe('Finished submissions by verdict, since the process started.'),
      cancelled: z.number().int(),
      sandboxFailures: z.number().int(),
    })
    .describe('Counters of this judge process (`Judge.stats()`).'),
  workers: z.array(
    z.object({
      id: z.string().describe('`HOST:PID` of the process that judges.'),
      runner: z.string(),
      concurrency: z.number().int().describe('Submissions it judges at once.'),
      running: z.number().int(),
      seenAt: z.string().describe('ISO 8601: when it last reported.'),
    }),
  ),
});

/** The answer of `GET /v1/stats`. */
export type StatsResponse = z.infer<typeof statsResponse>;
