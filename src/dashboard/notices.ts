import type { ReplayResult } from '../inbox.js'

/**
 * After an action the browser is sent back with `?done=<action>.<result>`: the notice is
 * chosen from this fixed list, so a crafted link cannot put words on the page.
 */
const NOTICES: Record<string, (id: string) => string> = {
  'replay.processed': (id) => `Replay of ${id} ran: processed.`,
  'replay.failed': (id) => `Replay of ${id} ran and failed; it will be retried.`,
  'replay.dead': (id) => `Replay of ${id} ran and failed; it is dead-lettered.`,
  'replay.running': (id) => `${id} is running now; replay refused.`,
  'replay.taken': (id) => `Replay queued for ${id}; a sweeper is running it.`,
  'replay.missing': (id) => `${id} is not stored; nothing replayed.`,
  'replay.unconfigured': (id) => `This instance has no provider configured for ${id}; nothing replayed.`,
  'retry.processed': (id) => `Retry of ${id} ran: processed.`,
  'retry.failed': (id) => `Retry of ${id} ran and failed; it will be retried.`,
  'retry.dead': (id) => `Retry of ${id} ran and failed; it is dead-lettered.`,
  'retry.running': (id) => `${id} is running now; retry refused.`,
  'retry.taken': (id) => `Retry queued for ${id}; a sweeper is running it.`,
  'retry.missing': (id) => `${id} is neither failed nor dead; nothing retried.`,
  'retry.unconfigured': (id) => `This instance has no provider configured for ${id}; nothing retried.`,
}

export const doneCode = (action: 'replay' | 'retry', result: ReplayResult) => `${action}.${result.status}`

export function noticeFor(done: string | undefined, subject: string): string | undefined {
  if (done === undefined) return undefined
  const retried = /^retry-dead\.(\d{1,9})$/.exec(done)
  if (retried) return `${retried[1]} dead event(s) queued for retry; the sweeper runs them.`
  return Object.hasOwn(NOTICES, done) ? NOTICES[done]!(subject) : undefined
}
