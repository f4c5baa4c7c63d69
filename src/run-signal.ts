import { ShutdownSignal } from './state.js'

/**
 * One handler run's lease: a timer that ends it at `leaseEndsAt` (ms) and the abort
 * signal handlers may read. The signal is made only if a handler asks for it (most never
 * read `ctx.signal`, and an AbortController per delivery is a measurable share of a
 * request's cost); it is aborted when the lease ends or on `stop()` (shutdown), whichever
 * comes first, including when it is first read after that moment.
 */
export class RunSignal {
  #controller: AbortController | undefined
  #timer: ReturnType<typeof setTimeout>
  #shutdown: ShutdownSignal | undefined
  #over = false
  /** Resolves when the lease runs out while the run is still going: the run is abandoned. */
  readonly leaseEnded: Promise<void>

  constructor(
    private readonly leaseEndsAt: number,
    private readonly now: () => number,
    private readonly leaseMs: number,
  ) {
    let end!: () => void
    this.leaseEnded = new Promise((resolve) => (end = resolve))
    this.#timer = setTimeout(() => {
      this.#over = true
      this.#controller?.abort(this.#leaseError())
      end()
    }, Math.max(0, leaseEndsAt - now()))
  }

  #leaseError() {
    return new Error(`lease of ${this.leaseMs} ms ran out`)
  }

  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal
    const controller = (this.#controller = new AbortController())
    if (this.#shutdown) controller.abort(this.#shutdown)
    else if (this.#over) controller.abort(this.#leaseError())
    return controller.signal
  }

  /** Shutdown asked the run to stop while it still held its lease: give the lease back. */
  get stopping(): boolean {
    return this.#shutdown !== undefined
  }

  stop(reason: ShutdownSignal) {
    // Past its lease the run is already a failure to count, not one to hand back.
    if (this.#over || this.now() >= this.leaseEndsAt) return
    this.#shutdown ??= reason
    this.#controller?.abort(reason)
  }

  /** The run ended; a signal first read after this is born aborted, with no timer left behind. */
  dispose() {
    this.#over = true
    clearTimeout(this.#timer)
  }
}
