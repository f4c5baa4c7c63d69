/**
 * Marks a sample payload as a new event: a fresh id, also written into the body as
 * `webhook_inbox_test_run`, so the signed bytes differ from any earlier send even where
 * the id travels in a header (the inbox dedupes on those bytes too). Returns the id.
 */
export function markTestRun(payload: Record<string, unknown>): string {
  const id = `test_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`
  payload.webhook_inbox_test_run = id
  return id
}
