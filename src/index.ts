export { WebhookError, type WebhookErrorCode } from './errors.js'
export { createInbox, type ExecutionContextLike, type Inbox, type InboxOptions, type ReplayResult } from './inbox.js'
export { STATUS_HEADER, type AnswerStatus } from './response.js'
export { backoffMs, type BackoffOptions } from './retry.js'
export type { ClaimOptions, ClaimResult, EventKey, EventStatus, EventSummary, ListFilter, NewEvent, Store, StoredEvent } from './store.js'
export {
  DEFAULT_RETENTION_MS,
  type PurgeOptions,
  type RetryOptions,
  type RetrySummary,
  type Worker,
  type WorkerOptions,
} from './sweeper.js'
export type { DeadLetterHandler, ErrorHandler, EventsOf, Handler, HandlerContext, InboxEvent, InboxMode, Providers } from './types.js'
export { DEFAULT_ACK_DEADLINE_MS } from './receive.js'
