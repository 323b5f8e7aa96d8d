/**
 * A typed client of judgekit's HTTP API for browsers and Node: `/v1` submissions, live events
 * (SSE or WebSocket), listing and interactive sessions.
 *
 * @packageDocumentation
 * @module @judgekit/client
 */
// The public surface of @judgekit/client: every export is listed by name.

export type { JudgeEvent, SubmissionInput, SubmissionResult } from '@judgekit/core';
export type { LanguageInfo, WorkersResponse } from '@judgekit/http-adapter';
export {
  type BatchItem,
  type CallOptions,
  JudgekitClient,
  type JudgekitClientOptions,
  type ListOptions,
  type ManyItem,
  type SubmissionPage,
  type SubmitCallOptions,
  type WaitCallOptions,
  type WatchOptions,
} from './client.js';
export { type ClientErrorCode, clientErrorCodes, JudgekitClientError } from './errors.js';
export { type RetryOptions, retryableStatuses } from './retry.js';
export type { Session, SessionExit, SessionOptions, SessionOutput } from './session.js';
export type { WebSocketConstructor, WebSocketLike } from './socket.js';
export { parseSse, type SseMessage } from './sse.js';
