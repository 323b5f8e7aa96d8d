import { describe, expect, it } from 'vitest';
import type { JudgeEvent } from './contract.js';
import { InProcessBus } from './in-process-bus.js';

const event = (id: string): JudgeEvent => ({ type: 'compiled', id, compile: {} as never });

describe('InProcessBus', () => {
  it('delivers every event and cancel to every subscriber, in order, before publish returns', () => {
    const bus = new InProcessBus();
    const seen: string[] = [];
    bus.subscribe({ event: (e) => seen.push(`a:${e.id}`), cancel: (id) => seen.push(`a:cancel ${id}`) });
    bus.subscribe({ event: (e) => seen.push(`b:${e.id}`), cancel: (id) => seen.push(`b:cancel ${id}`) });
    bus.publish(event('1'));
    bus.requestCancel('1');
    bus.publish(event('2'));
    expect(seen).toEqual(['a:1', 'b:1', 'a:cancel 1', 'b:cancel 1', 'a:2', 'b:2']);
  });

  it('stops delivering to a subscriber that unsubscribed, and to everyone once closed', async () => {
    const bus = new InProcessBus();
    const seen: string[] = [];
    const off = bus.subscribe({ event: (e) => seen.push(e.id), cancel: () => {} });
    bus.publish(event('1'));
    off();
    bus.publish(event('2'));
    bus.subscribe({ event: (e) => seen.push(`x${e.id}`), cancel: () => {} });
    await bus.close();
    bus.publish(event('3'));
    expect(bus.subscribers).toBe(0);
    expect(seen).toEqual(['1']);
  });

  it('keeps delivering past a subscriber that throws, then rethrows its error', () => {
    const bus = new InProcessBus();
    const seen: string[] = [];
    bus.subscribe({
      event: () => {
        throw new Error('listener bug');
      },
      cancel: () => {},
    });
    bus.subscribe({ event: (e) => seen.push(e.id), cancel: () => {} });
    expect(() => bus.publish(event('1'))).toThrow('listener bug');
    expect(seen).toEqual(['1']);
  });

  it('asks every subscriber that can to resync, and skips one that cannot', () => {
    const bus = new InProcessBus();
    let resyncs = 0;
    bus.subscribe({ event: () => {}, cancel: () => {}, resync: () => resyncs++ });
    bus.subscribe({ event: () => {}, cancel: () => {} });
    bus.subscribe({ event: () => {}, cancel: () => {}, resync: () => resyncs++ });
    bus.resync();
    expect(resyncs).toBe(2);
  });
});
