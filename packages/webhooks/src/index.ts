/**
 * Signed webhooks for judgekit: the SSRF guard, HMAC-SHA256 signatures with a replay window, and
 * bounded, retried delivery that never blocks judging.
 *
 * @packageDocumentation
 * @module @judgekit/webhooks
 */
// The public surface of @judgekit/webhooks: every export is listed by name.
export { type AttemptOptions, type AttemptOutcome, attemptDelivery, type WebhookRequest } from './delivery/attempt.js';
export {
  backoffMs,
  type WebhookAttemptEvent,
  WebhookDispatcher,
  type WebhookDispatcherOptions,
  type WebhookStats,
  webhookMetrics,
} from './delivery/dispatcher.js';
export type { WebhookEvent, WebhookFormat, WebhookShape } from './delivery/format.js';
export { type WithWebhooksOptions, withWebhooks } from './delivery/store-hook.js';
export { type AddressClass, classifyAddress } from './guard/address.js';
export {
  type LookupAll,
  type RefusalReason,
  WebhookPolicy,
  type WebhookPolicyOptions,
  type WebhookTarget,
} from './guard/policy.js';
export {
  computeSignature,
  defaultToleranceSeconds,
  deliveryHeader,
  eventHeader,
  newWebhookSecret,
  signatureHeader,
  signWebhook,
  timestampHeader,
  type VerifyResult,
  type VerifyWebhookOptions,
  verifyWebhook,
} from './signing/signature.js';
