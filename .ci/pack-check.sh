#!/usr/bin/env bash
# Installs the packed tarball into a fresh project and imports every subpath,
# under Node and under the TypeScript compiler, as a user's project would.
set -euo pipefail
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
# Migrations ship once, at the package root; no source maps pointing at unshipped src/.
tar tzf "$work/$tarball" > "$work/files.txt"
if grep -E '^package/dist/drizzle|\.map$' "$work/files.txt"; then
  echo "pack check: the tarball ships the files above, which it should not"; exit 1
fi
grep -qx 'package/LICENSE' "$work/files.txt" || { echo "pack check: no LICENSE in the tarball"; exit 1; }
cd "$work"
cat > package.json <<'JSON'
{ "name": "pack-check", "private": true, "type": "module" }
JSON
# Install scripts stay off: better-sqlite3 was compiled once by `npm ci`, and its
# addon is copied over rather than compiled a second time.
npm install --no-audit --no-fund --ignore-scripts "./$tarball" typescript@5.9 @types/node@20 >/dev/null
cp -r "$repo/node_modules/better-sqlite3/build" node_modules/better-sqlite3/

cat > check.ts <<'TS'
import { createInbox, WebhookError, type InboxEvent } from 'webhook-inbox'
import { github, razorpay, slack, stripe } from 'webhook-inbox/providers'
import { sqliteStore } from 'webhook-inbox/stores/sqlite'
import { d1Store } from 'webhook-inbox/stores/d1'
import { idempotency, withIdempotency } from 'webhook-inbox/idempotency'
import { postgresStore, type PostgresStore } from 'webhook-inbox/stores/postgres'
import { mysqlStore, type MysqlStore } from 'webhook-inbox/stores/mysql'
import { serve } from 'webhook-inbox/node'
import { dashboard } from 'webhook-inbox/dashboard'
import { fixture, signedRequest } from 'webhook-inbox/testing'

const providers = {
  stripe: stripe({ secret: 'whsec_pack' }),
  github: github({ secret: 'gh' }),
  slack: slack({ secret: 'sl' }),
  razorpay: razorpay({ secret: 'rz' }),
}
const store = sqliteStore({ path: ':memory:' })
const inbox = createInbox({ store, providers })
const seen: InboxEvent[] = []
inbox.on('stripe', 'invoice.paid', (event) => {
  const invoiceId: string | undefined = event.payload.data.object.id
  seen.push(event)
  return invoiceId === undefined ? undefined : undefined
})
const delivery = () => signedRequest('stripe', fixture('stripe', 'invoice.paid'), { secret: 'whsec_pack' })
const first = await inbox.fetch(await delivery())
const second = await inbox.fetch(await delivery())
const statuses = [first.status, first.headers.get('webhook-inbox-status'), second.headers.get('webhook-inbox-status')]
if (JSON.stringify(statuses) !== '[200,"processed","duplicate"]' || seen.length !== 1) {
  throw new Error(`pack check failed: ${JSON.stringify(statuses)}, ${seen.length} handler runs`)
}
if (!(new WebhookError('body_too_large', 'x').status === 413)) throw new Error('WebhookError status')
if (typeof d1Store !== 'function' || typeof serve !== 'function') throw new Error('d1 and node subpaths')
const board = dashboard(inbox, { auth: { username: 'ops', password: 'pack' } })
if ((await board.request('/', { headers: { authorization: `Basic ${btoa('ops:pack')}` } })).status !== 200) throw new Error('dashboard subpath')
const ordered = withIdempotency({ store })(async () => new Response('ok', { status: 201 }))
const order = () => ordered(new Request('https://pack.test/orders', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'k' } }))
if ((await order()).headers.get('idempotent-replayed') !== null || (await order()).headers.get('idempotent-replayed') !== 'true' || typeof idempotency !== 'function') {
  throw new Error('idempotency subpath')
}
// Constructing a store opens nothing: the pool connects on first use.
const pgStore: PostgresStore = postgresStore({ connectionString: 'postgres://pack@127.0.0.1:1/pack' })
await pgStore.close()
const myStore: MysqlStore = mysqlStore({ uri: 'mysql://pack:pack-pw@127.0.0.1:1/pack' })
await myStore.close()
await store.close()
console.log('pack check: every subpath imports and a signed Stripe event is processed once')
TS
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
  "noUncheckedIndexedAccess": true, "verbatimModuleSyntax": true, "skipLibCheck": true, "types": ["node"], "outDir": "out" } }
JSON
npx tsc -p tsconfig.json
node out/check.js
# A strict consumer that typechecks libraries too (no skipLibCheck): every subpath's
# declarations, and what they reach (better-sqlite3's and pg's types), must hold up.
cat > strict.ts <<'TS'
import { createInbox, type Inbox } from 'webhook-inbox'
import { github, stripe } from 'webhook-inbox/providers'
import { sqliteStore, type SqliteStore } from 'webhook-inbox/stores/sqlite'
import { d1Store } from 'webhook-inbox/stores/d1'
import { idempotency, withIdempotency } from 'webhook-inbox/idempotency'
import { postgresStore, type PostgresStore } from 'webhook-inbox/stores/postgres'
import { serve, toNodeHandler, type NodeHandler } from 'webhook-inbox/node'
import { fixture, signedRequest } from 'webhook-inbox/testing'
import { sql } from 'drizzle-orm'
export const open = (url: string): PostgresStore => postgresStore({ connectionString: url })
export const file = (path: string): SqliteStore => sqliteStore({ path })
export const inbox = (store: SqliteStore) => createInbox({ store, providers: { stripe: stripe({ secret: 's' }), github: github({ secret: 'g' }) } })
export const handler = (i: Inbox<{}>): NodeHandler => toNodeHandler(i)
export const unused = [d1Store, idempotency, withIdempotency, serve, fixture, signedRequest]
// The store's transaction handle reaches the handler: a typo in a drizzle call is an error.
export const typed = (i: ReturnType<typeof inbox>) =>
  i.on('stripe', 'invoice.paid', (event, ctx) => ctx.transaction((tx) => tx.run(sql`select ${event.id}`)))
TS
# drizzle-orm's own declarations do not typecheck without skipLibCheck (they reach every
# dialect's driver types, gel's among them), and the transaction handles (SqliteTransaction,
# PostgresTransaction, MysqlTransaction) are drizzle's, so they are reached: an error is
# allowed only inside drizzle-orm's files, never in ours or in anything else we reach.
set +e
npx tsc --noEmit --strict --skipLibCheck false --module NodeNext --moduleResolution NodeNext --target ES2022 --types node --verbatimModuleSyntax strict.ts > strict.log
set -e
if grep 'error TS' strict.log | grep -v '^node_modules/drizzle-orm/'; then
  echo "pack check: the strict consumer fails outside drizzle-orm's declarations (above)"; exit 1
fi
# The CLI bin, as `npx webhook-inbox` runs it.
npx --no-install webhook-inbox --help | grep -q 'webhook-inbox <command>'
set +e
npx --no-install webhook-inbox send paypal x 2>/dev/null
code=$?
set -e
[ "$code" -eq 2 ] || { echo "pack check: CLI exit code for a bad provider was $code, not 2"; exit 1; }
echo "pack check: the webhook-inbox bin runs"
