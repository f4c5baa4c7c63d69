import type { operations } from '@octokit/openapi-webhooks-types'
import { sign, verifyWithFallback } from '@octokit/webhooks-methods'
import { bodyMismatch, hashHexBody, hexBodySignature, MiB, parseJson, requireBody, requireHeader, resolveOptions, withAction } from './common.js'
import { payloadMismatch } from './github-payload-shape.js'
import type { Provider, ProviderOptions } from '../src/provider.js'

/** `check-run` → `check_run`: the OpenAPI operation ids spell GitHub's event and action names with hyphens. */
type Snake<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}_${Snake<Tail>}` : S
/** An operation id (`check-run/requested-action`, `push`) → its event name (`check_run`, `push`). */
type EventName<Id extends string> = Id extends `${infer Event}/${string}` ? Snake<Event> : Snake<Id>
/** … and with its action (`check_run.requested_action`); an event without actions keeps its name. */
type ActionName<Id extends string> = Id extends `${infer Event}/${infer Action}` ? `${Snake<Event>}.${Snake<Action>}` : Snake<Id>
type OperationId = keyof operations & string
/** The operations a name covers: all of an event's actions for `issues`, one for `issues.opened`. */
type OperationsOf<Name extends string> = { [Id in OperationId]: Name extends EventName<Id> | ActionName<Id> ? Id : never }[OperationId]
type Payload<Id extends OperationId> = operations[Id]['requestBody']['content']['application/json']
/** A name with an action types it, where the schema says only `string` (`repository_dispatch.sample.collected`). */
type WithAction<Name extends string, P> = Name extends `${string}.${infer Action}` ? (P extends { action: Action } ? P : P & { action: Action }) : P

/**
 * Every GitHub event, by `X-GitHub-Event` name alone (`issues`: any of its actions) and
 * with its action (`issues.opened`), as Octokit's OpenAPI webhook types declare them.
 * Derived from `@octokit/openapi-webhooks-types` (types only) rather than taken from
 * `@octokit/webhooks`, whose dependencies would add megabytes to every install for the same
 * names and payloads (test/types/github-events.ts holds the two equal).
 */
export type GitHubEvents = { [Name in EventName<OperationId> | ActionName<OperationId>]: WithAction<Name, Payload<OperationsOf<Name>>> }

export interface GitHubOptions extends ProviderOptions {}

const SIGNATURE = 'x-hub-signature-256'
const DELIVERY = 'x-github-delivery'
const EVENT = 'x-github-event'

/**
 * GitHub webhooks, verified by `@octokit/webhooks-methods`, or where node:crypto exists by
 * an HMAC computed as the body arrives (see `Provider.hashBody`). The event id is the
 * `X-GitHub-Delivery` GUID, which a redelivery keeps; the type is the event name
 * plus its `action`, so `on('github', 'issues', …)` sees every issue action and
 * `on('github', 'issues.opened', …)` only one.
 *
 * @example
 * github({ secret: [process.env.GITHUB_WEBHOOK_SECRET!, previousSecret] })
 */
export function github(options: GitHubOptions): Provider<GitHubEvents> {
  const { secrets, fail } = resolveOptions('github', options)

  function parse(body: string, headers: Headers) {
    // GitHub can deliver either content type; the form one wraps the JSON in `payload=`.
    const json = headers.get('content-type')?.startsWith('application/x-www-form-urlencoded')
      ? (new URLSearchParams(body).get('payload') ?? '')
      : body
    return parseJson(fail, json)
  }

  /** The delivery id and event name are headers the signature does not cover; the inbox also dedupes on the body's digest. */
  function read(body: string, headers: Headers) {
    const id = requireHeader(fail, headers, DELIVERY, 'missing_event_id')
    const name = requireHeader(fail, headers, EVENT)
    const payload = parse(body, headers)
    const mismatch = payloadMismatch(name, payload)
    if (mismatch !== undefined) throw fail('invalid_body', `${EVENT} says ${name.slice(0, 100)}, but the signed body ${mismatch}`)
    const type = withAction(name, payload.action)
    return { id, type, payload }
  }

  return {
    name: 'github',
    // GitHub caps payloads at 25 MB and drops larger ones instead of sending them.
    maxBodyBytes: options.maxBodyBytes ?? 25 * MiB,
    // "GitHub … will terminate the connection if your server takes longer than 10 seconds"
    // (docs: Best practices for using webhooks → Respond within 10 seconds).
    ackDeadlineMs: options.ackDeadlineMs ?? 10_000,
    // What parse() reads again; the id and event name are the row's own columns.
    storedHeaders: ['content-type'],
    parse,
    // The signature is an HMAC of the body alone, so it can be checked as the body arrives.
    hashBody: (request) => hashHexBody(fail, secrets, request.headers, SIGNATURE, 'sha256='),
    async verify(request, rawBody, hash) {
      if (hash !== undefined) {
        hash.check()
        return read(requireBody(fail, rawBody), request.headers)
      }
      // The Octokit web build accepts a signature without "sha256=" and throws on one
      // with no hex pairs, so only a well-formed header ever reaches it.
      hexBodySignature(fail, request.headers, SIGNATURE, rawBody.length, 'sha256=')
      const body = requireBody(fail, rawBody)
      // Octokit's own rotation loop: the first secret, then each of the others.
      const [current, ...previous] = secrets
      if (!(await verifyWithFallback(current!, body, request.headers.get(SIGNATURE)!.toLowerCase(), previous))) throw bodyMismatch(fail, SIGNATURE)
      return read(body, request.headers)
    },
    async sign({ body, id, type }) {
      return {
        // A body GitHub sent as a form (stored, then re-sent by `webhook-inbox replay --url`) keeps its type.
        'content-type': body.startsWith('payload=') ? 'application/x-www-form-urlencoded' : 'application/json',
        'user-agent': 'GitHub-Hookshot/webhook-inbox',
        [SIGNATURE]: await sign(secrets[0]!, body),
        [DELIVERY]: id ?? crypto.randomUUID(),
        [EVENT]: (type ?? 'ping').split('.')[0]!,
      }
    },
  }
}
