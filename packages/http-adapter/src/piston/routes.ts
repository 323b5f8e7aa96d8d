import type { LimitsInput, StepResult, SubmissionInput, SubmissionResult } from '@judgekit/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AdapterContext } from '../context.js';
import { toHttpFailure } from '../errors/http-errors.js';
import { type PistonStage, pistonErrorSchema, pistonExecuteBody, pistonExecuteResponse, pistonRuntimesResponse } from '../schemas.js';

const tags = ['piston'];
const errors = { 400: pistonErrorSchema, 401: pistonErrorSchema, 429: pistonErrorSchema, 503: pistonErrorSchema };

/**
 * Piston v2 compatibility (`/api/v2/runtimes`, `/api/v2/execute`), so Piston clients work
 * unchanged. Errors answer `{ message }` as Piston does.
 */
export async function pistonRoutes(app: FastifyInstance, ctx: AdapterContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { judge } = ctx;

  // Piston clients (piston-client among them) post JSON without a JSON content type.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const failure = toHttpFailure(error, ctx.options.retryAfterSeconds);
    if (failure.status >= 500) request.log.error({ err: error }, 'request failed');
    const status = failure.code === 'JDG_ERR_LANGUAGE_UNKNOWN' || failure.code === 'JDG_ERR_LIMIT_EXCEEDS_MAX' ? 400 : failure.status;
    return reply.code(status).headers(failure.headers).send({ message: failure.message });
  });

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
    async () =>
      (await ctx.languages())
        .filter((l) => l.version !== null)
        .map((l) => ({ language: l.id, version: l.version as string, aliases: l.aliases, runtime: l.id })),
  );

  r.post(
    '/execute',
    {
      schema: {
        tags,
        summary: 'Run a program (Piston v2)',
        description:
          'Times in milliseconds, memory in bytes (-1: the default). The first file is the main one. `run_timeout` is the wall-time ' +
          'limit, `run_cpu_time` the CPU limit, `run_memory_limit` the memory limit; values above the configured maxima are refused ' +
          '(400). `compile_timeout`, `compile_cpu_time` and `compile_memory_limit` are the compile step’s limits, over the language’s defaults. ' +
          'A failed compile is returned as `compile` and as `run`.',
        body: pistonExecuteBody,
        response: { 200: pistonExecuteResponse, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const language = judge.languages.find(body.language);
      const unknown = () => reply.code(400).send({ message: `${body.language}-${body.version} runtime is unknown` });
      if (!language) return unknown();
      const version = await ctx.version(language);
      if (body.version !== '*' && (version === null || !versionMatches(body.version, version))) return unknown();
      for (const [field, value] of [
        ['compile_timeout', body.compile_timeout],
        ['compile_cpu_time', body.compile_cpu_time],
      ] as const) {
        if (value !== undefined && value > judge.maxLimits.wallTimeMs) {
          return reply.code(400).send({ message: `${field} cannot exceed the configured limit of ${judge.maxLimits.wallTimeMs}` });
        }
      }
      if (body.compile_memory_limit !== undefined && body.compile_memory_limit > judge.maxLimits.memoryBytes) {
        return reply
          .code(400)
          .send({ message: `compile_memory_limit cannot exceed the configured limit of ${judge.maxLimits.memoryBytes}` });
      }
      const limits: LimitsInput = {};
      if (positive(body.run_timeout)) limits.wallTimeMs = body.run_timeout;
      if (positive(body.run_cpu_time)) limits.cpuTimeMs = body.run_cpu_time;
      if (positive(body.run_memory_limit)) limits.memoryBytes = body.run_memory_limit;
      const compileLimits: LimitsInput = {};
      if (positive(body.compile_timeout)) compileLimits.wallTimeMs = body.compile_timeout;
      if (positive(body.compile_cpu_time)) compileLimits.cpuTimeMs = body.compile_cpu_time;
      if (positive(body.compile_memory_limit)) compileLimits.memoryBytes = body.compile_memory_limit;
      const input: SubmissionInput = {
        language: language.id,
        files: body.files.map((f, i) => ({
          // The first file becomes the language's main file; Piston names are kept for the others.
          ...(i > 0 && f.name ? { name: f.name } : {}),
          content: f.encoding === 'hex' ? Buffer.from(f.content, 'hex').toString('base64') : f.content,
          encoding: f.encoding === 'hex' ? 'base64' : f.encoding,
        })),
        stdin: body.stdin,
        args: body.args,
        limits,
        compileLimits,
      };
      const controller = new AbortController();
      const onClose = () => controller.abort();
      reply.raw.once('close', onClose);
      try {
        const id = await ctx.submit(input, request.id, { signal: controller.signal });
        const result = await judge.wait(id, { signal: controller.signal }).catch(async (error) => {
          if (controller.signal.aborted) await judge.cancel(id).catch(() => {});
          throw error;
        });
        return toPistonResponse(result, language.id, version ?? body.version);
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );
}

function positive(value: number | undefined): value is number {
  return value !== undefined && value > 0;
}

/** `3.11` and `3` match `3.11.2`; `*` matches anything; `3.x` / `3.*` match `3.11.2`. */
export function versionMatches(wanted: string, actual: string): boolean {
  if (wanted === '*' || wanted === actual) return true;
  const prefix = wanted.replace(/\.(x|\*)$/, '');
  return actual.startsWith(`${prefix}.`) || actual === prefix;
}

/** judgekit's result in Piston's shape. */
export function toPistonResponse(result: SubmissionResult, language: string, version: string) {
  const compile = result.compile ? pistonStage(result.compile, result.verdict === 'compile_error' ? result.message : null) : undefined;
  if (result.verdict === 'compile_error' && compile) {
    if (compile.status === null) compile.status = 'RE';
    return { language, version, run: compile, compile };
  }
  const test = result.tests[0];
  let run: PistonStage;
  if (!test || result.verdict === 'internal_error' || result.status === 'cancelled') {
    run = {
      stdout: test?.stdout ?? '',
      stderr: test?.stderr ?? '',
      output: (test?.stdout ?? '') + (test?.stderr ?? ''),
      code: test?.exitCode ?? null,
      signal: test?.signal ?? null,
      message: result.status === 'cancelled' ? 'cancelled' : (result.message ?? 'internal error'),
      status: 'XX',
      cpu_time: test?.cpuTimeMs ?? 0,
      wall_time: test?.wallTimeMs ?? 0,
      memory: test?.memoryBytes ?? 0,
    };
  } else {
    run = pistonStage(test, test.message);
  }
  return compile ? { language, version, run, compile } : { language, version, run };
}

function pistonStage(step: StepResult, message: string | null): PistonStage {
  let status: PistonStage['status'] = null;
  let signal = step.signal;
  switch (step.limitExceeded) {
    case 'cpu':
    case 'wall':
      status = 'TO';
      break;
    case 'output':
      status = step.stderrTruncated && !step.stdoutTruncated ? 'EL' : 'OL';
      break;
    case 'memory':
      // Piston reports a memory kill as death by SIGKILL.
      status = 'SG';
      signal ??= 'SIGKILL';
      break;
    default:
      if (step.signal) status = 'SG';
      else if (step.exitCode !== 0) status = 'RE';
  }
  return {
    stdout: step.stdout,
    stderr: step.stderr,
    output: step.stdout + step.stderr,
    code: step.exitCode,
    signal,
    message: status === null ? null : (message ?? null),
    status,
    cpu_time: step.cpuTimeMs,
    wall_time: step.wallTimeMs,
    memory: step.memoryBytes,
  };
}
