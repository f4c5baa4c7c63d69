/**
 * `X-GitHub-Event` is outside the signature, so the body must agree with it: the
 * top-level keys GitHub's payload for an event always has (from
 * `@octokit/webhooks-examples`), and, where one event's body contains another's
 * (`issue_comment` carries an `issue`), the key that tells them apart.
 * Events not listed here carry no distinguishing key and are taken as named.
 */
const SHAPES: Record<string, { has: readonly string[]; lacks?: readonly string[] }> = {
  branch_protection_rule: { has: ['rule'] },
  check_run: { has: ['check_run'] },
  check_suite: { has: ['check_suite'] },
  commit_comment: { has: ['comment'], lacks: ['issue', 'pull_request', 'discussion'] },
  create: { has: ['ref', 'ref_type'] },
  delete: { has: ['ref', 'ref_type'] },
  deployment: { has: ['deployment'], lacks: ['deployment_status'] },
  deployment_status: { has: ['deployment_status', 'deployment'] },
  discussion: { has: ['discussion'], lacks: ['comment'] },
  discussion_comment: { has: ['comment', 'discussion'] },
  fork: { has: ['forkee'] },
  issue_comment: { has: ['issue', 'comment'] },
  issues: { has: ['issue'], lacks: ['comment'] },
  label: { has: ['label'], lacks: ['issue', 'pull_request'] },
  member: { has: ['member'], lacks: ['team'] },
  milestone: { has: ['milestone'], lacks: ['issue', 'pull_request'] },
  package: { has: ['package'] },
  ping: { has: ['zen', 'hook_id'] },
  pull_request: { has: ['pull_request', 'number'], lacks: ['review', 'comment', 'thread'] },
  pull_request_review: { has: ['review', 'pull_request'] },
  pull_request_review_comment: { has: ['comment', 'pull_request'] },
  pull_request_review_thread: { has: ['thread', 'pull_request'] },
  push: { has: ['ref', 'before', 'after', 'commits'] },
  release: { has: ['release'] },
  star: { has: ['starred_at'] },
  status: { has: ['sha', 'state', 'commit'] },
  workflow_job: { has: ['workflow_job'] },
  workflow_run: { has: ['workflow_run', 'workflow'] },
}

/** The first way the payload contradicts the event name, or undefined when it agrees. */
export function payloadMismatch(event: string, payload: Record<string, unknown>): string | undefined {
  const shape = Object.hasOwn(SHAPES, event) ? SHAPES[event] : undefined
  if (shape === undefined) return undefined
  const missing = shape.has.find((key) => !Object.hasOwn(payload, key))
  if (missing !== undefined) return `has no "${missing}"`
  const extra = shape.lacks?.find((key) => Object.hasOwn(payload, key))
  return extra === undefined ? undefined : `has "${extra}", which ${event} payloads never carry`
}
