// Type tests, checked by `npm run typecheck` (never run): GitHubEvents, derived from
// @octokit/openapi-webhooks-types, names the same events as @octokit/webhooks (a dev
// dependency only) and gives each the same payload.
import type { EmitterWebhookEvent, EmitterWebhookEventName } from '@octokit/webhooks'
import { expectTypeOf } from 'vitest'
import type { GitHubEvents } from '../../providers/github.js'

type Octokit = { [N in EmitterWebhookEventName]: EmitterWebhookEvent<N>['payload'] }
type Shared = keyof Octokit & keyof GitHubEvents
/** Each assignable to the other: Octokit narrows `issues.opened` as `issues & { action: 'opened' }`, we name its own payload. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
/** The names whose payloads are not the same; `never` when none. */
type Differing = { [N in Shared]: Same<Octokit[N], GitHubEvents[N]> extends true ? never : N }[Shared]

expectTypeOf<keyof GitHubEvents>().toEqualTypeOf<EmitterWebhookEventName>()
expectTypeOf<Differing>().toEqualTypeOf<never>()
// The comparison can fail: another event's payload is not the same.
expectTypeOf<Same<Octokit['issues.closed'], GitHubEvents['issues.opened']>>().toEqualTypeOf<false>()
expectTypeOf<GitHubEvents['issues.opened']['action']>().toEqualTypeOf<'opened'>()
