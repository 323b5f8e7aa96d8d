import type { SubmissionResult } from '@judgekit/core';

/** A final result as judgekit announces it: the default webhook body. */
export interface WebhookEvent {
  type: 'submission.done' | 'submission.cancelled';
  submission: SubmissionResult;
}

/** How one webhook is sent when a {@link WebhookFormat} shapes it. */
export interface WebhookShape {
  /** @defaultValue 'POST' */
  method?: 'POST' | 'PUT';
  /** The body, serialised. */
  body: string;
  /** @defaultValue 'application/json' */
  contentType?: string;
}

/**
 * Shapes the webhook of one result, for receivers that expect another API's callback (Judge0's
 * `PUT` of its submission object, from `@judgekit/http-adapter`'s `judge0CallbackFormat`).
 * `null` keeps judgekit's own: a `POST` of `{ type, submission }`. It runs when the webhook is
 * sent (the outbox keeps judgekit's body), so it must be a pure function of the event. The
 * signature headers are computed over the shaped body.
 *
 * @example
 * ```ts
 * const format: WebhookFormat = (e) => e.submission.metadata?.plain ? { body: e.submission.verdict ?? '', contentType: 'text/plain' } : null
 * withWebhooks(store, dispatcher, { format })
 * ```
 */
export type WebhookFormat = (event: WebhookEvent) => WebhookShape | null;

/** @internal The shape of an event under `format`, judgekit's own when there is none (or it declines). */
export function shapeOf(event: WebhookEvent, format: WebhookFormat | undefined, defaultBody: () => string): Required<WebhookShape> {
  const shaped = format?.(event) ?? null;
  return {
    method: shaped?.method ?? 'POST',
    body: shaped ? shaped.body : defaultBody(),
    contentType: shaped?.contentType ?? 'application/json',
  };
}
