import { describe, expect, it } from 'vitest'
import { slack } from '../../providers/slack.js'
import { createInbox } from '../../src/inbox.js'
import { testProvider } from '../conformance/provider.js'
import { slackCase, slackCallback } from '../conformance/provider-cases.js'
import { NOW, signedDelivery } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

testProvider(slackCase, () => tempStore().store)

describe('slack adapter specifics', () => {
  // Slack's "Verifying requests from Slack" example (a slash command).
  const DOCS_SECRET = '8f742231b10e8888abcd99yyyzzz85a5'
  const DOCS_TIMESTAMP = 1531420618
  const DOCS_BODY =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
  const DOCS_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'
  const atDocsTime = () => DOCS_TIMESTAMP * 1000

  it("slack().verify() accepts Slack's documentation example as a slash_command with its trigger_id", async () => {
    const provider = slack({ secret: DOCS_SECRET, now: atDocsTime })
    const request = new Request('http://x/slack', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(DOCS_TIMESTAMP),
        'x-slack-signature': DOCS_SIGNATURE,
      },
      body: DOCS_BODY,
    })
    await expect(provider.verify(request, new TextEncoder().encode(DOCS_BODY))).resolves.toMatchObject({
      id: '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
      type: 'slash_command',
      payload: { command: '/webhook-collect', user_name: 'roadrunner' },
    })
  })

  it("slack().sign() reproduces the signature of Slack's documentation example", async () => {
    const headers = await slack({ secret: DOCS_SECRET }).sign({ body: DOCS_BODY, timestamp: DOCS_TIMESTAMP })
    expect(headers['x-slack-signature']).toBe(DOCS_SIGNATURE)
  })

  function inboxWith() {
    const { store } = tempStore()
    const provider = slack({ secret: 'slack-secret', now: () => NOW })
    const inbox = createInbox({ store, providers: { slack: provider }, now: () => NOW })
    const calls: string[] = []
    return { store, provider, inbox, calls }
  }

  it('inbox.fetch() echoes the url_verification challenge without storing or calling handlers', async () => {
    const { store, provider, inbox, calls } = inboxWith()
    inbox.onAny((e) => void calls.push(e.id))
    const body = JSON.stringify({ token: 't', challenge: 'chal-123', type: 'url_verification' })
    const response = await inbox.fetch(await signedDelivery(provider, 'slack', { body }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ challenge: 'chal-123' })
    expect(calls).toEqual([])
    expect(await store.list()).toEqual([])
  })

  it('inbox.fetch() answers ssl_check with 200 without storing', async () => {
    const { store, provider, inbox } = inboxWith()
    const response = await inbox.fetch(await signedDelivery(provider, 'slack', { body: 'ssl_check=1&token=t' }))
    expect(response.status).toBe(200)
    expect(await store.list()).toEqual([])
  })

  it("inbox.fetch() answers an interaction with the handler's returned JSON and stores it by trigger_id", async () => {
    const { store, provider, inbox } = inboxWith()
    inbox.on('slack', 'view_submission', () => ({ response_action: 'clear' }))
    const payload = { type: 'view_submission', trigger_id: '111.222.abc', user: { id: 'U1' }, view: { id: 'V1' } }
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
    const response = await inbox.fetch(await signedDelivery(provider, 'slack', { body }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ response_action: 'clear' })
    expect((await store.get({ provider: 'slack', eventId: '111.222.abc' }))?.status).toBe('processed')
  })

  it('inbox.fetch() answers a slash command with the Response its handler returns', async () => {
    const { provider, inbox } = inboxWith()
    inbox.on('slack', 'slash_command', (event) => new Response(`echo ${event.payload.text}`, { status: 200 }))
    const body = new URLSearchParams({ command: '/echo', text: 'hello', trigger_id: '9.9.9', user_id: 'U1' }).toString()
    const response = await inbox.fetch(await signedDelivery(provider, 'slack', { body }))
    expect(await response.text()).toBe('echo hello')
    expect(response.headers.get('webhook-inbox-status')).toBe('processed')
  })

  it('inbox.fetch() treats a Slack retry (X-Slack-Retry-Num) of the same event_id as a 200 duplicate', async () => {
    const { provider, inbox, calls } = inboxWith()
    inbox.onAny((e) => void calls.push(e.id))
    const first = await inbox.fetch(await signedDelivery(provider, 'slack', { body: slackCallback('Ev1') }))
    const retry = await signedDelivery(provider, 'slack', { body: slackCallback('Ev1') })
    const headers = new Headers(retry.headers)
    headers.set('x-slack-retry-num', '1')
    headers.set('x-slack-retry-reason', 'http_timeout')
    const second = await inbox.fetch(new Request(retry, { headers }))
    expect([first.status, second.status]).toEqual([200, 200])
    expect(second.headers.get('webhook-inbox-status')).toBe('duplicate')
    expect(calls).toEqual(['Ev1'])
  })

  it('inbox.fetch() answers 400 invalid_body to a signed form body that is neither interaction nor command', async () => {
    const { provider, inbox } = inboxWith()
    inbox.onError(() => {})
    const response = await inbox.fetch(await signedDelivery(provider, 'slack', { body: 'foo=bar' }))
    expect(response.status).toBe(400)
    expect(((await response.json()) as { code: string }).code).toBe('invalid_body')
  })

  it('inbox.fetch() stores a view_closed interaction, which has no trigger_id, under the SHA-256 of the signed request, once', async () => {
    const { provider, inbox } = inboxWith()
    const calls: string[] = []
    inbox.on('slack', 'view_closed', (e) => void calls.push(e.id))
    const body = new URLSearchParams({ payload: JSON.stringify({ type: 'view_closed', user: { id: 'U1' }, view: { id: 'V1' } }) }).toString()
    const request = await signedDelivery(provider, 'slack', { body, timestamp: NOW / 1000 })
    const first = await inbox.fetch(request.clone())
    const again = await inbox.fetch(request)
    expect([first.status, again.headers.get('webhook-inbox-status')]).toEqual([200, 'duplicate'])
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatch(/^[0-9a-f]{64}$/)
  })

  it('inbox.fetch() runs two identical block_suggestion bodies signed a second apart as two requests', async () => {
    const { provider, inbox } = inboxWith()
    let runs = 0
    inbox.on('slack', 'block_suggestion', () => {
      runs++
      return { options: [] }
    })
    const body = new URLSearchParams({ payload: JSON.stringify({ type: 'block_suggestion', user: { id: 'U1' }, value: 'ab' }) }).toString()
    for (const timestamp of [NOW / 1000, NOW / 1000 + 1]) {
      const response = await inbox.fetch(await signedDelivery(provider, 'slack', { body, timestamp }))
      expect(await response.json()).toEqual({ options: [] })
    }
    expect(runs).toBe(2)
  })
})
