import { z } from 'zod';

/**
 * Piston v2's shapes (https://github.com/engineer-man/piston): lenient like Piston, times in
 * milliseconds, memory in bytes.
 */

const pistonNumber = z.number().int();

export const pistonExecuteBody = z.object({
  language: z.string().min(1).max(64),
  version: z.string().min(1).max(64).default('*'),
  files: z
    .array(
      z.object({
        name: z.string().max(255).optional(),
        content: z.string().max(64 * 1024 * 1024),
        encoding: z.enum(['utf8', 'base64', 'hex']).default('utf8'),
      }),
    )
    .min(1)
    .max(64),
  stdin: z
    .string()
    .max(64 * 1024 * 1024)
    .default(''),
  args: z.array(z.string().max(4096)).max(64).default([]),
  compile_timeout: pistonNumber.optional(),
  run_timeout: pistonNumber.optional(),
  compile_cpu_time: pistonNumber.optional(),
  run_cpu_time: pistonNumber.optional(),
  compile_memory_limit: pistonNumber.optional(),
  run_memory_limit: pistonNumber.optional(),
});

/** Piston's statuses: runtime error, signal, timeout, stdout too long, stderr too long, internal error. */
export const pistonStatuses = ['RE', 'SG', 'TO', 'OL', 'EL', 'XX'] as const;

export const pistonStage = z.object({
  stdout: z.string(),
  stderr: z.string(),
  output: z.string(),
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  message: z.string().nullable(),
  status: z.enum(pistonStatuses).nullable(),
  cpu_time: z.number(),
  wall_time: z.number(),
  memory: z.number(),
});

export const pistonExecuteResponse = z.object({
  language: z.string(),
  version: z.string(),
  run: pistonStage,
  compile: pistonStage.optional(),
});

export const pistonRuntimesResponse = z.array(
  z.object({ language: z.string(), version: z.string(), aliases: z.array(z.string()), runtime: z.string().optional() }),
);

export const pistonErrorSchema = z.object({ message: z.string() }).describe('Piston’s error shape.');

/** The body of `POST /api/v2/execute`, defaults filled in. */
export type PistonExecuteBody = z.output<typeof pistonExecuteBody>;
/** One stage (`run` or `compile`) of a Piston answer. */
export type PistonStage = z.infer<typeof pistonStage>;
/** The answer of `POST /api/v2/execute`. */
export type PistonExecuteResponse = z.infer<typeof pistonExecuteResponse>;
/** The answer of `GET /api/v2/runtimes`. */
export type PistonRuntimes = z.infer<typeof pistonRuntimesResponse>;
