/** Event type name → payload type, as each provider's own type package lists them. */
export type EventMap = Record<string, unknown>

/** What a provider extracts from a delivery whose signature checked out. */
export interface VerifiedEvent {
  id: string
  type: string
  payload: unknown
  /**
   * SHA-256 (hex) of the bytes the signature covers, where they are more than the body
   * (Slack signs `v0:timestamp:body`). The inbox dedupes on it as well as on the id, so
   * a signed delivery replayed under another id is a duplicate. Defaults to the body's.
   */
  digest?: string
}

/**
 * Which entity an event is about (`key`: a Stripe subscription's id) and how new it is
 * (`version`: its `created`): events of one key run one at a time, and one below a
 * version already processed is stale. Equal versions are not stale.
 */
export interface EntityVersion {
  key: string
  version: number
}

/** What an ordering function reads: the verified event, before it is stored. */
export interface OrderedEvent<Payload = unknown> {
  provider: string
  id: string
  type: string
  payload: Payload
}

/** A signature check fed the body as it arrives (see `Provider.hashBody`). */
export interface BodyHash {
  update(chunk: Uint8Array): void
  /**
   * After the last chunk: throws the provider's WebhookError (`signature_mismatch`, a
   * missing or malformed header, …) unless the signature matches the bytes fed in.
   * Decided once; later calls give the same outcome.
   */
  check(): void
}

/** What `sign()` needs to produce a delivery the provider's `verify()` accepts. */
export interface SignInput {
  body: string
  /** Event id for schemes that carry it in a header (GitHub, Razorpay). */
  id?: string
  /** Event type for schemes that carry it in a header (GitHub). */
  type?: string
  /** Signature time in seconds; defaults to the provider's `now()`. */
  timestamp?: number
}

export interface Provider<Events extends EventMap = EventMap> {
  /** The scheme's name (`stripe`, `github`, …), used in messages. */
  readonly name: string
  /** Larger bodies are answered 413 before the signature is checked. */
  readonly maxBodyBytes: number
  /**
   * The provider reads the answer's body (Slack interactivity, slash commands), so a
   * JSON value a handler returns becomes the answer. Elsewhere only a returned
   * Response does, so a handler that happens to return a database row leaks nothing.
   */
  readonly handlerReplies?: boolean
  /**
   * How long the sender waits for an answer before it counts the delivery as failed and
   * sends it again (its documented timeout). The default `deadline` mode answers before
   * it; a provider without one gets `DEFAULT_ACK_DEADLINE_MS`.
   */
  readonly ackDeadlineMs?: number
  /** Request headers kept with a stored event so it can be parsed again later. */
  readonly storedHeaders: readonly string[]
  /**
   * Checks the signature over the raw bytes, then parses. Returns a Response for
   * handshakes the provider wants answered directly (Slack `url_verification`),
   * which are never stored. Throws WebhookError for anything it rejects. `hash`, when
   * given, is the one `hashBody(request)` made, fed exactly `rawBody`: its `check()`
   * stands in for hashing `rawBody` again, so never pass one made for other bytes.
   */
  verify(request: Request, rawBody: Uint8Array, hash?: BodyHash): Promise<VerifiedEvent | Response>
  /**
   * Optional, for schemes whose signature is an HMAC of the body alone: a check the inbox
   * feeds every chunk of this request's body as it is read and calls once the body is in,
   * before joining the chunks, so a large unsigned body is refused without a second copy.
   * `verify()` gets it back and calls `check()` instead of hashing `rawBody` again.
   * Undefined where the runtime cannot hash incrementally.
   */
  hashBody?(request: Request): BodyHash | undefined
  /**
   * The entity and version its events carry, where the sender publishes both (Stripe's
   * `data.object.id` and `created`): what `ordering: { name: true }` uses. Undefined for an
   * event without them, which is then not ordered.
   */
  ordering?(event: OrderedEvent): EntityVersion | undefined
  /** The payload handlers see, from a body verified before (a stored event); checks no signature. */
  parse(body: string, headers: Headers): unknown
  /** Headers that make `body` a valid delivery, signed with the first secret. */
  sign(input: SignInput): Promise<Record<string, string>>
  /** Type-only: the events this provider delivers. */
  readonly '~events'?: Events
}

export interface ProviderOptions {
  /** Signing secret; a list accepts a delivery signed with any of them (rotation). */
  secret: string | string[]
  /** Current time in milliseconds, like `Date.now` (for tests). */
  now?: () => number
  /** Overrides the provider's default body limit. */
  maxBodyBytes?: number
  /** Overrides the provider's documented delivery timeout (ms), which the `deadline` mode answers within. */
  ackDeadlineMs?: number
}

export interface TimestampOptions {
  /** Seconds a signature timestamp may differ from `now()`, in either direction. */
  tolerance?: number
}
