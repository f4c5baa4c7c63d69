import { WebhookError } from '../errors.js'
import { userTransaction } from '../store-guard.js'
import type { KeyId, TransactionalKeys } from '../store.js'
import type { IdempotencyConfig } from './options.js'
import { problem } from './problem.js'
import { isKept, toStored } from './stored-response.js'

/**
 * What an idempotent endpoint gets per request: `c.get('idempotency')` behind
 * `idempotency()`, `idempotent.of(request)` inside `withIdempotency()`. `Tx` is the
 * store's transaction handle (`SqliteTransaction`, …); unknown for a store without one.
 */
export interface IdempotencyHandle<Tx = unknown> {
  /**
   * Runs `fn(tx)`, the endpoint's writes, in one transaction of the store's database,
   * and stores the Response it returns as the key's answer in that same commit; then
   * resolves to that Response (its body read whole, so it is not streamed) for the handler
   * to return. A crash before the commit leaves nothing, and the retry runs anew; after
   * it, the retry gets the stored answer and runs nothing. Once committed, that answer is
   * the key's, whatever the handler does next.
   *
   * - An answer that is not kept (5xx, 409, 429) rolls the writes back and releases the
   *   key: the request failed, and its retry runs anew.
   * - A throw in `fn` rolls back and rejects with that error, unchanged; the key is released.
   * - This run outlived `lockMs` and a retry took its key over: `fn` does not run, nothing
   *   is written, and it resolves to a 409 `idempotency_key_in_use` problem answer.
   * - A request without a key (or a method not covered) gets a plain transaction, and
   *   `fn`'s Response as it is.
   *
   * Once per request. On a store without transactions (D1) it rejects with
   * `transaction_unsupported`, rather than write without the answer.
   */
  transaction(fn: (tx: Tx) => Response | Promise<Response>): Promise<Response>
}

/** The transaction handle of store `S`'s keys; unknown for a store whose keys have no transactions (D1). */
export type KeysTransactionOf<S> = S extends { keys: TransactionalKeys<infer Tx> } ? Tx : unknown

/** Hono's environment behind `idempotency()`: `c.get('idempotency')`. */
export interface IdempotencyEnv<Tx = unknown> {
  Variables: { idempotency: IdempotencyHandle<Tx> }
}

/** The key a request holds, as `begin()` gave it; undefined when the request passes through. */
export type HeldKey = { id: KeyId; token: string } | undefined

/**
 * One request's handle; `settled()` tells the flow that its transaction stored the answer,
 * released the key, or found it taken over, so the key is no longer the flow's to finish.
 * `Tx` is the caller's word for what the store's keys hand `fn` (`KeysTransactionOf` of
 * the store `config.keys` came from): the config no longer knows the store's type.
 */
export function transactionHandle<Tx = unknown>(config: IdempotencyConfig, held: HeldKey) {
  const transact = (config.keys as Partial<Pick<TransactionalKeys<unknown>, 'transaction'>>).transaction?.bind(config.keys)
  let called = false
  let settled = false

  const handle: IdempotencyHandle = {
    async transaction(fn) {
      if (transact === undefined) {
        throw new WebhookError(
          'transaction_unsupported',
          `idempotency: this store has no transactions (D1 has none), so the endpoint's writes cannot commit with the key's answer; use a store with transactions (SQLite, Postgres, MySQL)`,
        )
      }
      if (called) {
        throw new WebhookError('transaction_unsupported', `idempotency: transaction() already ran for this request, and its answer is the key's; put all the request's writes in one transaction`)
      }
      called = true
      let body: Uint8Array | undefined
      // Inside the transaction: the body is read whole so that its exact bytes commit with the writes.
      const answer = async (response: Response) => {
        if (!isKept(response.status)) return undefined
        body = new Uint8Array(await response.arrayBuffer())
        const copy = { body: body.length <= config.maxResponseBytes ? body : undefined, size: body.length, cancelled: false }
        return toStored(response, copy, config.storedHeaders, config.maxResponseBytes)
      }
      const hold = held && { ...held, now: config.now(), ttl: config.ttl }
      const result = await userTransaction('idempotency transaction', (own) => transact(hold, own(fn), own(answer)))
      settled = true
      if (!result.held) {
        return problem(
          'idempotency_key_in_use',
          "This request ran longer than its Idempotency-Key is locked for, and a retry with the same key took the key over, so nothing of this request was written; retry with the same key to get that request's answer.",
        )
      }
      if (body === undefined) return result.value
      const { status, statusText, headers } = result.value
      return new Response(body.length === 0 ? null : body, { status, statusText, headers })
    },
  }
  return { handle: handle as IdempotencyHandle<Tx>, settled: () => settled }
}

