import { isJudgeError } from '@judgekit/core';
import { describe, expect, it } from 'vitest';
import { WebhookPolicy } from './policy.js';

async function reason(policy: WebhookPolicy, url: string): Promise<unknown> {
  try {
    await policy.resolve(url);
  } catch (error) {
    if (isJudgeError(error, 'JDG_ERR_WEBHOOK_URL_REFUSED')) return error.details.reason;
    throw error;
  }
  return 'allowed';
}

describe('the SSRF policy', () => {
  const strict = new WebhookPolicy();

  it.each([
    ['http://127.0.0.1:9/hook', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://[::1]:8080/', 'loopback'],
    ['http://localhost:8080/', 'loopback'],
    ['http://LOCALHOST./x', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://10.0.0.5/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://[fd00::1]/', 'unique-local'],
    ['http://0.0.0.0:80/', 'unspecified'],
    ['file:///etc/passwd', 'scheme'],
    ['gopher://example.com/', 'scheme'],
    ['ftp://example.com/', 'scheme'],
    ['http://user:pass@example.com/', 'credentials'],
    ['not a url', 'malformed'],
    ['/relative/path', 'malformed'],
    ['http://does-not-exist.invalid/', 'unresolvable'],
  ])('refuses %s (%s)', async (url, why) => {
    expect(await reason(strict, url)).toBe(why);
  });

  it('refuses an over-long URL', async () => {
    expect(await reason(strict, `https://example.com/${'a'.repeat(3000)}`)).toBe('too-long');
  });

  it('allows an allow-listed address, range or host name, and nothing beside it', async () => {
    const policy = new WebhookPolicy({ allow: ['127.0.0.1', '10.20.0.0/16', 'localhost'] });
    expect(await reason(policy, 'http://127.0.0.1:9000/')).toBe('allowed');
    expect(await reason(policy, 'http://10.20.3.4/')).toBe('allowed');
    expect(await reason(policy, 'http://localhost:1/')).toBe('allowed');
    expect(await reason(policy, 'http://127.0.0.2/')).toBe('loopback');
    expect(await reason(policy, 'http://10.21.0.1/')).toBe('private');
    expect(await reason(policy, 'http://[::1]/')).toBe('loopback');
    expect(await reason(policy, 'file:///etc/passwd')).toBe('scheme');
    expect(policy.allowList).toEqual(['127.0.0.1/32', '10.20.0.0/16', 'localhost']);
  });

  it('refuses a name when any address of its answer is refused, and pins the checked one', async () => {
    const mixed = new WebhookPolicy({}, async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);
    expect(await reason(mixed, 'http://rebind.example/')).toBe('loopback');
    let calls = 0;
    const once = new WebhookPolicy({}, async () => {
      calls++;
      return [{ address: '93.184.216.34', family: 4 }];
    });
    await expect(once.resolve('https://hooks.example/x')).resolves.toMatchObject({
      address: '93.184.216.34',
      family: 4,
      hostname: 'hooks.example',
    });
    expect(calls).toBe(1);
  });

  it('refuses a malformed allow-list entry at construction', () => {
    expect(() => new WebhookPolicy({ allow: ['10.0.0.0/99'] })).toThrow(/allow-list/);
    expect(() => new WebhookPolicy({ allow: ['http://x'] })).toThrow(/allow-list/);
  });

  it('tells the reason in the message and names the field', async () => {
    const error = await strict.resolve('http://169.254.169.254/').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'JDG_ERR_WEBHOOK_URL_REFUSED',
      message: expect.stringContaining('169.254.169.254 is a link-local address'),
      details: { issues: [{ path: 'callbackUrl' }] },
    });
  });
});
