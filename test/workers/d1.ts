import { env } from 'cloudflare:test'
import { d1Store } from '../../src/stores/d1/index.js'

/** The D1 store over an emptied table, so each case arranges its own rows. */
export async function freshD1Store() {
  await env.DB.exec('DELETE FROM webhook_events; DELETE FROM webhook_event_parts')
  return d1Store(env.DB)
}
