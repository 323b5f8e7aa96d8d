import { describe, expect, it } from 'vitest';
import { resolveRetry, retryDelayMs } from './retry.js';
import { parseSse } from './sse.js';

describe('retryDelayMs', () => {
  const retry = resolveRetry({ baseDelayMs: 100, maxDelayMs: 5000 });

  it('waits the seconds of Retry-After', () => {
    expect(retryDelayMs('2', 0, retry)).toBe(2000);
  });
  it('waits until an HTTP date', () => {
    expect(retryDelayMs(new Date(10_000).toUTCString(), 0, retry, 7000)).toBe(3000);
  });
  it('backs off exponentially without Retry-After', () => {
    expect([0, 1, 2].map((n) => retryDelayMs(null, n, retry))).toEqual([100, 200, 400]);
  });
  it('gives up when the server asks for longer than allowed', () => {
    expect(retryDelayMs('60', 0, retry)).toBeNull();
  });
});

describe('parseSse', () => {
  it('parses messages split across chunks, skipping comments', async () => {
    const text = ': hello\n\nid: 1\nevent: test\ndata: {"a":\ndata: 1}\n\nevent: done\r\ndata: x\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
        controller.close();
      },
    });
    const messages = [];
    for await (const m of parseSse(body)) messages.push(m);
    expect(messages).toEqual([
      { event: 'test', data: '{"a":\n1}', id: '1' },
      { event: 'done', data: 'x', id: '1' },
    ]);
  });
});
