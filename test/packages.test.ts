import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The built packages, imported the way users import them: by name, as ESM and as CommonJS.
const packages: [name: string, folder: string, mustExport: string[]][] = [
  ['@judgekit/core', 'core', ['Judge', 'JudgeError', 'FakeRunner', 'BaseRunner', 'submissionSchema', 'LruResultStore', 'FastqJobQueue']],
  ['@judgekit/runner-nsjail', 'runner-nsjail', ['NsjailRunner']],
  ['@judgekit/runner-docker', 'runner-docker', ['DockerRunner']],
  ['@judgekit/webhooks', 'webhooks', ['WebhookDispatcher', 'WebhookPolicy', 'signWebhook', 'verifyWebhook', 'withWebhooks']],
  ['@judgekit/postgres', 'postgres', ['PostgresStore', 'DurableResultStore', 'TenantKeys', 'WebhookOutbox', 'migrate', 'RetentionSweeper']],
  [
    '@judgekit/redis',
    'redis',
    ['BullJobQueue', 'RedisResultStore', 'RedisSubmissionBus', 'WorkerRegistry', 'openRedisBackend', 'registerDashboard'],
  ],
  ['@judgekit/http-adapter', 'http-adapter', ['createServer']],
  ['@judgekit/client', 'client', ['JudgekitClient', 'JudgekitClientError', 'parseSse']],
];

const node = (args: string[]) => execFileSync(process.execPath, args, { encoding: 'utf8', cwd: new URL('..', import.meta.url) }).trim();

describe('built packages', () => {
  it.each(packages)('%s imports as ESM and CommonJS with the same named exports', (name, folder, mustExport) => {
    const manifest = JSON.parse(readFileSync(new URL(`../packages/${folder}/package.json`, import.meta.url), 'utf8'));
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.exports['.']).toMatchObject({ import: expect.anything(), require: expect.anything() });
    expect(existsSync(new URL(`../packages/${folder}/dist`, import.meta.url)), `${name} is not built: run npm run build`).toBe(true);
    const esm = JSON.parse(
      node(['--input-type=module', '-e', `import * as m from '${name}'; console.log(JSON.stringify(Object.keys(m).sort()))`]),
    );
    const cjs = JSON.parse(node(['-e', `console.log(JSON.stringify(Object.keys(require('${name}')).sort()))`]));
    expect(cjs).toEqual(esm);
    for (const symbol of mustExport) expect(esm).toContain(symbol);
  });

  it('ships the conformance, adversarial and accuracy suites as ESM beside a working FakeRunner', async () => {
    const testing = await import(new URL('../packages/core/dist/testing/index.js', import.meta.url).href);
    expect(typeof testing.runnerConformanceSuite).toBe('function');
    expect(typeof testing.runnerAdversarialSuite).toBe('function');
    expect(typeof testing.runnerAccuracySuite).toBe('function');
    // The hostile programs ship beside the bundle, where the built suite looks for them.
    const fixtures: string = testing.adversarialFixturesDir();
    expect(fixtures).toContain('/packages/core/dist/testing/');
    expect(existsSync(`${fixtures}fork-bomb.c`)).toBe(true);
    const core = await import(new URL('../packages/core/dist/index.js', import.meta.url).href);
    const judge = new core.Judge({ runner: new testing.FakeRunner() });
    expect((await judge.run({ language: 'python3', source: 'x', stdin: 'ok' })).tests[0].stdout).toBe('ok');
    await judge.close();
  });

  // The CommonJS bundles have no import.meta.url of their own (tsup's shims give them one): the
  // files a package ships beside its bundle must be found from either build.
  it.each(['import', 'require'] as const)('serves the playground shipped beside the %s build', (how) => {
    const load = (name: string) => (how === 'import' ? `await import('${name}')` : `require('${name}')`);
    const script = `(async () => {
      const { createServer } = ${load('@judgekit/http-adapter')};
      const { FakeRunner } = ${load('@judgekit/core')};
      const server = await createServer({ runner: new FakeRunner(), port: 0, host: '127.0.0.1', logger: false });
      try {
        const res = await fetch(await server.listen());
        console.log(JSON.stringify({ status: res.status, type: res.headers.get('content-type'), page: (await res.text()).includes('<title>judgekit playground</title>') }));
      } finally {
        await server.close();
      }
    })();`;
    const out = JSON.parse(node(how === 'import' ? ['--input-type=module', '-e', script] : ['-e', script]));
    expect(out).toEqual({ status: 200, type: 'text/html; charset=utf-8', page: true });
  });

  it('recognises a JudgeError thrown by another copy of core', async () => {
    const esm = await import(new URL('../packages/core/dist/index.js', import.meta.url).href);
    const cjs = node(['-e', "const c = require('@judgekit/core'); console.log(c.JudgeError.name)"]);
    expect(cjs).toBe('JudgeError');
    const { JudgeError } = await import('@judgekit/core');
    expect(new esm.JudgeError('JDG_ERR_INPUT_INVALID', 'x') instanceof JudgeError).toBe(true);
  });
});
