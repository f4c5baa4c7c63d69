import type { EntityVersion, OrderedEvent } from '../src/provider.js'

/*
 * The entity and version each sender publishes in its payloads, for `ordering: { name: true }`.
 * An event without both is left unordered (undefined), never guessed at. GitHub, Slack,
 * Razorpay, GitLab and Standard Webhooks publish no version an event can be ordered by
 * across every type: give those a function of your own.
 */

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)

/** An ISO 8601 time as ms since the epoch, or undefined. */
const isoMs = (value: unknown) => {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN
  return Number.isFinite(ms) ? ms : undefined
}

const entity = (key: string | undefined, version: number | undefined): EntityVersion | undefined =>
  key === undefined || version === undefined ? undefined : { key, version }

/** Stripe: the object the event is about (`data.object.id`: `sub_…`, `in_…`) and the event's `created` (seconds). */
export function stripeOrdering({ payload }: OrderedEvent): EntityVersion | undefined {
  const event = record(payload)
  const created = event?.created
  return entity(text(record(record(event?.data)?.object)?.id), typeof created === 'number' && Number.isFinite(created) ? created : undefined)
}

/** Paddle Billing: the entity (`data.id`: `sub_…`, `txn_…`) and the event's `occurred_at` (ms). */
export function paddleOrdering({ payload }: OrderedEvent): EntityVersion | undefined {
  const event = record(payload)
  return entity(text(record(event?.data)?.id), isoMs(event?.occurred_at))
}

/**
 * Shopify: the resource's `admin_graphql_api_id` (`gid://shopify/Order/…`, unique across
 * resource types) and its `updated_at` (ms). Deletions carry neither and stay unordered.
 */
export function shopifyOrdering({ payload }: OrderedEvent): EntityVersion | undefined {
  const resource = record(payload)
  return entity(text(resource?.admin_graphql_api_id), isoMs(resource?.updated_at))
}

/** Linear: the entity (`data.id`) and its `data.updatedAt` (ms), else the action's `createdAt`. */
export function linearOrdering({ payload }: OrderedEvent): EntityVersion | undefined {
  const event = record(payload)
  const data = record(event?.data)
  return entity(text(data?.id), isoMs(data?.updatedAt) ?? isoMs(event?.createdAt))
}
