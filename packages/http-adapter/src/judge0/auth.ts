import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Judge0's default header names (`AUTHN_HEADER`, `AUTHZ_HEADER`). */
export const authnHeader = 'X-Auth-Token';
export const authzHeader = 'X-Auth-User';

/**
 * The credential Judge0 reads from a header, or from a query parameter of the same name (Judge0
 * accepts both, e.g. `?X-Auth-Token=KEY`), or judgekit's own `Authorization: Bearer KEY`.
 */
export function credential(request: FastifyRequest, header: string, bearer = false): string | null {
  const fromHeader = request.headers[header.toLowerCase()];
  if (typeof fromHeader === 'string' && fromHeader.length > 0) return fromHeader;
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.[header];
  if (typeof fromQuery === 'string' && fromQuery.length > 0) return fromQuery;
  if (bearer) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (match) return match[1]!;
  }
  return null;
}

/** Checks presented keys against judgekit's configured keys, comparing digests in constant time. */
export class KeyCheck {
  readonly #digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.#digests = keys.map(digest);
  }

  /** True when judgekit has keys, so Judge0's authentication and authorization apply. */
  get enabled(): boolean {
    return this.#digests.length > 0;
  }

  valid(key: string | null): boolean {
    if (key === null) return false;
    const given = digest(key);
    let found = false;
    for (const d of this.#digests) if (timingSafeEqual(d, given)) found = true;
    return found;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
