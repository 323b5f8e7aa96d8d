import type { z } from 'zod';
import { type InputIssue, JudgeError } from '../errors/judge-error.js';
import { type Limits, limitNames } from '../runner/limits.js';
import { describe, type LimitsInput, limitsSchema, type ParsedSubmission, submissionSchema } from './schema.js';

/** @internal Turns zod issues into judgekit's `{ path, message }` list. */
export function toIssues(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/**
 * Validates a submission. Throws `JDG_ERR_INPUT_INVALID` whose message names the first field and
 * whose `details.issues` lists every one.
 */
export function parseSubmission(input: unknown): ParsedSubmission {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new JudgeError('JDG_ERR_INPUT_INVALID', `A submission must be an object, received ${describe(input)}.`, {
      details: { issues: [{ path: '', message: 'expected an object' }] },
    });
  }
  const pollutingPath = findPollutingKey(input, 0);
  if (pollutingPath !== null) {
    const polluting = pollutingPath.join('.');
    throw new JudgeError('JDG_ERR_INPUT_INVALID', `Invalid submission: ${polluting}: this key name is not allowed`, {
      details: { issues: [{ path: polluting, message: 'key name not allowed (__proto__, constructor, prototype)' }] },
    });
  }
  const parsed = submissionSchema.safeParse(input);
  if (!parsed.success) {
    const issues = toIssues(parsed.error);
    const first = issues[0]!;
    throw new JudgeError('JDG_ERR_INPUT_INVALID', `Invalid submission: ${first.path || '(root)'}: ${first.message}`, {
      details: { issues },
    });
  }
  return parsed.data;
}

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** Finds a prototype-polluting own key anywhere in plain input (as JSON.parse can produce). */
function findPollutingKey(value: unknown, depth: number): string[] | null {
  if (value === null || typeof value !== 'object' || depth > 8) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && i < 2000; i++) {
      const found = findPollutingKey(value[i], depth + 1);
      if (found !== null) return [String(i), ...found];
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    if (forbiddenKeys.has(key)) return [key];
    const found = findPollutingKey((value as Record<string, unknown>)[key], depth + 1);
    if (found !== null) return [key, ...found];
  }
  return null;
}

/**
 * Resolves the limits of a step: each layer overrides the one before. A value the submission
 * asked for above `max` is refused with `JDG_ERR_LIMIT_EXCEEDS_MAX`, never clamped.
 */
export function resolveLimits(
  base: Limits,
  languageDefaults: Partial<Limits> | undefined,
  requested: (LimitsInput | undefined)[],
  max: Limits,
  path: string,
): Limits {
  const limits: Limits = languageDefaults ? { ...base, ...languageDefaults } : { ...base };
  for (const layer of requested) {
    if (!layer) continue;
    for (const name of limitNames) {
      const value = layer[name];
      if (value === undefined) continue;
      if (value > max[name]) {
        throw new JudgeError('JDG_ERR_LIMIT_EXCEEDS_MAX', `${path}.${name} is ${value}, above the maximum ${max[name]}.`, {
          details: {
            issues: [{ path: `${path}.${name}`, message: `at most ${max[name]}` }],
            limit: name,
            requested: value,
            max: max[name],
          },
        });
      }
      limits[name] = value;
    }
  }
  return limits;
}

/**
 * @internal Lowers the maxima to a per-call cap (a tenant's quota): each is the lower of the two,
 * and a default above its new maximum is lowered to it (a default is not a request). Throws
 * `JDG_ERR_INPUT_INVALID` for a cap that is not a valid limits object.
 */
export function capLimits(defaults: Limits, max: Limits, cap: unknown): { defaultLimits: Limits; maxLimits: Limits } {
  const parsed = limitsSchema.safeParse(cap);
  if (!parsed.success) {
    const issue = toIssues(parsed.error)[0]!;
    throw new JudgeError('JDG_ERR_INPUT_INVALID', `maxLimits.${issue.path}: ${issue.message}`, {
      details: { issues: toIssues(parsed.error) },
    });
  }
  const maxLimits = { ...max };
  const defaultLimits = { ...defaults };
  for (const name of limitNames) {
    const value = parsed.data[name];
    if (value === undefined) continue;
    maxLimits[name] = Math.min(maxLimits[name], value);
    defaultLimits[name] = Math.min(defaultLimits[name], maxLimits[name]);
  }
  return { defaultLimits, maxLimits };
}
