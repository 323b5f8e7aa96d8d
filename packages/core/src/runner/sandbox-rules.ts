import { JudgeError } from '../errors/judge-error.js';
import type { ExecRequest, SandboxFile } from './contract.js';
import { limitNames, minLimits } from './limits.js';

/** Longest sandbox path, in characters. */
export const maxSandboxPathLength = 4096;
/** Longest component of a sandbox path, in characters. */
export const maxPathSegmentLength = 255;
/** Longest single argument or environment value (Linux's `MAX_ARG_STRLEN`), in bytes. */
export const maxArgBytes = 128 * 1024;
/** Environment variable names runners keep for themselves. */
export const reservedEnvPrefix = 'JK_';

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

const badPath = (path: unknown, why: string): JudgeError =>
  new JudgeError(
    'JDG_ERR_SANDBOX_PATH_INVALID',
    `Sandbox path ${typeof path === 'string' ? JSON.stringify(path) : String(path)} is refused: ${why}.`,
    {
      details: { path },
    },
  );

/**
 * Checks a path inside a sandbox's work directory and returns its components. The one rule
 * every runner keeps (the base runner applies it before a backend sees the path): a relative
 * path of non-empty components, none of them `.` or `..`, with no NUL byte, at most 4096
 * characters and 255 per component. Anything else is `JDG_ERR_SANDBOX_PATH_INVALID`, so
 * `./a`, `a//b`, `a/` and `/a` are refused on every backend alike rather than normalised by some.
 *
 * @example
 * ```ts
 * sandboxPathSegments('lib/util.py') // ['lib', 'util.py']
 * sandboxPathSegments('./main.py')   // throws JDG_ERR_SANDBOX_PATH_INVALID
 * ```
 */
export function sandboxPathSegments(path: unknown): string[] {
  if (typeof path !== 'string') throw badPath(path, 'it is not a string');
  if (path.length === 0) throw badPath(path, 'it is empty');
  if (path.length > maxSandboxPathLength) throw badPath(`${path.slice(0, 40)}…`, `it is longer than ${maxSandboxPathLength} characters`);
  if (path.includes('\0')) throw badPath(path, 'it contains a NUL byte');
  if (path.startsWith('/')) throw badPath(path, 'it is absolute');
  const parts = path.split('/');
  for (const part of parts) {
    if (part === '') throw badPath(path, 'it has an empty component (a leading, trailing or doubled "/")');
    if (part === '.') throw badPath(path, 'it has a "." component');
    if (part === '..') throw badPath(path, 'it has a ".." component');
    if (part.length > maxPathSegmentLength) throw badPath(path, `a component is longer than ${maxPathSegmentLength} characters`);
  }
  return parts;
}

const invalidRequest = (path: string, message: string): JudgeError =>
  new JudgeError('JDG_ERR_INPUT_INVALID', `exec: ${path}: ${message}`, { details: { issues: [{ path, message }] } });

/** Checks the files of a `write`: paths by {@link sandboxPathSegments}, contents and modes. */
export function checkSandboxFiles(files: unknown): asserts files is SandboxFile[] {
  if (!Array.isArray(files)) throw new JudgeError('JDG_ERR_INPUT_INVALID', 'write: files must be an array.');
  for (const [i, file] of files.entries()) {
    if (typeof file !== 'object' || file === null) throw new JudgeError('JDG_ERR_INPUT_INVALID', `write: files.${i} must be an object.`);
    const f = file as SandboxFile;
    sandboxPathSegments(f.path);
    if (typeof f.content !== 'string' && !(f.content instanceof Uint8Array)) {
      throw new JudgeError('JDG_ERR_INPUT_INVALID', `write: files.${i}.content must be a string or bytes.`);
    }
    if (f.mode !== undefined && !(Number.isInteger(f.mode) && f.mode >= 0 && f.mode <= 0o777)) {
      throw new JudgeError('JDG_ERR_INPUT_INVALID', `write: files.${i}.mode must be permission bits (0 to 0o777), received ${f.mode}.`);
    }
  }
}

/**
 * Checks an exec request, the same for every runner: `argv` a non-empty list of strings without
 * NUL bytes (the first non-empty), each at most 128 KiB; `env` names of letters, digits and `_`
 * (not starting with a digit, nor with the reserved `JK_`), values without NUL; every limit a
 * whole number at least its {@link minLimits} value. Anything else is `JDG_ERR_INPUT_INVALID`
 * naming the field.
 */
export function checkExecRequest(request: unknown): asserts request is ExecRequest {
  if (typeof request !== 'object' || request === null) throw invalidRequest('(root)', 'the request must be an object');
  const { argv, env, limits, stdin } = request as ExecRequest;
  if (!Array.isArray(argv) || argv.length === 0) throw invalidRequest('argv', 'must be a non-empty list of strings');
  if (argv.length > 4096) throw invalidRequest('argv', 'has more than 4096 entries');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (typeof arg !== 'string') throw invalidRequest(`argv.${i}`, 'must be a string');
    if (arg.includes('\0')) throw invalidRequest(`argv.${i}`, 'contains a NUL byte');
    if (arg.length > maxArgBytes / 4 && Buffer.byteLength(arg) > maxArgBytes)
      throw invalidRequest(`argv.${i}`, `is longer than ${maxArgBytes} bytes`);
  }
  if (argv[0] === '') throw invalidRequest('argv.0', 'the program name is empty');
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || Array.isArray(env)) throw invalidRequest('env', 'must be an object of strings');
    for (const key of Object.keys(env)) {
      const value = env[key];
      if (!envName.test(key)) throw invalidRequest(`env.${key}`, 'names are letters, digits and _, not starting with a digit');
      if (key.startsWith(reservedEnvPrefix))
        throw invalidRequest(`env.${key}`, `names starting with ${reservedEnvPrefix} are reserved for runners`);
      if (typeof value !== 'string') throw invalidRequest(`env.${key}`, 'must be a string');
      if (value.includes('\0')) throw invalidRequest(`env.${key}`, 'contains a NUL byte');
    }
  }
  if (stdin !== undefined && typeof stdin !== 'string' && !(stdin instanceof Uint8Array))
    throw invalidRequest('stdin', 'must be a string or bytes');
  if (typeof limits !== 'object' || limits === null) throw invalidRequest('limits', 'must be resolved limits');
  for (const name of limitNames) {
    const value = limits[name];
    if (!Number.isSafeInteger(value)) throw invalidRequest(`limits.${name}`, `must be a whole number, received ${String(value)}`);
    if (value < minLimits[name]) {
      throw invalidRequest(`limits.${name}`, `must be at least ${minLimits[name]} (a sandbox cannot start below it), received ${value}`);
    }
  }
}
