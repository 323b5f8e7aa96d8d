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
