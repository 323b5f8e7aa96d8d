import { describe, expect, it } from 'vitest';
import { classifyAddress, parseCidr, parseIp } from './address.js';

describe('address classes', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['fd12:3456::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:7f00:0001::', 'loopback'],
    ['::127.0.0.1', 'loopback'],
  ])('judges %s by the IPv4 address it embeds (%s)', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeNull();
  });

  it('parses addresses and ranges, refusing junk', () => {
    expect(parseIp('1.2.3.4')).toEqual(Uint8Array.from([1, 2, 3, 4]));
    expect(parseIp('[::1]')?.[15]).toBe(1);
    expect(parseIp('1.2.3')).toBeNull();
    expect(parseIp('example.com')).toBeNull();
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ prefix: 8 });
    expect(parseCidr('::1')).toMatchObject({ prefix: 128 });
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('10.0.0.0/x')).toBeNull();
  });
});
