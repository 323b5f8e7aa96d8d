import { isIPv4, isIPv6 } from 'node:net';

/** Why an address is not a public unicast one. */
export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

interface Range {
  bytes: Uint8Array;
  prefix: number;
  kind: AddressClass;
}

/** A parsed address or CIDR: 4 or 16 bytes and a prefix length. */
export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

const v4Ranges: [string, number, AddressClass][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

const v6Ranges: [string, number, AddressClass][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'reserved'],
  ['2001::', 32, 'reserved'], // Teredo: the client's IPv4 address is hidden inside
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'reserved'], // deprecated site-local
  ['ff00::', 8, 'multicast'],
];

const ranges4: Range[] = v4Ranges.map(([a, prefix, kind]) => ({ bytes: parseIp(a)!, prefix, kind }));
const ranges6: Range[] = v6Ranges.map(([a, prefix, kind]) => ({ bytes: parseIp(a)!, prefix, kind }));

/** Parses an IPv4 or IPv6 literal (IPv6 may carry a zone, `fe80::1%eth0`) into 4 or 16 bytes. */
export function parseIp(text: string): Uint8Array | null {
  const address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  const bare = address.split('%')[0]!;
  if (!isIPv6(bare)) return null;
  let head = bare;
  let tail4: number[] = [];
  const lastColon = bare.lastIndexOf(':');
  if (bare.slice(lastColon + 1).includes('.')) {
    tail4 = bare
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    head = `${bare.slice(0, lastColon + 1)}${tail4.length ? '0:0' : ''}`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g.length > 0) : []);
  const l = groups(left);
  const r = groups(right);
  const fill = right === undefined ? [] : new Array<string>(8 - l.length - r.length).fill('0');
  const all = [...l, ...fill, ...r];
  if (all.length !== 8) return null;
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    bytes[i * 2] = n >> 8;
    bytes[i * 2 + 1] = n & 0xff;
  });
  if (tail4.length === 4) bytes.set(tail4, 12);
  return bytes;
}

/** Parses `10.0.0.0/8`, `::1/128`, or a bare address (a /32 or /128). */
export function parseCidr(text: string): Cidr | null {
  const [address, prefixText] = text.split('/');
  const bytes = parseIp(address ?? '');
  if (!bytes) return null;
  const max = bytes.length * 8;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) return null;
  return { bytes, prefix };
}

/** True when `bytes` lies in `range` (same family). */
export function inCidr(bytes: Uint8Array, range: Cidr): boolean {
  if (bytes.length !== range.bytes.length) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

/**
 * The IPv4 address an IPv6 address carries (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
 * `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`), or null. A request to one of these reaches
 * the IPv4 address, so that address is what must be checked.
 */
export function embeddedIpv4(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length !== 16) return null;
  const zero = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && bytes[15] === 1)) return bytes.slice(12);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) return bytes.slice(12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return null;
}

/**
 * The class of a non-public address, or null for a public unicast one. IPv6 forms that embed an
 * IPv4 address answer for that address.
 *
 * @example
 * ```ts
 * classifyAddress('169.254.169.254') // 'link-local'
 * classifyAddress('::ffff:127.0.0.1') // 'loopback'
 * classifyAddress('93.184.216.34')    // null
 * ```
 */
export function classifyAddress(address: string | Uint8Array): AddressClass | null {
  const bytes = typeof address === 'string' ? parseIp(address) : address;
  if (!bytes) return 'reserved';
  if (bytes.length === 4) return ranges4.find((r) => inCidr(bytes, r))?.kind ?? null;
  const v4 = embeddedIpv4(bytes);
  if (v4) return classifyAddress(v4);
  return ranges6.find((r) => inCidr(bytes, r))?.kind ?? null;
}
