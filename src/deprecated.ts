// The 0.1 names of the sweeper, kept for one minor version (remove in 0.3.0). "Retry"
// now means only reviving a failed or dead event; "worker" clashed with worker_threads
// and Cloudflare Workers.
import type { SweepOptions, Sweeper, SweeperOptions, SweepSummary } from './sweeper.js'

/** @deprecated use SweepOptions */
export type RetryOptions = SweepOptions
/** @deprecated use SweepSummary */
export type RetrySummary = SweepSummary
/** @deprecated use Sweeper */
export type Worker = Sweeper
/** @deprecated use SweeperOptions */
export type WorkerOptions = SweeperOptions
