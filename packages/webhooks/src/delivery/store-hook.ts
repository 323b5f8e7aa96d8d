import type { ResultStore, StoredSubmission } from '@judgekit/core';
import type { WebhookDispatcher } from './dispatcher.js';
import { shapeOf, type WebhookEvent, type WebhookFormat } from './format.js';

/** Options of {@link withWebhooks}. */
export interface WithWebhooksOptions {
  /** The signing secret of a tenant, or `null` to send unsigned. */
  secretFor?: (tenant: string | null) => string | null | undefined;
  /** Shapes a result's webhook for receivers that expect another API's callback; judgekit's own by default. */
  format?: WebhookFormat;
}

/**
 * A result store that sends a submission's `callbackUrl` its result once the result is final,
 * right after the store has it: `{ "type": "submission.done" | "submission.cancelled", "submission": result }`.
 * For the in-memory mode; the PostgreSQL store keeps a durable outbox instead. A restart forgets
 * the callbacks of submissions that had not finished.
 *
 * @example
 * ```ts
 * const judge = new Judge({ runner, store: withWebhooks(new LruResultStore(), dispatcher, { secretFor }) })
 * ```
 */
export function withWebhooks(store: ResultStore, dispatcher: WebhookDispatcher, options: WithWebhooksOptions = {}): ResultStore {
  const callbacks = new Map<string, string>();
  const notify = (id: string, value: StoredSubmission) => {
    const url = callbacks.get(id);
    if (url === undefined) return;
    callbacks.delete(id);
    const event: WebhookEvent = { type: `submission.${value.result.status as 'done' | 'cancelled'}`, submission: value.result };
    const shape = shapeOf(event, options.format, () => JSON.stringify(event));
    dispatcher.enqueue({
      url,
      ...shape,
      event: event.type,
      secret: options.secretFor?.(value.tenant) ?? null,
      deliveryId: id,
    });
  };
  const wrapped: ResultStore = {
    get: (id) => store.get(id),
    set(id, value) {
      const url = value.input?.callbackUrl;
      if (typeof url === 'string') callbacks.set(id, url);
      const final = value.result.status === 'done' || value.result.status === 'cancelled';
      const written = store.set(id, value);
      if (!final) return written;
      // A refused final write (another process's result stands) sends nothing.
      if (written instanceof Promise) {
        return written.then((ok) => {
          if (ok !== false) notify(id, value);
          return ok;
        });
      }
      if (written !== false) notify(id, value);
      return written;
    },
    delete(id) {
      callbacks.delete(id);
      return store.delete(id);
    },
    ...(store.holdsReferences ? { holdsReferences: true } : {}),
  };
  if (store.list) wrapped.list = (query) => store.list!(query);
  return wrapped;
}
