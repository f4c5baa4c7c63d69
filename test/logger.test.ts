import { describe, expect, it } from 'vitest'
import { github } from '../providers/index.js'
import { createInbox } from '../src/inbox.js'
import type { Logger } from '../src/logger.js'
import { sqliteStore } from '../src/stores/sqlite/index.js'
import type { WebhookError } from '../src/errors.js'
import { signedDelivery } from './helpers.js'

const provider = github({ secret: 'gh-logger' })
const body = JSON.stringify({ action: 'opened', issue: { number: 1, title: 'secret-customer-title' }, repository: { full_name: 'acme/app' } })

function recordingLogger() {
  const lines: { level: keyof Logger; message: string }[] = []
  const logger: Logger = {
    info: (message) => void lines.push({ level: 'info', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
  }
  return { lines, logger }
}

function failingInbox(logger: Logger) {
  const inbox = createInbox({ store: sqliteStore({ path: ':memory:' }), providers: { github: provider }, logger, mode: 'inline' })
  inbox.on('github', 'issues', (event) => {
    const missing = (event.payload as unknown as { installation?: { id: string } }).installation
    return missing!.id
  })
  return inbox
}

describe('handler failures', () => {
  it('inbox.fetch() logs a failing handler as one JSON line plus the TypeError stack through the logger option, without payload or signature', async () => {
    const { lines, logger } = recordingLogger()
    const inbox = failingInbox(logger)
    const delivery = await signedDelivery(provider, 'github', { body, id: 'gh-log-1', type: 'issues' })
    const signature = delivery.headers.get('x-hub-signature-256')!
    expect((await inbox.fetch(delivery)).status).toBe(500)
    expect(lines.map((l) => l.level)).toEqual(['error'])
    const [first, ...stack] = lines[0]!.message.split('\n')
    expect(JSON.parse(first!.replace('[webhook-inbox] ', ''))).toMatchObject({ code: 'handler_failed', status: 500, provider: 'github', eventId: 'gh-log-1', type: 'issues.opened', attempt: 1 })
    expect(stack[0]).toMatch(/^TypeError: Cannot read properties of undefined \(reading 'id'\)/)
    expect(stack.join('\n')).toContain('logger.test.ts')
    expect(lines[0]!.message).not.toContain('secret-customer-title')
    expect(lines[0]!.message).not.toContain(signature.slice(7))
  })

  it('inbox.onError() receives the handler’s own TypeError as error.cause, and the default log stays quiet', async () => {
    const { lines, logger } = recordingLogger()
    const inbox = failingInbox(logger)
    const errors: WebhookError[] = []
    inbox.onError((error) => void errors.push(error))
    await inbox.fetch(await signedDelivery(provider, 'github', { body, id: 'gh-log-2', type: 'issues' }))
    expect(errors.map((e) => e.code)).toEqual(['handler_failed'])
    expect(errors[0]!.cause).toBeInstanceOf(TypeError)
    expect(lines).toEqual([])
  })

  it('inbox.stats() counts events by status and provider with the dead count and oldest due age', async () => {
    const clock = { now: 1_000_000 }
    const inbox = createInbox({ store: sqliteStore({ path: ':memory:' }), providers: { github: provider }, logger: recordingLogger().logger, mode: 'inline', maxAttempts: 1, now: () => clock.now })
    inbox.onAny(() => {
      throw new Error('down')
    })
    await inbox.fetch(await signedDelivery(provider, 'github', { body, id: 'gh-stats', type: 'issues' }))
    clock.now += 5_000
    expect(await inbox.stats()).toMatchObject({ byStatus: { dead: 1, processed: 0 }, byProvider: { github: { dead: 1 } }, dead: 1, oldestDueAgeMs: null })
  })
})
