import { utf8 } from '../src/bytes.js'
import { timingSafeEqual } from '../src/crypto.js'
import { MiB, parseJson, requireBody, requireHeader, requireString, resolveOptions, withAction } from './common.js'
import type { Provider, ProviderOptions } from '../src/provider.js'
import { sha256Hex } from '../src/digest.js'

/**
 * A GitLab webhook body. Hand-typed: GitLab publishes no type package, and each
 * `object_kind` (`push`, `merge_request`, `pipeline`, …) has its own shape.
 */
export interface GitLabWebhook {
  object_kind: string
  object_attributes?: { action?: string; [field: string]: unknown }
  [field: string]: unknown
}

/** `push`, `merge_request.merge`, `issue.open`, …: `object_kind`, plus the action where there is one. */
export type GitLabEvents = Record<string, GitLabWebhook>

export interface GitLabOptions extends ProviderOptions {}

const TOKEN = 'x-gitlab-token'
const IDEMPOTENCY_KEY = 'idempotency-key'
const EVENT_UUID = 'x-gitlab-event-uuid'

// node:crypto where the runtime has it (src/digest.ts): Web Crypto's digest costs ~40 µs a call on Node.
const sha256 = async (text: string) => utf8(await sha256Hex(text))

/**
 * GitLab webhooks. GitLab signs nothing: it sends the webhook's *Secret token* as is in
 * `X-Gitlab-Token`, compared here in constant time. Anyone who sees one delivery can send any
 * body, so use HTTPS; a replayed body is stopped only by the dedupe on its digest. The id is
 * `Idempotency-Key` (GitLab 17.4+, the same on every retry), else `X-Gitlab-Event-UUID`.
 *
 * @example
 * gitlab({ secret: process.env.GITLAB_WEBHOOK_TOKEN! })
 */
export function gitlab(options: GitLabOptions): Provider<GitLabEvents> {
  const { secrets, fail } = resolveOptions('gitlab', options)
  // Compared as SHA-256 digests: equal lengths, so the comparison time says nothing about the token's length.
  const digests = Promise.all(secrets.map(sha256))

  function read(body: string) {
    const payload = parseJson(fail, body)
    const kind = requireString(fail, payload.object_kind, 'event kind (body.object_kind)')
    const attributes = payload.object_attributes as { action?: unknown } | undefined
    return { type: withAction(kind, attributes?.action), payload }
  }

  return {
    name: 'gitlab',
    // GitLab.com caps webhook payloads at 25 MB (docs: GitLab.com settings → Webhooks).
    maxBodyBytes: options.maxBodyBytes ?? 25 * MiB,
    // GitLab waits 10 s for an answer, then counts the delivery as failed (docs: GitLab.com
    // settings → Other limits; `webhook_timeout`, default 10, on self-managed instances).
    ackDeadlineMs: options.ackDeadlineMs ?? 10_000,
    storedHeaders: [],
    parse: (body) => read(body).payload,
    async verify(request, rawBody) {
      const token = requireHeader(fail, request.headers, TOKEN)
      const presented = await sha256(token)
      const matches = (await digests).map((digest) => timingSafeEqual(digest, presented))
      if (!matches.includes(true)) throw fail('signature_mismatch', `${TOKEN} matches none of the configured tokens`)
      const { type, payload } = read(requireBody(fail, rawBody))
      const id = request.headers.get(IDEMPOTENCY_KEY) || requireHeader(fail, request.headers, EVENT_UUID, 'missing_event_id')
      return { id, type, payload }
    },
    async sign({ body, id }) {
      const uuid = id ?? crypto.randomUUID()
      return {
        'content-type': 'application/json',
        [TOKEN]: secrets[0]!,
        [IDEMPOTENCY_KEY]: uuid,
        [EVENT_UUID]: uuid,
        'x-gitlab-event': eventHeader(body),
        'user-agent': 'GitLab/17.4.0',
      }
    },
  }
}

/** `merge_request` → `Merge Request Hook`, the X-Gitlab-Event name GitLab sends beside the body. */
function eventHeader(body: string): string {
  const kind = /"object_kind"\s*:\s*"([a-z_]+)"/.exec(body)?.[1] ?? 'push'
  return `${kind.split('_').map((word) => word[0]!.toUpperCase() + word.slice(1)).join(' ')} Hook`
}
