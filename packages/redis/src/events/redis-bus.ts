import { randomUUID } from 'node:crypto';
import { type BusListener, InProcessBus, type JudgeEvent, type SubmissionBus } from '@judgekit/core';
import type { Redis } from 'ioredis';
import { closeRedis, guarded } from '../connection/connection.js';

/** Options of {@link RedisSubmissionBus}. */
export interface RedisSubmissionBusOptions {
  /** The connection that publishes (shared with the store is fine); the bus never closes it. */
  publisher: Redis;
  /** A connection of its own for subscribing (it enters subscriber mode); the bus closes it. */
  subscriber: Redis;
  /** Prefix of the channels. @defaultValue 'judgekit' */
  prefix?: string;
  /**
   * Receive the events of every process. A worker that serves no watcher sets `false`: it still
   * publishes every event and receives cancels, and its own events reach its own subscribers.
   * @defaultValue true
   */
  receiveEvents?: boolean;
  /** How long after a reconnection the subscribers are told to resync, in milliseconds. @defaultValue 100 */
  resyncDelayMs?: number;
}

/**
 * Events and cancels across processes on Redis pub/sub. Each event is delivered to the
 * publishing process's own subscribers at once (no round trip) and published on
 * `PREFIX:events` for the others; cancels go on `PREFIX:cancel` and reach every process, so the
 * one running the submission kills its sandbox. Pub/sub is at most once: after the subscriber
 * connection comes back from an outage (Redis restarted), every subscriber's `resync` is called,
 * and a judge re-reads what it waits for.
 *
 * @example
 * ```ts
 * const bus = new RedisSubmissionBus({ publisher: client, subscriber: await connectRedis(url, { mode: 'patient' }) })
 * const api = new Judge({ concurrency: 0, bus, queue, store })
 * ```
 */
export class RedisSubmissionBus implements SubmissionBus {
  /** This process on the bus: its own messages coming back are skipped. */
  readonly sender = randomUUID();
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #events: string;
  readonly #cancel: string;
  /** This process's own subscribers: delivery to them is the in-process bus's. */
  readonly #local = new InProcessBus();
  readonly #resyncDelayMs: number;
  #ready: Promise<unknown>;
  #connectedOnce = false;
  #closed = false;

  constructor(options: RedisSubmissionBusOptions) {
    const prefix = options.prefix ?? 'judgekit';
    this.#publisher = options.publisher;
    this.#subscriber = options.subscriber;
    this.#events = `${prefix}:events`;
    this.#cancel = `${prefix}:cancel`;
    this.#resyncDelayMs = options.resyncDelayMs ?? 100;
    const channels = options.receiveEvents === false ? [this.#cancel] : [this.#events, this.#cancel];
    this.#subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#receive(channel.toString(), message));
    this.#subscriber.on('ready', () => {
      // ioredis subscribes again by itself; what was published meanwhile is gone, so subscribers resync.
      if (this.#connectedOnce && !this.#closed) setTimeout(() => this.#resync(), this.#resyncDelayMs).unref();
      this.#connectedOnce = true;
    });
    this.#connectedOnce = this.#subscriber.status === 'ready';
    this.#ready = this.#subscriber.subscribe(...channels).catch(() => {});
  }

  /** Resolves once the subscription is in place (events published before it are not received). */
  ready(): Promise<void> {
    return this.#ready.then(() => {});
  }

  publish(event: JudgeEvent): void {
    this.#local.publish(event);
    // Sent in the background: a bus that cannot reach Redis must not fail the judging that publishes.
    this.#publisher.publish(this.#events, `${this.sender}\n${JSON.stringify(event)}`).catch(() => {});
  }

  async requestCancel(id: string): Promise<void> {
    this.#local.requestCancel(id);
    await guarded('send a cancel', () => this.#publisher.publish(this.#cancel, `${this.sender}\n${id}`));
  }

  subscribe(listener: BusListener): () => void {
    return this.#local.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#local.close();
    await closeRedis(this.#subscriber);
  }

  #receive(channel: string, message: Buffer): void {
    const text = message.toString();
    const cut = text.indexOf('\n');
    if (cut < 0 || text.slice(0, cut) === this.sender) return;
    const body = text.slice(cut + 1);
    try {
      if (channel === this.#cancel) this.#local.requestCancel(body);
      else this.#local.publish(JSON.parse(body) as JudgeEvent);
    } catch {
      // A malformed message or a subscriber's failure must not break the connection's handler.
    }
  }

  #resync(): void {
    try {
      this.#local.resync();
    } catch {
      // A subscriber's failure must not break the connection's handler.
    }
  }
}
