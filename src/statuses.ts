// Apart from schema.ts so the Store types reach no drizzle declarations: a consumer that
// typechecks libraries (skipLibCheck: false) would otherwise check all of drizzle-orm's.
export const EVENT_STATUSES = ['received', 'processing', 'processed', 'stale', 'failed', 'dead'] as const
export const KEY_STATUSES = ['running', 'completed'] as const
