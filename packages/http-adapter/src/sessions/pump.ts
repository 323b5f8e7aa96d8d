import type { Session, SessionEvent, SessionExit } from '@judgekit/core';
import type { WebSocket } from 'ws';

/** Above this many bytes queued on the socket, the session's output waits (and the program with it). */
const socketHighWaterBytes = 1024 * 1024;

/** @internal Waits until the socket has sent most of what is queued, or has closed. */
export async function drained(socket: WebSocket): Promise<void> {
  while (socket.readyState === socket.OPEN && socket.bufferedAmount > socketHighWaterBytes) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** @internal Sends one JSON message if the socket is still open. */
export function send(socket: WebSocket, message: object): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

/**
 * @internal Forwards a session's events to a socket through `toMessage` (slowing the program
 * down when the client reads slowly), then resolves with the session's exit.
 */
export async function pump(session: Session, socket: WebSocket, toMessage: (event: SessionEvent) => object[]): Promise<SessionExit> {
  for await (const event of session) {
    for (const message of toMessage(event)) send(socket, message);
    if (socket.bufferedAmount > socketHighWaterBytes) await drained(socket);
  }
  return session.exit;
}

/** @internal The client's text frame as a JSON object, or `null` when it is not one. */
export function parseMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Record<string, unknown> | null {
  if (isBinary) return null;
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
