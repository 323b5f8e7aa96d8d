import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HttpApi } from '../http/api.js';
import { drainRefusedBody } from '../http/body.js';
import { requestSignal } from '../http/request-signal.js';
import { toPistonFailure, toPistonResponse, toPistonRuntimes, toSubmissionInput } from './mapper.js';
import { type PistonExecuteBody, pistonErrorSchema, pistonExecuteBody, pistonExecuteResponse, pistonRuntimesResponse } from './schemas.js';

const tags = ['piston'];
const errors = { 400: pistonErrorSchema, 401: pistonErrorSchema, 413: pistonErrorSchema, 429: pistonErrorSchema, 503: pistonErrorSchema };

/**
 * Piston v2 compatibility (`/api/v2/runtimes`, `/api/v2/execute`), so Piston clients work
 * unchanged. Errors answer `{ message }` as Piston does.
 */
export const pistonApi: HttpApi = {
  name: 'piston',
  description: 'Piston v2 compatibility.',
  prefix: '/api/v2',
  enabled: (options) => options.pistonApi,
  async register(app: FastifyInstance, ctx) {
    const r = app.withTypeProvider<ZodTypeProvider>();

    // Piston clients (piston-client among them) post JSON without a JSON content type.
    app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (error) {
        done(Object.assign(error as Error, { statusCode: 400 }), undefined);
      }
    });
    app.setErrorHandler(async (error, request, reply) => {
      const failure = toPistonFailure(error, request.body as PistonExecuteBody | undefined, ctx.options.retryAfterSeconds);
      if (failure.status >= 500) request.log.error({ err: error }, 'request failed');
      if (failure.status === 413) await drainRefusedBody(request, reply, ctx.options.drainLimitBytes);
      return reply.code(failure.status).headers(failure.headers).send({ message: failure.message });
    });
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ message: 'Not Found' }));

    r.get(
      '/runtimes',
      {
        schema: {
          tags,
          summary: 'Installed runtimes (Piston v2)',
          description: 'Languages whose toolchain was detected on this host, with the detected version.',
          response: { 200: pistonRuntimesResponse, ...errors },
        },
      },
      async () => toPistonRuntimes(await ctx.languages()),
    );

    r.post(
      '/execute',
      {
        schema: {
          tags,
          summary: 'Run a program (Piston v2)',
          description:
            'Times in milliseconds, memory in bytes (-1: the default). The first file is the main one. `run_timeout` is the wall-time ' +
            'limit, `run_cpu_time` the CPU limit, `run_memory_limit` the memory limit; `compile_timeout`, `compile_cpu_time` and ' +
            '`compile_memory_limit` are the compile step’s, over the language’s defaults. Values above the configured maxima are refused ' +
            '(400). A failed compile is returned as `compile` and as `run`. A client that disconnects cancels the run.',
          body: pistonExecuteBody,
          response: { 200: pistonExecuteResponse, ...errors },
        },
      },
      async (request, reply) => {
        const result = await ctx.run(toSubmissionInput(request.body), request, { signal: requestSignal(reply) });
        return toPistonResponse(result, result.language.id, result.language.version ?? request.body.version);
      },
    );
  },
};
