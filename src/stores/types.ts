import type { EVENT_STATUSES } from './schema.js'

/**
 * `processing` (claimed, lease in `lockedUntil`) → `processed`, or `failed`
 * (retried at `nextAttemptAt`) → … → `dead` after `maxAttempts`.
 */
export type EventStatus = (typeof EVENT_STATUSES)[number]

export interface EventKey {
  provider: string
  eventId: string
}

export interface NewEvent extends EventKey {
  type: string
  body: string
  headers: Record<string, string>
}

export interface StoredEvent extends NewEvent {
  status: EventStatus
  attempts: number
  lockedUntil: number | null
  nextAttemptAt: number | null
  lastError: string | null
  receivedAt: number
  processedAt: number | null
  updatedAt: number
}

/**
 * `claimed`: this caller holds the lease for attempt `event.attempts` (a new row,
 * a failed one, or one whose lease ran out). `duplicate`: processed, dead, or
 * in flight under a live lease; the caller must not run handlers.
 */
export type ClaimResult = { outcome: 'claimed'; event: StoredEvent } | { outcome: 'duplicate' }

export interface ListFilter {
  provider?: string
  status?: EventStatus
  /** Received at or after this time (ms). */
  since?: number
  limit?: number
}

/**
 * Where events live. Every method returns a Promise so one conformance suite
 * covers sync drivers (better-sqlite3) and async ones (D1) alike. Every write is
 * one conditional statement, so two processes can never both own an event.
 */
export interface Store {
  /** Inserts the event, or re-claims it when failed or its lease ran out; atomic. */
  claim(event: NewEvent, options: { now: number; leaseMs: number }): Promise<ClaimResult>
  /** Marks attempt `attempt` processed; false when that claim no longer holds the row. */
  complete(key: EventKey, attempt: number, now: number): Promise<boolean>
  /** Marks attempt `attempt` failed (retry at `nextAttemptAt`) or, with `nextAttemptAt: null`, dead. */
  fail(key: EventKey, attempt: number, failure: { error: string; nextAttemptAt: number | null; now: number }): Promise<boolean>
  get(key: EventKey): Promise<StoredEvent | undefined>
  /** Newest first. */
  list(filter?: ListFilter): Promise<StoredEvent[]>
  close(): Promise<void>
}
