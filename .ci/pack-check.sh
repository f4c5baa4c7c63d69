#!/usr/bin/env bash
# The package as a user gets it: plain `npm pack` of this checkout (prepack builds dist/),
# installed into a fresh project. Without any database driver, the entries that need none
# typecheck under strict settings, libraries included, and a Node store names the driver
# it needs. With the drivers, every subpath imports and works under Node, and the README's
# quickstart runs as written, processing a signed Stripe event once.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
server=
# The quickstart server runs in a session of its own: npx and tsx each start a process under it.
# Waited for before the directory goes: the server may still be writing its database there.
trap '[ -z "$server" ] || { kill -TERM -- "-$server" 2>/dev/null; wait "$server" 2>/dev/null; } || true; rm -rf "$work"' EXIT
fail() { echo "pack check: $*" >&2; exit 1; }

# First, as it is the cheapest to get wrong: the README's quickstart, the first ts block under
# its "## Quickstart" heading, up to the next heading.
grep -qx '## Quickstart' README.md || fail 'README.md has no "## Quickstart" heading'
awk '/^## / { section = ($0 == "## Quickstart") } section && !done && /^```ts$/ { open = 1; next }
  open && /^```$/ { open = 0; done = 1 } open' README.md > "$work/server.ts"
[ -s "$work/server.ts" ] || fail 'README.md has no ```ts block under "## Quickstart"'

tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
# Every file package.json names (the prepack build's), migrations once at the package root, and no
# source maps pointing at unshipped src/.
tar tzf "$work/$tarball" > "$work/files.txt"
node -p "const { exports, bin } = require('./package.json')
  ;[...Object.values(exports).flatMap(Object.values), ...Object.values(bin), './drizzle/meta/_journal.json', './LICENSE'].map((file) => file.replace('./', 'package/')).join('\n')" |
  while read -r file; do grep -qx "$file" "$work/files.txt" || fail "the tarball has no $file"; done
if grep -E '^package/dist/drizzle|\.map$' "$work/files.txt"; then fail 'the tarball ships the files above, which it should not'; fi

cd "$work"
cat > package.json <<'JSON'
{ "name": "pack-check", "private": true, "type": "module" }
JSON
npm install --no-audit --no-fund --ignore-scripts --prefer-offline "./$tarball" typescript@5.9 @types/node@20 tsx@4 >/dev/null
for driver in better-sqlite3 pg mysql2 @types/better-sqlite3 @types/pg; do
  [ ! -e "node_modules/$driver" ] || fail "installing webhook-inbox installed $driver, an optional peer dependency"
done

# The entries a project without a Node store uses, checked as a strict project checks them: no
# skipLibCheck, so every declaration they reach must hold up, and none may need a driver's types.
cat > no-driver.ts <<'TS'
import { createInbox, WebhookError, type Inbox } from 'webhook-inbox'
import { github, slack, stripe } from 'webhook-inbox/providers'
import { d1Store, type D1Binding } from 'webhook-inbox/stores/d1'
import { idempotency, withIdempotency } from 'webhook-inbox/idempotency'
import { fixture, signedRequest } from 'webhook-inbox/testing'

declare const binding: D1Binding
const providers = { stripe: stripe({ secret: 's' }), github: github({ secret: 'g' }), slack: slack({ secret: 'l' }) }
export const inbox: Inbox<typeof providers> = createInbox({ store: d1Store(binding), providers })
// The payloads are typed by Stripe's, Octokit's and Slack's declarations: a wrong field is an error.
inbox.on('stripe', 'payment_intent.succeeded', (event) => void (event.payload.data.object.amount satisfies number))
inbox.on('github', 'issues.opened', (event) => void (event.payload.issue.number satisfies number))
inbox.on('slack', 'app_mention', (event) => void (event.payload.event.text satisfies string))
export const unused = [WebhookError, idempotency, withIdempotency, fixture, signedRequest]
TS
set +e
npx tsc --noEmit --strict --skipLibCheck false --noUncheckedIndexedAccess --module NodeNext --moduleResolution NodeNext \
  --target ES2022 --types node --verbatimModuleSyntax --listFiles no-driver.ts > no-driver.log
set -e
grep 'error TS' no-driver.log && fail 'the entries that need no driver do not typecheck strictly (above)'
grep -q '/node_modules/stripe/' no-driver.log || fail 'the strict check did not reach the providers'"'"' declarations'
grep '/node_modules/drizzle-orm/' no-driver.log && fail 'the entries that need no driver reach drizzle-orm'"'"'s declarations (above)'
echo "pack check: webhook-inbox, /providers, /stores/d1, /idempotency and /testing typecheck strictly, without drizzle's declarations"

# A Node store without its driver: one line (the first of the crash) says what to install.
for store in sqlite:better-sqlite3 postgres:pg mysql:mysql2; do
  expected="Error: webhook-inbox/stores/${store%%:*} needs ${store#*:}: npm install ${store#*:}"
  set +e
  node --input-type=module -e "import 'webhook-inbox/stores/${store%%:*}'" 2> missing.log
  code=$?
  set -e
  [ "$code" -ne 0 ] || fail "webhook-inbox/stores/${store%%:*} imported without ${store#*:}"
  [ "$(head -n 1 missing.log)" = "$expected" ] || { cat missing.log >&2; fail "the first line above is not: $expected"; }
done
echo "pack check: each Node store without its driver fails with one line naming it"

# The CLI bin, as `npx webhook-inbox` runs it, with no driver installed: it imports a store only
# for a command that opens one.
npx --no-install webhook-inbox --help | grep -q 'webhook-inbox <command>'
set +e
npx --no-install webhook-inbox send paypal x 2>/dev/null
code=$?
set -e
[ "$code" -eq 2 ] || fail "CLI exit code for a bad provider was $code, not 2"
echo "pack check: the webhook-inbox bin runs"

# The drivers, as a project using every store installs them. better-sqlite3 is copied with the
# addon `npm ci` compiled, not compiled again (after the last npm install, which would prune it).
version() { node -p "require('$repo/node_modules/$1/package.json').version"; }
npm install --no-audit --no-fund --ignore-scripts --prefer-offline \
  "pg@$(version pg)" "mysql2@$(version mysql2)" "@types/pg@$(version @types/pg)" "@types/better-sqlite3@$(version @types/better-sqlite3)" >/dev/null
for package in bindings file-uri-to-path; do cp -r "$repo/node_modules/$package" node_modules/; done
mkdir -p node_modules/better-sqlite3/build/Release
cp -r "$repo/node_modules/better-sqlite3/"{package.json,lib} node_modules/better-sqlite3/
cp "$repo/node_modules/better-sqlite3/build/Release/better_sqlite3.node" node_modules/better-sqlite3/build/Release/

cat > check.ts <<'TS'
import { createInbox, WebhookError, type InboxEvent } from 'webhook-inbox'
import { github, razorpay, slack, stripe } from 'webhook-inbox/providers'
import { sqliteStore, type SqliteStore } from 'webhook-inbox/stores/sqlite'
import { d1Store } from 'webhook-inbox/stores/d1'
import { idempotency, withIdempotency } from 'webhook-inbox/idempotency'
import { postgresStore, type PostgresStore } from 'webhook-inbox/stores/postgres'
import { mysqlStore, type MysqlStore } from 'webhook-inbox/stores/mysql'
import { serve, toNodeHandler, type NodeHandler } from 'webhook-inbox/node'
import { dashboard } from 'webhook-inbox/dashboard'
import { fixture, signedRequest } from 'webhook-inbox/testing'
import { sql } from 'drizzle-orm'

const providers = {
  stripe: stripe({ secret: 'whsec_pack' }),
  github: github({ secret: 'gh' }),
  slack: slack({ secret: 'sl' }),
  razorpay: razorpay({ secret: 'rz' }),
}
const store: SqliteStore = sqliteStore({ path: ':memory:' })
const inbox = createInbox({ store, providers })
const seen: InboxEvent[] = []
inbox.on('stripe', 'invoice.paid', (event, ctx) => {
  seen.push(event)
  // The store's transaction handle reaches the handler: a typo in a drizzle call is an error.
  return ctx.transaction((tx) => void tx.run(sql`select ${event.payload.data.object.id}`))
})
const delivery = () => signedRequest('stripe', fixture('stripe', 'invoice.paid'), { secret: 'whsec_pack' })
const first = await inbox.fetch(await delivery())
const second = await inbox.fetch(await delivery())
const statuses = [first.status, first.headers.get('webhook-inbox-status'), second.headers.get('webhook-inbox-status')]
if (JSON.stringify(statuses) !== '[200,"processed","duplicate"]' || seen.length !== 1) {
  throw new Error(`pack check failed: ${JSON.stringify(statuses)}, ${seen.length} handler runs`)
}
if (!(new WebhookError('body_too_large', 'x').status === 413)) throw new Error('WebhookError status')
const handler: NodeHandler = toNodeHandler(inbox)
if (typeof d1Store !== 'function' || typeof serve !== 'function' || typeof handler !== 'function') throw new Error('d1 and node subpaths')
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
# skipLibCheck here, unlike above: drizzle-orm's declarations, which the Node stores' transaction
# handles reach, have errors of their own even with every driver's types installed (gel's types
# missing, and drizzle's classes against TypeScript 5.9), and checking them costs half a minute.
npx tsc --strict --skipLibCheck --noUncheckedIndexedAccess --module NodeNext --moduleResolution NodeNext \
  --target ES2022 --types node --verbatimModuleSyntax --outDir out check.ts
node out/check.js

# The README's quickstart (server.ts, extracted above), as a user runs it once webhook-inbox and
# better-sqlite3 are installed: `npx tsx server.ts`, in a session of its own so the trap ends it all.
port=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })")
secret=whsec_pack_quickstart
PORT=$port STRIPE_WEBHOOK_SECRET=$secret setsid npx --no-install tsx server.ts > server.log 2>&1 &
server=$!
cat > send.js <<'JS'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { fixture, signedRequest } from 'webhook-inbox/testing'

const [port, secret, server] = process.argv.slice(2)
const url = `http://127.0.0.1:${port}/webhooks/stripe`
const lines = () => readFileSync('server.log', 'utf8').split('\n').filter((line) => line !== '')
const listening = () => new Promise((resolve) => connect(Number(port), '127.0.0.1', function () { this.end(); resolve(true) }).on('error', () => resolve(false)))
const deliver = async () => {
  // Bounded: a server that accepts and never answers fails the check instead of stalling CI.
  const response = await fetch(await signedRequest('stripe', fixture('stripe', 'payment_intent.succeeded'), { secret, url }), { signal: AbortSignal.timeout(10_000) })
  return `${response.status} ${response.headers.get('webhook-inbox-status')}`
}
const running = () => { try { return process.kill(Number(server), 0) } catch { return false } }
// Bounded: tsx compiles server.ts and the store migrates its new file before the port opens.
for (const deadline = Date.now() + 30_000; !(await listening()); await new Promise((resolve) => setTimeout(resolve, 200))) {
  if (!running() || Date.now() > deadline) {
    throw new Error(`the quickstart server ${running() ? `did not listen on ${port} within 30 s` : 'exited'}; its output:\n${lines().join('\n')}`)
  }
}
const before = lines().length
const first = await deliver()
const handled = lines().slice(before)
const second = await deliver()
const after = lines().slice(before + handled.length)
if (first !== '200 processed' || second !== '200 duplicate' || handled.length === 0 || after.length !== 0) {
  throw new Error(
    `the quickstart answered "${first}", then "${second}" (expected "200 processed", then "200 duplicate"), its handler printing ` +
      `${handled.length} line(s), then ${after.length} (expected some, then none); its output:\n${lines().join('\n')}`,
  )
}
console.log(`pack check: the README quickstart processed a signed payment_intent.succeeded once, printing: ${handled.join(' | ')}`)
JS
node send.js "$port" "$secret" "$server"
