export { WebhookError, type WebhookErrorCode } from './errors.js'
export { createInbox, type ExecutionContextLike, type Inbox, type InboxOptions, type InboxStats, type PayloadOf, type ReplayResult } from './inbox.js'
export type { Logger } from './logger.js'
export type { DeliveryOutcome, Histogram, MetricsSnapshot, RunResult } from './metrics.js'
export type { BodyHash, EntityVersion, EventMap, OrderedEvent, Provider, ProviderOptions, SignInput, TimestampOptions, VerifiedEvent } from './provider.js'
export { STATUS_HEADER, type AnswerStatus } from './response.js'
export { backoffMs, type BackoffOptions } from './retry.js'
export type {
  ActivityBucket,
  BeginResult,
  ClaimOptions,
  ClaimResult,
  EventKey,
  EventStatus,
  EventSummary,
  HandlerSuccess,
  HoldResult,
  Held,
  IdempotencyKeys,
  KeyHold,
  KeyId,
  KeyRecord,
  KeyRequest,
  KeyStatus,
  KeyStore,
  KeySummary,
  ListFilter,
  NewEvent,
  OrderedStore,
  RequeueReason,
  Store,
  StoredEvent,
  StoredResponse,
  StoreStats,
  TransactionalKeys,
  TransactionalStore,
  TransactionOf,
} from './store.js'
export { DEFAULT_RETENTION_MS, type PurgeOptions, type Sweeper, type SweeperOptions, type SweepOptions, type SweepSummary } from './sweeper.js'
export type { RetryOptions, RetrySummary, Worker, WorkerOptions } from './deprecated.js'
export type { DeadLetterHandler, ErrorHandler, EventsOf, Handler, HandlerContext, HandlerOptions, InboxEvent, InboxMode, OrderingFn, PayloadsOf, Providers } from './types.js'
export { DEFAULT_ACK_DEADLINE_MS } from './receive.js'
