import { abortedError, JudgekitClientError } from './errors.js';

/** The parts of a WebSocket the client uses: the browser's `WebSocket` and the `ws` package both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType?: string;
  send(data: string | ArrayBufferLike | Uint8Array): void;
  close(code?: number, reason?: string): void;
  // biome-ignore lint/suspicious/noExplicitAny: each implementation types its events its own way.
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
}

/** A WebSocket constructor, e.g. `globalThis.WebSocket` or `import { WebSocket } from 'ws'`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** @internal A message off a socket, a close, or an error. */
export type SocketItem = { kind: 'message'; data: unknown } | { kind: 'close'; code: number; reason: string };

/**
 * @internal
 * Opens a socket and hands its messages out as an async iterable that ends at the close. The
 * signal closes the socket (code 1000) and makes the iteration throw `JDG_ERR_CLIENT_ABORTED`.
 */
export function openSocket(
  Ctor: WebSocketConstructor,
  url: string,
  signal: AbortSignal | undefined,
): { socket: WebSocketLike; opened: Promise<void>; items: AsyncIterable<SocketItem> } {
  const socket = new Ctor(url);
  socket.binaryType = 'arraybuffer';
  const queue: SocketItem[] = [];
  let wake = null as (() => void) | null;
  let closed = false;
  let failure: unknown = null;
  const push = (item: SocketItem) => {
    queue.push(item);
    wake?.();
  };
  let openResolve!: () => void;
  let openReject!: (e: unknown) => void;
  const opened = new Promise<void>((resolve, reject) => {
    openResolve = resolve;
    openReject = reject;
  });
  opened.catch(() => {});
  socket.addEventListener('open', () => openResolve());
  socket.addEventListener('message', (event: { data: unknown }) => push({ kind: 'message', data: event.data }));
  socket.addEventListener('error', (event: { message?: string; error?: unknown }) => {
    failure ??= new JudgekitClientError(
      'JDG_ERR_CLIENT_NETWORK',
      `WebSocket ${url.split('?')[0]} failed${event.message ? `: ${event.message}` : ''}.`,
      {
        cause: event.error,
      },
    );
    openReject(failure);
  });
  socket.addEventListener('close', (event: { code: number; reason: string }) => {
    closed = true;
    openReject(failure ?? new JudgekitClientError('JDG_ERR_CLIENT_NETWORK', `WebSocket closed before it opened (${event.code}).`));
    push({ kind: 'close', code: event.code, reason: String(event.reason ?? '') });
  });
  const onAbort = () => {
    failure = abortedError(signal as AbortSignal);
    openReject(failure);
    if (socket.readyState <= 1) socket.close(1000, 'aborted');
    wake?.();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const items: AsyncIterable<SocketItem> = {
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          if (signal?.aborted) throw abortedError(signal);
          const item = queue.shift();
          if (item) {
            yield item;
            if (item.kind === 'close') return;
            continue;
          }
          if (closed && queue.length === 0) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        if (socket.readyState <= 1) socket.close(1000, 'done');
      }
    },
  };
  return { socket, opened, items };
}

/** @internal The text of a message (a string, or UTF-8 bytes). */
export function messageText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data as Uint8Array);
  return String(data);
}
