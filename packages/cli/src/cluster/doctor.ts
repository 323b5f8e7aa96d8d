import { closeRedis, connectRedis, redactRedisUrl } from '@judgekit/redis';
import { redisServerPath } from '@judgekit/redis/testing';

/** What `judgekit doctor` says about Redis (the cluster mode). */
export interface RedisReport {
  /** `null` when no Redis URL is set (the cluster mode is off). */
  url: string | null;
  ready: boolean;
  details: Record<string, string>;
  problems: { message: string; fix?: string }[];
}

/**
 * Checks the cluster mode: with a URL, that Redis answers (password, ACL user and TLS as the URL
 * says), its version, persistence and eviction policy; without one, whether `redis-server` is
 * installed for `--redis`.
 */
export async function checkRedis(url: string | undefined): Promise<RedisReport> {
  const bin = redisServerPath();
  const details: Record<string, string> = { 'server binary': bin ?? 'not installed' };
  if (!url)
    return {
      url: null,
      ready: false,
      details: { ...details, mode: 'off (no --redis-url / JUDGEKIT_REDIS_URL): one process' },
      problems: [],
    };
  let client: Awaited<ReturnType<typeof connectRedis>> | undefined;
  try {
    client = await connectRedis(url, { connectTimeoutMs: 3000, name: 'judgekit:doctor' });
    const info = await client.info();
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '?';
    const [, policy] = (await client.config('GET', 'maxmemory-policy').catch(() => [])) as string[];
    details.server = `Redis ${field('redis_version')} at ${redactRedisUrl(url)}${url.startsWith('rediss://') ? ' (TLS)' : ''}`;
    details.persistence = field('aof_enabled') === '1' ? 'AOF on' : 'AOF off';
    details['maxmemory-policy'] = policy ?? 'unknown (CONFIG not allowed for this user)';
    const problems: RedisReport['problems'] = [];
    if (field('aof_enabled') !== '1') {
      problems.push({
        message: 'AOF is off: a restart of Redis loses the queue and the results',
        fix: 'appendonly yes in redis.conf (scripts/setup/redis.sh --start does it)',
      });
    }
    if (policy && policy !== 'noeviction') {
      problems.push({ message: `maxmemory-policy is ${policy}: Redis may evict queued jobs`, fix: 'maxmemory-policy noeviction' });
    }
    return { url: redactRedisUrl(url), ready: problems.length === 0, details, problems };
  } catch (error) {
    return {
      url: redactRedisUrl(url),
      ready: false,
      details,
      problems: [
        {
          message: (error as Error).message,
          fix: bin
            ? 'start it (scripts/setup/redis.sh --start starts the project’s own on 127.0.0.1:6380) or correct the URL'
            : 'install it: scripts/setup/redis.sh (Debian’s redis-server), then --start',
        },
      ],
    };
  } finally {
    if (client) await closeRedis(client);
  }
}

/** The human lines of a {@link RedisReport}. */
export function formatRedis(report: RedisReport): string {
  let out = `redis: ${report.url === null ? 'not configured' : report.ready ? 'ready' : 'NOT READY'}\n`;
  for (const [key, value] of Object.entries(report.details)) out += `  ${key}: ${value}\n`;
  for (const p of report.problems) out += `  problem: ${p.message}\n${p.fix ? `    fix: ${p.fix}\n` : ''}`;
  return out;
}
