import { describe, expect, it } from 'vitest'
import { github, razorpay } from '../../providers/index.js'
import { createInbox } from '../../src/inbox.js'
import { fixture } from '../../src/testing/fixture.js'
import { signedDelivery } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

const secret = 'replay-secret'
const providers = { github: github({ secret }), razorpay: razorpay({ secret }) }

function setup() {
  const { store } = tempStore()
  const inbox = createInbox({ store, providers })
  const runs: string[] = []
  inbox.onAny((event) => void runs.push(`${event.provider}:${event.id}:${event.type}`))
  return { store, inbox, runs }
}

async function statusOf(response: Response) {
  return [response.status, response.headers.get('webhook-inbox-status')]
}

describe('deliveries whose id is outside the signature', () => {
  it('inbox.fetch() processes one signed Razorpay body once, answering 200 duplicate when it comes again under forged x-razorpay-event-id values', async () => {
    const { inbox, store, runs } = setup()
    const body = JSON.stringify(fixture('razorpay', 'payment.captured'))
    expect(await statusOf(await inbox.fetch(await signedDelivery(providers.razorpay, 'razorpay', { body, id: 'evt_real' })))).toEqual([200, 'processed'])
    for (const forged of ['evt_forged1', 'evt_forged2']) {
      expect(await statusOf(await inbox.fetch(await signedDelivery(providers.razorpay, 'razorpay', { body, id: forged })))).toEqual([200, 'duplicate'])
    }
    expect(runs).toEqual(['razorpay:evt_real:payment.captured'])
    expect((await store.list()).map((e) => e.eventId)).toEqual(['evt_real'])
  })

  it('inbox.fetch() answers 200 duplicate to a signed GitHub body sent again under a new X-GitHub-Delivery', async () => {
    const { inbox, runs } = setup()
    const body = JSON.stringify(fixture('github', 'issues.opened'))
    await inbox.fetch(await signedDelivery(providers.github, 'github', { body, id: 'delivery-1', type: 'issues' }))
    const replayed = await inbox.fetch(await signedDelivery(providers.github, 'github', { body, id: 'delivery-2', type: 'issues' }))
    expect(await statusOf(replayed)).toEqual([200, 'duplicate'])
    expect(runs).toEqual(['github:delivery-1:issues.opened'])
  })

  it('inbox.fetch() rejects with 400 invalid_body a signed GitHub issues body relabelled pull_request by X-GitHub-Event, storing nothing', async () => {
    const { inbox, store, runs } = setup()
    const body = JSON.stringify(fixture('github', 'issues.opened'))
    const response = await inbox.fetch(await signedDelivery(providers.github, 'github', { body, id: 'delivery-3', type: 'pull_request' }))
    expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([400, 'invalid_body'])
    expect(runs).toEqual([])
    expect(await store.list()).toEqual([])
  })

  it('inbox.fetch() rejects a signed issue_comment body relabelled issues, which would otherwise pass for issues.created', async () => {
    const { inbox } = setup()
    const body = JSON.stringify(fixture('github', 'issue_comment.created'))
    const response = await inbox.fetch(await signedDelivery(providers.github, 'github', { body, id: 'delivery-4', type: 'issues' }))
    expect(response.status).toBe(400)
  })

  it('every GitHub fixture is accepted under its own event name', async () => {
    const { inbox } = setup()
    const names = ['ping', 'push', 'issues.opened', 'issues.labeled', 'issue_comment.created', 'pull_request.opened', 'pull_request.closed', 'pull_request_review.submitted', 'release.published', 'workflow_run.completed', 'check_suite.completed', 'installation.created', 'star.created'] as const
    for (const name of names) {
      const request = await signedDelivery(providers.github, 'github', { body: JSON.stringify(fixture('github', name)), id: `fx-${name}`, type: name.split('.')[0]! })
      expect([name, (await inbox.fetch(request)).status]).toEqual([name, 200])
    }
  })
})
