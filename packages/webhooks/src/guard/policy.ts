import { lookup as dnsLookup } from 'node:dns/promises';
import { JudgeError } from '@judgekit/core';
import { type AddressClass, type Cidr, classifyAddress, embeddedIpv4, inCidr, parseCidr, parseIp } from './address.js';

/** Options of {@link WebhookPolicy}. */
export interface WebhookPolicyOptions {
  /**
   * Destinations allowed even though they are not public: addresses (`127.0.0.1`), CIDR ranges
   * (`10.20.0.0/16`, `fd00::/8`) or exact host names (`hooks.internal`, whose every address is then
   * allowed). Nothing else that is loopback, link-local, private, unique-local or reserved is ever
   * contacted.
   * @defaultValue []
   */
  allow?: readonly string[];
  /** Longest URL accepted, in characters. @defaultValue 2048 */
  maxUrlLength?: number;
}

/** Where one delivery attempt connects: the URL and the address that was checked. */
export interface WebhookTarget {
  url: URL;
  /** Host name as written in the URL (brackets removed), lower case. */
  hostname: string;
  /** The checked address the connection goes to. */
  address: string;
  family: 4 | 6;
}

/** Why a URL is refused, in `details.reason` of `JDG_ERR_WEBHOOK_URL_REFUSED`. */
export type RefusalReason = 'malformed' | 'too-long' | 'scheme' | 'credentials' | 'unresolvable' | AddressClass;

/** A resolver with the shape of `dns.promises.lookup(host, { all: true })`. */
export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The SSRF guard: decides whether a callback URL may be contacted, and resolves its host once so
 * the connection goes to the very address that was checked (a DNS answer that changes between the
 * check and the connection cannot redirect it).
 *
 * Refused unless allow-listed: loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16, which holds
 * cloud metadata at 169.254.169.254, and fe80::/10), private (10/8, 172.16/12, 192.168/16),
 * shared (100.64/10), unique-local (fc00::/7), unspecified, multicast, broadcast, documentation,
 * benchmarking and reserved ranges, with IPv6 forms that embed an IPv4 address judged by that
 * address. Schemes other than `http` and `https`, and URLs carrying credentials, are always refused.
 *
 * @example
 * ```ts
 * const policy = new WebhookPolicy({ allow: ['127.0.0.1'] })
 * policy.check('file:///etc/passwd')              // throws JDG_ERR_WEBHOOK_URL_REFUSED (scheme)
 * await policy.resolve('http://localhost:9000/')  // { address: '127.0.0.1', ... } since it is allow-listed
 * ```
 */
export class WebhookPolicy {
  readonly #allowCidrs: Cidr[] = [];
  readonly #allowHosts = new Set<string>();
  readonly #maxUrlLength: number;
  readonly #lookup: LookupAll;

  constructor(options: WebhookPolicyOptions = {}, lookup: LookupAll = defaultLookup) {
    for (const entry of options.allow ?? []) {
      const cidr = parseCidr(entry.trim());
      if (cidr) this.#allowCidrs.push(cidr);
      else if (/^[A-Za-z0-9.-]+$/.test(entry.trim()) && !/^[\d.]+$/.test(entry.trim())) {
        this.#allowHosts.add(normaliseHost(entry.trim()));
      } else {
        throw new JudgeError(
          'JDG_ERR_CONFIG_INVALID',
          `webhook allow-list: ${JSON.stringify(entry)} is not an address, a CIDR range or a host name.`,
        );
      }
    }
    this.#maxUrlLength = options.maxUrlLength ?? 2048;
    this.#lookup = lookup;
  }

  /** The allow-list as given (normalised), for logs and `doctor`. */
  get allowList(): string[] {
    return [...this.#allowCidrs.map(formatCidr), ...this.#allowHosts];
  }

  /**
   * Checks what can be told without DNS: syntax, scheme, credentials, and a literal address.
   * Throws `JDG_ERR_WEBHOOK_URL_REFUSED` with `details.reason`; returns the parsed URL.
   */
  check(text: string): URL {
    if (typeof text !== 'string' || text.length === 0) throw refused('malformed', 'the callback URL is empty');
    if (text.length > this.#maxUrlLength) {
      throw refused('too-long', `the callback URL is longer than ${this.#maxUrlLength} characters`);
    }
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw refused('malformed', 'the callback URL is not a valid absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw refused('scheme', `the scheme ${url.protocol.replace(/:$/, '')} is not allowed; use http or https`);
    }
    if (url.username !== '' || url.password !== '') {
      throw refused('credentials', 'credentials in a callback URL are not sent; the request is signed instead');
    }
    const hostname = normaliseHost(url.hostname);
    const literal = parseIp(hostname);
    if (literal) this.#checkAddress(hostname, literal);
    return url;
  }

  /**
   * Checks the URL, resolves its host once and checks every address of the answer (one refused
   * address refuses the URL, so a mixed answer cannot slip through). The returned address is
   * where the connection must go.
   */
  async resolve(text: string): Promise<WebhookTarget> {
    const url = this.check(text);
    const hostname = normaliseHost(url.hostname);
    const literal = parseIp(hostname);
    if (literal) return { url, hostname, address: hostname, family: literal.length === 4 ? 4 : 6 };
    let answers: { address: string; family: number }[];
    try {
      answers = await this.#lookup(hostname);
    } catch (cause) {
      throw refused('unresolvable', `the host ${hostname} does not resolve`, cause);
    }
    if (answers.length === 0) throw refused('unresolvable', `the host ${hostname} does not resolve`);
    for (const answer of answers) {
      const bytes = parseIp(answer.address);
      if (!bytes) throw refused('unresolvable', `the host ${hostname} resolved to ${answer.address}, which is not an address`);
      this.#checkAddress(hostname, bytes, answer.address);
    }
    const first = answers[0]!;
    return { url, hostname, address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  #checkAddress(hostname: string, bytes: Uint8Array, resolved?: string): void {
    const kind = classifyAddress(bytes);
    if (kind === null || this.#allowed(hostname, bytes)) return;
    const where = resolved ? `${hostname} resolves to ${resolved}, a ${kind} address` : `${hostname} is a ${kind} address`;
    throw refused(kind, `${where}; the server does not allow-list it`);
  }

  #allowed(hostname: string, bytes: Uint8Array): boolean {
    if (this.#allowHosts.has(hostname)) return true;
    const v4 = embeddedIpv4(bytes);
    return this.#allowCidrs.some((c) => inCidr(bytes, c) || (v4 !== null && inCidr(v4, c)));
  }
}

function normaliseHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

function formatCidr(c: Cidr): string {
  const address =
    c.bytes.length === 4
      ? [...c.bytes].join('.')
      : Array.from({ length: 8 }, (_, i) => ((c.bytes[i * 2]! << 8) | c.bytes[i * 2 + 1]!).toString(16)).join(':');
  return `${address}/${c.prefix}`;
}

function refused(reason: RefusalReason, message: string, cause?: unknown): JudgeError {
  return new JudgeError('JDG_ERR_WEBHOOK_URL_REFUSED', `Callback URL refused: ${message}.`, {
    details: { reason, issues: [{ path: 'callbackUrl', message }] },
    ...(cause === undefined ? {} : { cause }),
  });
}
