import type { SlackEvent } from '@slack/types'
import { concatBytes, utf8 } from '../src/bytes.js'
import { hexToBytes, hmacHex, importHmacKey, verifyWithAnyKey } from '../src/crypto.js'
import { sha256Hex } from '../src/digest.js'
import {
  checkTimestamp,
  MiB,
  parseJson,
  parseSeconds,
  requireBody,
  requireHeader,
  requireHexSignature,
  requireString,
  resolveOptions,
} from './common.js'
import type { Provider, ProviderOptions, TimestampOptions, VerifiedEvent } from '../src/provider.js'

/** An Events API delivery; `event` is typed by `@slack/types` for its `event.type`. */
export interface SlackEventCallback<Event = SlackEvent> {
  type: 'event_callback'
  event_id: string
  event_time: number
  team_id: string
  api_app_id: string
  event: Event
  [field: string]: unknown
}

/**
 * An interactivity payload (`block_actions`, `view_submission`, `shortcut`, …).
 * `@slack/types` declares no envelope for these, so only the fields every one
 * carries are typed.
 */
export interface SlackInteraction {
  type: string
  /** Absent from `view_closed` and `block_suggestion`, whose event id is the SHA-256 of the signed request. */
  trigger_id?: string
  user: { id: string; [field: string]: unknown }
  response_url?: string
  [field: string]: unknown
}

/** A slash command's form fields. */
export interface SlackSlashCommand {
  command: string
  text: string
  trigger_id: string
  user_id: string
  channel_id: string
  team_id: string
  response_url: string
  [field: string]: string
}

const INTERACTION_TYPES = [
  'block_actions',
  'block_suggestion',
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
  'interactive_message',
  'dialog_submission',
] as const
type InteractionType = (typeof INTERACTION_TYPES)[number]
const INTERACTIONS = new Set<string>(INTERACTION_TYPES)

/**
 * Events API deliveries by inner `event.type` (every event `@slack/types` lists),
 * interactions by payload `type`, and slash commands as `slash_command`.
 */
export type SlackEvents = { [E in SlackEvent as E['type']]: SlackEventCallback<E> } & {
  [T in InteractionType]: SlackInteraction
} & { slash_command: SlackSlashCommand }

export interface SlackOptions extends ProviderOptions, TimestampOptions {}

/** Interactions Slack sends without a trigger_id. */
const WITHOUT_TRIGGER = new Set(['view_closed', 'block_suggestion'])

const SIGNATURE = 'x-slack-signature'
const TIMESTAMP = 'x-slack-request-timestamp'
const FORM = 'application/x-www-form-urlencoded'

/**
 * Slack requests: Events API JSON, interactivity (`payload=` form) and slash
 * commands (form), signed as `v0=HMAC(v0:timestamp:body)`. `url_verification`
 * and `ssl_check` are answered here and never stored. Slack's retries keep the
 * `event_id`, so they are ordinary duplicates.
 *
 * @example
 * slack({ secret: process.env.SLACK_SIGNING_SECRET! })
 */
export function slack(options: SlackOptions): Provider<SlackEvents> {
  const { secrets, tolerance, now, fail } = resolveOptions('slack', options)
  const keys = secrets.map((secret) => importHmacKey(secret))

  function parseEventsApi(body: string): VerifiedEvent | Response {
    const payload = parseJson(fail, body)
    if (payload.type === 'url_verification') {
      return Response.json({ challenge: requireString(fail, payload.challenge, 'url_verification challenge') })
    }
    // A notice that Slack is dropping events for this app; there is nothing to store.
    if (payload.type === 'app_rate_limited') return Response.json({ ok: true })
    const id = requireString(fail, payload.event_id, 'event_id', 'missing_event_id')
    const event = payload.event as { type?: unknown } | undefined
    const type = requireString(fail, event?.type, 'event.type')
    return { id, type, payload }
  }

  /** `digest`: of the signed bytes, the id of an interaction that carries no trigger_id. */
  function parseForm(body: string, digest: string): VerifiedEvent | Response {
    const form = new URLSearchParams(body)
    if (form.get('ssl_check') === '1') return new Response(null, { status: 200 })
    const interaction = form.get('payload')
    if (interaction !== null) {
      const payload = parseJson(fail, interaction)
      const type = requireString(fail, payload.type, 'payload.type')
      // view_closed and block_suggestion carry no trigger_id; what Slack signed identifies them.
      const id = WITHOUT_TRIGGER.has(type) ? digest : requireString(fail, payload.trigger_id, 'payload.trigger_id', 'missing_event_id')
      return { id, type, payload }
    }
    if (form.has('command')) {
      const id = requireString(fail, form.get('trigger_id'), 'trigger_id', 'missing_event_id')
      return { id, type: 'slash_command', payload: Object.fromEntries(form) }
    }
    throw fail('invalid_body', 'form body is neither an interaction (payload=) nor a slash command (command=)')
  }

  function parseAny(body: string, headers: Headers, digest: string) {
    return headers.get('content-type')?.startsWith(FORM) ? parseForm(body, digest) : parseEventsApi(body)
  }

  return {
    name: 'slack',
    handlerReplies: true,
    maxBodyBytes: options.maxBodyBytes ?? 1 * MiB,
    // Slack's Events API, interactivity and slash commands all expect an answer within 3 s
    // (docs: Events API → Responding to events; "operation_timeout" for slash commands).
    ackDeadlineMs: options.ackDeadlineMs ?? 3_000,
    storedHeaders: ['content-type'],
    parse(body, headers) {
      const parsed = parseAny(body, headers, '')
      if (parsed instanceof Response) throw fail('invalid_body', 'a handshake is not an event')
      return parsed.payload
    },
    async verify(request, rawBody) {
      const header = requireHeader(fail, request.headers, SIGNATURE)
      const signature = hexToBytes(requireHexSignature(fail, SIGNATURE, header, 'v0='))!
      const timestamp = requireHeader(fail, request.headers, TIMESTAMP)
      const seconds = parseSeconds(fail, TIMESTAMP, timestamp)
      const body = requireBody(fail, rawBody)
      const signed = concatBytes(utf8(`v0:${timestamp}:`), rawBody)
      if (!(await verifyWithAnyKey(keys, signature, signed))) {
        throw fail('signature_mismatch', `${SIGNATURE} does not match v0:timestamp:body under any configured secret`)
      }
      checkTimestamp(fail, seconds, now(), tolerance)
      // The timestamp is signed too: two identical block_suggestion bodies a second apart are two requests.
      const digest = await sha256Hex(signed)
      const parsed = parseAny(body, request.headers, digest)
      return parsed instanceof Response ? parsed : { ...parsed, digest }
    },
    async sign({ body, timestamp }) {
      const seconds = String(timestamp ?? Math.floor(now() / 1000))
      const isJson = body.trimStart().startsWith('{')
      return {
        'content-type': isJson ? 'application/json' : FORM,
        [TIMESTAMP]: seconds,
        [SIGNATURE]: `v0=${await hmacHex(keys[0]!, `v0:${seconds}:${body}`)}`,
      }
    },
  }
}

/**
 * The body Slack would send for a payload object, with `id` as its event id: a slash command's
 * fields as a form, an interaction as a `payload=` form, an Events API envelope as JSON.
 * Used by `signedRequest()` and the CLI, through the provider registry.
 */
export function encodeSlackPayload(payload: Record<string, unknown>, id: string | undefined): string {
  if (typeof payload.command === 'string') {
    const fields = id === undefined ? payload : { ...payload, trigger_id: id }
    return new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString()
  }
  if (typeof payload.type === 'string' && INTERACTIONS.has(payload.type)) {
    return new URLSearchParams({ payload: JSON.stringify(id === undefined ? payload : { ...payload, trigger_id: id }) }).toString()
  }
  return JSON.stringify(id === undefined ? payload : { ...payload, event_id: id })
}
