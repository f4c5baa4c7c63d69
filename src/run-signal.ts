import { ShutdownSignal } from './state.js'

/**
 * The abort signal of one handler run, made only if a handler asks for it: most
 * handlers never read `ctx.signal`, and an AbortController plus a lease timer per
 * delivery is a measurable share of a request's cost. It is aborted when the lease
 * ends (`leaseEndsAt`, ms) or on `stop()` (shutdown), whichever comes first,
 * including when the signal is first read after that moment.
 */
export class RunSignal {
  #controller: AbortController | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #shutdown: ShutdownSignal | undefined
  #disposed = false

  constructor(
    private readonly leaseEndsAt: number,
    private readonly now: () => number,
    private readonly leaseMs: number,
  ) {}

  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal
    const controller = (this.#controller = new AbortController())
    const leaseEnded = () => new Error(`lease of ${this.leaseMs} ms ran out`)
    const left = this.leaseEndsAt - this.now()
    if (this.#shutdown) controller.abort(this.#shutdown)
    else if (left <= 0 || this.#disposed) controller.abort(leaseEnded())
    else this.#timer = setTimeout(() => controller.abort(leaseEnded()), left)
    return controller.signal
  }

  /** Shutdown asked the run to stop while it still held its lease: give the lease back. */
  get stopping(): boolean {
    return this.#shutdown !== undefined
  }

  stop(reason: ShutdownSignal) {
    // Past its lease the run is already a failure to count, not one to hand back.
    if (this.now() >= this.leaseEndsAt) return
    this.#shutdown ??= reason
    this.#controller?.abort(reason)
  }

  /** The run ended; a signal first read after this is born aborted, with no timer left behind. */
  dispose() {
    this.#disposed = true
    clearTimeout(this.#timer)
  }
}
