import type { Provider, SignInput } from '../src/provider.js'

/** A fixed clock: 2026-01-01T00:00:00Z, in ms. */
export const NOW = 1_767_225_600_000

/** A delivery signed by `provider.sign()`, POSTed to `/webhooks/<name>`. */
export async function signedDelivery(provider: Provider, name: string, input: SignInput, url = 'http://inbox.test') {
  const headers = await provider.sign(input)
  return new Request(`${url}/webhooks/${name}`, { method: 'POST', headers, body: input.body })
}

/** Polls until `check` holds, for at most `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
