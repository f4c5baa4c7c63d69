import { describe, expect, it } from 'vitest'
import { gitlab } from '../../providers/gitlab.js'
import { createInbox } from '../../src/inbox.js'
import { testProvider } from '../conformance/provider.js'
import { gitlabCase, gitlabMerge } from '../conformance/provider-cases.js'
import { signedDelivery } from '../helpers.js'
import { tempStore } from '../node-helpers.js'

testProvider(gitlabCase, () => tempStore().store)

describe('gitlab adapter specifics', () => {
  const secret = 'gitlab-secret-token'
  const body = gitlabMerge()

  function verify(headers: Record<string, string>) {
    const request = new Request('http://x/gitlab', { method: 'POST', headers, body })
    return gitlab({ secret }).verify(request, new TextEncoder().encode(body))
  }

  it("gitlab().verify() accepts a delivery with the headers of GitLab's docs example (X-Gitlab-Token, Idempotency-Key)", async () => {
    const headers = {
      'x-gitlab-event': 'Merge Request Hook',
      'x-gitlab-token': secret,
      'x-gitlab-event-uuid': '13792a34-cac6-4fda-95a8-c58e00a3954e',
      'idempotency-key': 'f5e5f430-f57b-4e6e-9fac-d9128cd7232f',
    }
    await expect(verify(headers)).resolves.toMatchObject({ id: 'f5e5f430-f57b-4e6e-9fac-d9128cd7232f', type: 'merge_request.merge' })
  })

  it('gitlab().verify() falls back to X-Gitlab-Event-UUID before GitLab 17.4 sent Idempotency-Key', async () => {
    await expect(verify({ 'x-gitlab-token': secret, 'x-gitlab-event-uuid': 'uuid-1' })).resolves.toMatchObject({ id: 'uuid-1' })
  })

  it('gitlab().verify() throws signature_mismatch for a token that differs in its last character', async () => {
    await expect(verify({ 'x-gitlab-token': `${secret.slice(0, -1)}X`, 'idempotency-key': 'k' })).rejects.toMatchObject({ status: 401, code: 'signature_mismatch' })
  })

  it('gitlab().verify() types a push, which has no object_attributes, by object_kind alone', async () => {
    const push = JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main' })
    const request = new Request('http://x/gitlab', { method: 'POST', headers: { 'x-gitlab-token': secret, 'idempotency-key': 'k' }, body: push })
    await expect(gitlab({ secret }).verify(request, new TextEncoder().encode(push))).resolves.toMatchObject({ type: 'push' })
  })

  it('inbox.fetch() answers 200 duplicate to a GitLab body sent again under a new Idempotency-Key (the digest is of the body only)', async () => {
    const provider = gitlab({ secret })
    const inbox = createInbox({ store: tempStore().store, providers: { gitlab: provider } })
    const statuses = []
    for (const id of ['key-1', 'key-2']) {
      const response = await inbox.fetch(await signedDelivery(provider, 'gitlab', { body, id }))
      statuses.push(response.headers.get('webhook-inbox-status'))
    }
    expect(statuses).toEqual(['processed', 'duplicate'])
  })
})
