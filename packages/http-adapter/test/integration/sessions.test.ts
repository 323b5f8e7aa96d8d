import type { Runner } from '@judgekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServer, type JudgekitServer } from '../../src/index.js';
import { dockerRunner, nsjailRunner } from './sandbox.js';

type Message = Record<string, unknown> & { type: string };

/** A plain `ws` client that records every message and the close. */
function connect(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  const messages: Message[] = [];
  let text = '';
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (!w.test()) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      check();
    });
  });
  // With this listener ws leaves the refused request open: it is ended here.
  const unexpected = new Promise<number>((resolve) =>
    socket.on('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    }),
  );
  socket.on('message', (data) => {
    const m = JSON.parse(data.toString()) as Message;
    messages.push(m);
    if (m.type === 'data') text += m.data as string;
    check();
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve());
    socket.on('error', reject);
  });
  opened.catch(() => {});
  return {
    socket,
    messages,
    closed,
    unexpected,
    opened,
    get text() {
      return text;
    },
    send: (m: object) => socket.send(JSON.stringify(m)),
    until(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
      if (test()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what}: got ${JSON.stringify(messages)}`)), timeoutMs);
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

// The same routes on both runners: on Docker a session is a step of the container's supervisor.
for (const [name, make] of [
  ['nsjail', nsjailRunner],
  ['docker (gVisor)', dockerRunner],
] as const) {
  const runner: Runner | null = await make();
  const suite = runner ? describe : describe.skip;

  suite(`live sessions over WebSocket, on the ${name} sandbox`, () => {
    let server: JudgekitServer;
    let base: string;

    beforeAll(async () => {
      server = await createServer({
        runner: runner as Runner,
        port: 0,
        host: '127.0.0.1',
        logger: false,
        apiKeys: ['k1', 'k2'],
        judgeOptions: { sessions: { maxPerKey: 2 } },
      });
      base = (await server.listen()).replace(/^http/, 'ws');
    });
    afterAll(async () => {
      await server?.close();
    });

    describe('/v1/sessions', () => {
      it('round-trips a Python prompt on a terminal and reports the exit code', async () => {
        const c = connect(`${base}/v1/sessions?access_token=k1`);
        await c.opened;
        c.send({ type: 'start', language: 'python3', source: 'import sys\nname = input("name? ")\nprint("hi", name)\nsys.exit(3)\n' });
        await c.until(() => c.text.includes('name? '), 'prompt');
        expect(c.messages[0]).toMatchObject({ type: 'ready', language: 'python3', tty: true });
        expect(c.messages[1]).toEqual({ type: 'stage', stage: 'run' });
        c.send({ type: 'stdin', data: 'ada\r' });
        expect(await c.closed).toMatchObject({ code: 1000 });
        expect(c.text).toContain('hi ada');
        expect(c.messages.at(-1)).toMatchObject({ type: 'exit', stage: 'run', exitCode: 3, signal: null, limitExceeded: null });
      });

      it('delivers a signal message and a resize', async () => {
        const c = connect(`${base}/v1/sessions`, { authorization: 'Bearer k1' });
        await c.opened;
        c.send({
          type: 'start',
          language: 'python3',
          cols: 80,
          rows: 24,
          source: [
            'import os, signal, sys, time',
            'signal.signal(signal.SIGWINCH, lambda *a: os.write(1, ("size %d %d\\n" % os.get_terminal_size()).encode()))',
            'signal.signal(signal.SIGINT, lambda *a: sys.exit(9))',
            'print("ready", flush=True)',
            'time.sleep(30)',
          ].join('\n'),
        });
        await c.until(() => c.text.includes('ready'), 'ready');
        c.send({ type: 'resize', cols: 100, rows: 30 });
        // Seen once in a dozen runs on the loaded machine: no SIGWINCH came for the first resize (an
        // open question in the status notes); a second, different size must then come through.
        await c.until(() => c.text.includes('size 100 30'), 'resize', 3000).catch(() => c.send({ type: 'resize', cols: 101, rows: 31 }));
        await c.until(() => /size 10[01] 3[01]/.test(c.text), 'resize');
        c.send({ type: 'signal', signal: 'SIGINT' });
        await c.closed;
        expect(c.messages.at(-1)).toMatchObject({ type: 'exit', exitCode: 9 });
      });

      it('keeps stdout and stderr apart without a terminal, and closes stdin on eof', async () => {
        const c = connect(`${base}/v1/sessions?access_token=k1`);
        await c.opened;
        c.send({
          type: 'start',
          language: 'python3',
          tty: false,
          source: 'import sys\nd = sys.stdin.read()\nprint(d.upper())\nprint("e", file=sys.stderr)',
        });
        c.send({ type: 'stdin', data: 'abc' });
        c.send({ type: 'eof' });
        await c.closed;
        const data = c.messages.filter((m) => m.type === 'data');
        expect(
          data
            .filter((m) => m.stream === 'stdout')
            .map((m) => m.data)
            .join(''),
        ).toBe('ABC\n');
        expect(
          data
            .filter((m) => m.stream === 'stderr')
            .map((m) => m.data)
            .join(''),
        ).toBe('e\n');
      });

      it('kills the program within 1 s when the client goes away', async () => {
        const c = connect(`${base}/v1/sessions?access_token=k2`);
        await c.opened;
        c.send({ type: 'start', language: 'python3', source: 'import time\nprint("up", flush=True)\ntime.sleep(60)' });
        await c.until(() => c.text.includes('up'), 'up');
        expect(server.judge.runningSessions).toBe(1);
        const started = performance.now();
        c.socket.terminate();
        while (server.judge.runningSessions > 0 && performance.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
        expect(server.judge.runningSessions).toBe(0);
        expect(performance.now() - started).toBeLessThan(1000);
      });

      it('refuses a missing key before the upgrade, and bad messages with coded closes', async () => {
        expect(await connect(`${base}/v1/sessions`).unexpected).toBe(401);
        expect(await connect(`${base}/v1/sessions?access_token=wrong`).unexpected).toBe(401);
        const bad = connect(`${base}/v1/sessions?access_token=k1`);
        await bad.opened;
        bad.send({ type: 'start', language: 'cobol-83', source: 'x' });
        expect((await bad.closed).code).toBe(4400);
        expect(bad.messages[0]).toMatchObject({ type: 'error', error: { code: 'JDG_ERR_LANGUAGE_UNKNOWN' } });
        const junk = connect(`${base}/v1/sessions?access_token=k1`);
        await junk.opened;
        junk.socket.send('not json');
        expect((await junk.closed).code).toBe(4400);
      });

      it('caps sessions per API key with close 4429', async () => {
        const open = [connect(`${base}/v1/sessions?access_token=k2`), connect(`${base}/v1/sessions?access_token=k2`)];
        for (const c of open) {
          await c.opened;
          c.send({ type: 'start', language: 'python3', source: 'input()' });
          await c.until(() => c.messages.some((m) => m.type === 'stage'), 'started');
        }
        const third = connect(`${base}/v1/sessions?access_token=k2`);
        await third.opened;
        third.send({ type: 'start', language: 'python3', source: 'input()' });
        expect((await third.closed).code).toBe(4429);
        expect(third.messages[0]).toMatchObject({ error: { code: 'JDG_ERR_SESSION_LIMIT' } });
        // Another key is not held back by k2's sessions.
        const other = connect(`${base}/v1/sessions?access_token=k1`);
        await other.opened;
        other.send({ type: 'start', language: 'python3', source: 'print(1)' });
        expect((await other.closed).code).toBe(1000);
        for (const c of open) c.socket.close();
        await Promise.all(open.map((c) => c.closed));
      });
    });

    describe('Piston /api/v2/connect, spoken by a plain ws client', () => {
      it('runs init, a stdin round trip and a signal, with Piston’s messages and close code', async () => {
        const c = connect(`${base}/api/v2/connect`, { authorization: 'Bearer k1' });
        await c.opened;
        c.send({
          type: 'init',
          language: 'python3',
          version: '*',
          files: [{ content: 'import time\nprint("echo", input(), flush=True)\ntime.sleep(30)' }],
        });
        await c.until(() => c.messages.some((m) => m.type === 'stage'), 'stage');
        c.send({ type: 'data', stream: 'stdin', data: 'ping\n' });
        await c.until(() => c.text.includes('echo ping'), 'echo');
        c.send({ type: 'signal', signal: 'SIGKILL' });
        expect(await c.closed).toEqual({ code: 4999, reason: 'Job Completed' });
        expect(c.messages[0]).toMatchObject({ type: 'runtime', language: 'python3' });
        expect(c.messages[1]).toEqual({ type: 'stage', stage: 'run' });
        expect(c.messages.find((m) => m.type === 'data')).toEqual({ type: 'data', stream: 'stdout', data: 'echo ping\n' });
        expect(c.messages.at(-1)).toEqual({ type: 'exit', stage: 'run', code: null, signal: 'SIGKILL' });
      });

      it('streams a compiled language’s compile and run stages', async () => {
        const c = connect(`${base}/api/v2/connect`, { authorization: 'Bearer k1' });
        await c.opened;
        c.send({
          type: 'init',
          language: 'c',
          version: '*',
          files: [{ content: '#include <stdio.h>\nint main(void){puts("built");return 4;}' }],
        });
        expect((await c.closed).code).toBe(4999);
        const kinds = c.messages.map((m) => (m.type === 'stage' || m.type === 'exit' ? `${m.type}:${m.stage}` : m.type));
        expect(kinds).toEqual(['runtime', 'stage:compile', 'exit:compile', 'stage:run', 'data', 'exit:run']);
        expect(c.messages.at(-1)).toMatchObject({ code: 4, signal: null });
      });

      it('answers Piston’s close codes', async () => {
        const late = connect(`${base}/api/v2/connect?x=1`, { authorization: 'Bearer k1' });
        expect((await late.closed).code).toBe(4001);
        const early = connect(`${base}/api/v2/connect`, { authorization: 'Bearer k1' });
        await early.opened;
        early.send({ type: 'data', stream: 'stdin', data: 'x' });
        expect((await early.closed).code).toBe(4003);
        const wrong = connect(`${base}/api/v2/connect`, { authorization: 'Bearer k1' });
        await wrong.opened;
        wrong.send({ type: 'init', language: 'python3', version: '*', files: [{ content: 'input()' }] });
        wrong.send({ type: 'signal', signal: 'SIGNOPE' });
        expect((await wrong.closed).code).toBe(4005);
        const unknown = connect(`${base}/api/v2/connect`, { authorization: 'Bearer k1' });
        await unknown.opened;
        unknown.send({ type: 'init', language: 'cobol-83', version: '*', files: [{ content: 'x' }] });
        expect((await unknown.closed).code).toBe(4002);
        expect(unknown.messages[0]).toMatchObject({ type: 'error' });
      });
    });
  });
}
