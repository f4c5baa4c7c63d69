import { sign, verify } from '@octokit/webhooks-methods'
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { github } from '../../providers/github.js'
import { testProvider } from '../conformance/provider.js'
import { githubCase, githubIssueOpened } from '../conformance/provider-cases.js'
import { tempStore } from '../node-helpers.js'

testProvider(githubCase, () => tempStore().store)

describe('github adapter specifics', () => {
  // github/docs: content/webhooks/using-webhooks/validating-webhook-deliveries.md
  const DOCS_SECRET = "It's a Secret to Everybody"
  const DOCS_BODY = 'Hello, World!'
  const DOCS_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'

  function request(body: string, headers: Record<string, string>) {
    return new Request('http://x/github', { method: 'POST', headers, body })
  }

  it("github().sign() reproduces the signature of GitHub's documentation example", async () => {
    const headers = await github({ secret: DOCS_SECRET }).sign({ body: DOCS_BODY, id: 'd', type: 'ping' })
    expect(headers['x-hub-signature-256']).toBe(DOCS_SIGNATURE)
  })

  it("github().verify() passes the documentation example's signature and then rejects its non-JSON body as invalid_body", async () => {
    const provider = github({ secret: DOCS_SECRET })
    const req = request(DOCS_BODY, { 'x-hub-signature-256': DOCS_SIGNATURE, 'x-github-delivery': 'd1', 'x-github-event': 'ping' })
    await expect(provider.verify(req, new TextEncoder().encode(DOCS_BODY))).rejects.toMatchObject({ code: 'invalid_body' })
  })

  it('github().verify() throws malformed_header for a bare hex signature that the Octokit web build would accept', async () => {
    const provider = github({ secret: 's' })
    const body = githubIssueOpened()
    const bare = (await sign('s', body)).slice('sha256='.length)
    const req = request(body, { 'x-hub-signature-256': bare, 'x-github-delivery': 'd2', 'x-github-event': 'issues' })
    await expect(provider.verify(req, new TextEncoder().encode(body))).rejects.toMatchObject({ status: 400, code: 'malformed_header' })
  })

  it('github().verify() accepts a signature written in uppercase hex', async () => {
    const provider = github({ secret: 's' })
    const body = githubIssueOpened()
    const signature = await sign('s', body)
    const upper = `sha256=${signature.slice(7).toUpperCase()}`
    const req = request(body, { 'x-hub-signature-256': upper, 'x-github-delivery': 'd3', 'x-github-event': 'issues' })
    await expect(provider.verify(req, new TextEncoder().encode(body))).resolves.toMatchObject({ id: 'd3', type: 'issues.opened' })
  })

  it('github().sign() output is accepted by Octokit verify()', async () => {
    const body = githubIssueOpened()
    const headers = await github({ secret: 'octo' }).sign({ body, id: 'd4', type: 'issues' })
    await expect(verify('octo', body, headers['x-hub-signature-256']!)).resolves.toBe(true)
  })

  it('github().verify() reads an application/x-www-form-urlencoded delivery from its payload= field', async () => {
    const provider = github({ secret: 's' })
    const body = new URLSearchParams({ payload: JSON.stringify({ zen: 'Keep it simple.', hook_id: 1 }) }).toString()
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-hub-signature-256': await sign('s', body),
      'x-github-delivery': 'd5',
      'x-github-event': 'ping',
    }
    await expect(provider.verify(request(body, headers), new TextEncoder().encode(body))).resolves.toMatchObject({
      id: 'd5',
      type: 'ping',
      payload: { zen: 'Keep it simple.' },
    })
  })

  it('github().verify() throws invalid_body for a body that is not UTF-8, even when signed over its exact bytes', async () => {
    const provider = github({ secret: 's' })
    const bytes = new Uint8Array([...new TextEncoder().encode('{"zen":"'), 0xff, ...new TextEncoder().encode('"}')])
    const signature = `sha256=${createHmac('sha256', 's').update(bytes).digest('hex')}`
    const req = request('', { 'x-hub-signature-256': signature, 'x-github-delivery': 'd7', 'x-github-event': 'ping' })
    await expect(provider.verify(req, bytes)).rejects.toMatchObject({ status: 400, code: 'invalid_body' })
  })

  it('github().sign() keeps the form content type for a payload= body, so a stored form delivery can be re-sent', async () => {
    const provider = github({ secret: 's' })
    const body = new URLSearchParams({ payload: JSON.stringify({ zen: 'Design for failure.', hook_id: 1 }) }).toString()
    const headers = await provider.sign({ body, id: 'd8', type: 'ping' })
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded')
    await expect(provider.verify(request(body, headers), new TextEncoder().encode(body))).resolves.toMatchObject({ payload: { zen: 'Design for failure.' } })
  })

  it('github().verify() throws missing_header when X-GitHub-Event is absent', async () => {
    const provider = github({ secret: 's' })
    const body = githubIssueOpened()
    const req = request(body, { 'x-hub-signature-256': await sign('s', body), 'x-github-delivery': 'd6' })
    await expect(provider.verify(req, new TextEncoder().encode(body))).rejects.toMatchObject({ code: 'missing_header' })
  })
})
