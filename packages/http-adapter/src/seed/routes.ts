import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AdapterContext } from '../context.js';
import { errorSchema, seedDeleteResponse, seedExecuteBody, seedExecuteResponse, seedIdParams, seedResultSchema } from '../schemas.js';
import { toSeedResult } from './seed-status.js';

const tags = ['seed'];
const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema, 422: errorSchema, 429: errorSchema, 503: errorSchema };

/** The seed's API, unchanged: `POST /execute`, `GET /result/{id}`, `DELETE /result/{id}`. */
export async function seedRoutes(app: FastifyInstance, ctx: AdapterContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { judge } = ctx;

  r.post(
    '/execute',
    {
      schema: {
        tags,
        summary: 'Submit code (seed API)',
        description: 'Queues the program with the judge’s default limits and answers at once with its id and `PENDING`.',
        body: seedExecuteBody,
        response: { 200: seedExecuteResponse, ...errors },
      },
    },
    async (request) => {
      const { source_code, stdin_data, language } = request.body;
      const id = await ctx.submit({ language, source: source_code, stdin: stdin_data }, request.id);
      return { submission_id: id, status: 'PENDING' as const };
    },
  );

  r.get(
    '/result/:submission_id',
    {
      schema: {
        tags,
        summary: 'Get a result (seed API)',
        description:
          'Status is PENDING (queued), PROCESSING (running), OK (accepted), TLE (cpu or wall time limit), RE (runtime error, memory ' +
          'limit, output limit, compile error — `verdict` and `message` say which; for a compile error `stderr` holds the compiler ' +
          'output) or INTERNAL_ERROR (sandbox failure or cancelled). `execution_time` is in seconds, `memory` in kilobytes.',
        params: seedIdParams,
        response: { 200: seedResultSchema, ...errors },
      },
    },
    async (request) => toSeedResult(await judge.get(request.params.submission_id)),
  );

  r.delete(
    '/result/:submission_id',
    {
      schema: {
        tags,
        summary: 'Delete a result (seed API)',
        description: 'Removes the submission (cancelling it when unfinished); 404 when unknown.',
        params: seedIdParams,
        response: { 200: seedDeleteResponse, ...errors },
      },
    },
    async (request) => {
      const id = request.params.submission_id;
      if (!(await judge.delete(id))) await judge.get(id);
      ctx.origins.delete(id);
      return { submission_id: id, deleted: true as const };
    },
  );
}
