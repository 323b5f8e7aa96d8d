import { JudgeError } from '@judgekit/core';
import type { FastifyReply } from 'fastify';
import type { WebSocket } from 'ws';

const signals = new WeakMap<object, AbortSignal>();

/**
 * @internal
 * The signal of one client: it aborts when the client goes away before its answer is complete —
 * the connection of an HTTP reply closes before the reply has finished, or a WebSocket closes.
 * Every route that holds a request open (a wait, a Piston run, an event stream) hangs its work
 * off this signal. One signal per client: a second call returns the same one.
 *
 * (The request's own `close` event is no use here: Node emits it once the body has been read,
 * not when the client leaves.)
 */
export function requestSignal(client: FastifyReply | WebSocket): AbortSignal {
  const key: object = isReply(client) ? client.raw : client;
  const known = signals.get(key);
  if (known) return known;
  const controller = new AbortController();
  signals.set(key, controller.signal);
  const gone = () => controller.abort(new JudgeError('JDG_ERR_OPERATION_ABORTED', 'The client went away.'));
  if (isReply(client)) {
    const res = client.raw;
    if (res.destroyed) {
      if (!res.writableFinished) gone();
    } else {
      res.once('close', () => {
        if (!res.writableFinished) gone();
      });
    }
  } else if (client.readyState === client.CLOSING || client.readyState === client.CLOSED) {
    gone();
  } else {
    client.once('close', gone);
  }
  return controller.signal;
}

function isReply(client: FastifyReply | WebSocket): client is FastifyReply {
  return 'raw' in client && 'request' in client;
}
