import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { tenantOf } from '../auth/hooks.js';
import type { HttpApi } from '../http/api.js';
import { errorResponses } from '../http/schemas.js';
import { toSeedResult, toSubmissionInput } from './mapper.js';
import { seedDeleteResponse, seedExecuteBody, seedExecuteResponse, seedIdParams, seedResultSchema } from './schemas.js';

const tags = ['seed'];

/** The seed's API, unchanged: `POST /execute`, `GET /result/{id}`, `DELETE /result/{id}`. */
export const seedApi: HttpApi = {
  name: 'seed',
  description: 'The seed’s API, unchanged.',
  enabled: (options) => options.seedApi,
  async register(app, ctx) {
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
          response: { 200: seedExecuteResponse, ...errorResponses(413, 415, 422, 429, 503) },
        },
      },
      async (request) => {
        const id = await ctx.submit(toSubmissionInput(request.body), request);
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
            'limit, output limit, process limit, compile error — `verdict` and `message` say which; for a compile error `stderr` holds ' +
            'the compiler output) or INTERNAL_ERROR (sandbox failure or cancelled). `execution_time` is in seconds, `memory` in kilobytes.',
          params: seedIdParams,
          response: { 200: seedResultSchema, ...errorResponses(404, 414) },
        },
      },
      async (request) => toSeedResult(await judge.get(request.params.submission_id, tenantOf(request))),
    );

    r.delete(
      '/result/:submission_id',
      {
        schema: {
          tags,
          summary: 'Delete a result (seed API)',
          description: 'Removes the submission (cancelling it when unfinished); 404 when unknown.',
          params: seedIdParams,
          response: { 200: seedDeleteResponse, ...errorResponses(404, 414) },
        },
      },
      async (request) => {
        const id = request.params.submission_id;
        if (!(await judge.delete(id, tenantOf(request)))) await judge.get(id, tenantOf(request));
        ctx.origins.delete(id);
        return { submission_id: id, deleted: true as const };
      },
    );
  },
};
