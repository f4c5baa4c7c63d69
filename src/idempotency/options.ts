import type { KeyStore } from '../store.js'

/** `S`: the store, whose keys' transaction handle `transaction(fn)` hands `fn`. */
export interface IdempotencyOptions<Input, S extends KeyStore = KeyStore> {
  /** The store an inbox uses: `sqliteStore()`, `d1Store()`; the keys live in its `idempotency_keys` table. */
  store: S
  /** Answer 400 to a request without an Idempotency-Key (default false: it passes through, nothing stored). */
  required?: boolean
  /** How long a stored response is replayed, ms (default 24 h). */
  ttl?: number
  /**
   * How long a run holds its key, ms (default 60 s), a streamed answer's until its end. A
   * run is never extended: once it outlives `lockMs`, a retry of the same request takes
   * the key over and runs the handler again, and the late run's response is answered but
   * not stored (inside `transaction(fn)`, the late run writes nothing and answers 409).
   * Set it above your slowest handler.
   */
  lockMs?: number
  /** Whose key it is (e.g. the authenticated account), so two clients' keys never collide. */
  scope?: (input: Input) => string | Promise<string>
  /** Methods the key applies to (default POST and PATCH); others pass through. */
  methods?: readonly string[]
  /** Response headers stored and replayed besides content-type and location. */
  storedHeaders?: readonly string[]
  /**
   * The largest answer kept for replay (default 10 MiB; stored in parts where a value is
   * capped, as on D1). A larger one still reaches its client whole, and the key stays
   * completed: a retry gets 410 `idempotency_response_not_kept` and never runs again.
   */
  maxResponseBytes?: number
  /** The clock, ms; for tests. */
  now?: () => number
}

export type IdempotencyConfig = ReturnType<typeof resolveOptions>

export function resolveOptions<Input>(options: IdempotencyOptions<Input>) {
  return {
    keys: options.store.keys,
    required: options.required ?? false,
    ttl: options.ttl ?? 86_400_000,
    lockMs: options.lockMs ?? 60_000,
    methods: new Set((options.methods ?? ['POST', 'PATCH']).map((method) => method.toUpperCase())),
    storedHeaders: ['content-type', 'location', ...(options.storedHeaders ?? []).map((name) => name.toLowerCase())],
    maxResponseBytes: options.maxResponseBytes ?? 10_485_760,
    now: options.now ?? Date.now,
  }
}
