import type { SubmissionResult } from '@judgekit/core';
import { defaultFields } from './fields.js';
import { metadataKey } from './metadata.js';
import { serializeSubmission } from './response.js';

/**
 * The webhook format of Judge0's callbacks: a submission created through the Judge0 API with a
 * `callback_url` is announced as Judge0 CE 1.13.1's `IsolateJob#call_callback` does, a `PUT` of
 * its default fields (`stdout, time, memory, stderr, token, compile_output, message, status`)
 * with the text in base64, as JSON. Other submissions keep judgekit's own webhook (`null`).
 *
 * Give it to the webhook sender of the server (`@judgekit/webhooks`' `withWebhooks` for the
 * in-memory mode, `@judgekit/postgres`' `WebhookOutbox` for the durable one); `judgekit serve`
 * does. The delivery keeps judgekit's SSRF guard, signature headers and retries.
 *
 * @example
 * ```ts
 * const store = withWebhooks(new LruResultStore(), dispatcher, { format: judge0CallbackFormat })
 * ```
 */
export function judge0CallbackFormat(event: {
  type: string;
  submission: SubmissionResult;
}): { method: 'PUT'; body: string; contentType: 'application/json' } | null {
  const result = event.submission;
  if (typeof result?.metadata?.[metadataKey.callbackUrl] !== 'string') return null;
  // The default fields hold no language name, so none is looked up.
  const body = serializeSubmission(result, { fields: defaultFields, base64: true, languageName: '' });
  return { method: 'PUT', body: JSON.stringify(body), contentType: 'application/json' };
}
