#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1, for the tests, the bench and by hand.
#   .ci/postgres.sh start DIR   initdb (first time) and start; prints its postgres:// URL
#   .ci/postgres.sh stop DIR    pg_ctl stop -m fast (the data stays for another start)
#   .ci/postgres.sh run CMD…    a cluster in a temp dir for the length of CMD, its URL in
#                               WEBHOOK_INBOX_TEST_PG_URL and its server log's path in
#                               WEBHOOK_INBOX_TEST_PG_LOG; stopped and removed after, also on failure
# Installs PostgreSQL with apt-get when no pg_ctl is found. initdb refuses to run as
# root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail

pg_bin() {
  local found
  found=$(command -v pg_ctl 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ]; then
    echo "postgres.sh: PostgreSQL not found, installing it with apt-get" >&2
    apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    found=$(ls -d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)
  fi
  dirname "$found"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

start() {
  local dir=$1 bin
  bin=$(pg_bin)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    free_port >"$dir/port"
  fi
  local port
  port=$(cat "$dir/port")
  # The socket goes in DIR, not /var/run/postgresql, which only the packaged cluster may own.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" start >&2 ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "postgres://postgres@127.0.0.1:$port/postgres"
}

stop() {
  local dir=$1 bin
  bin=$(pg_bin)
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
}

case "${1:-}" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  run)
    shift
    dir=$(mktemp -d "${TMPDIR:-/tmp}/webhook-inbox-pg-XXXXXX")
    trap 'stop "$dir"; rm -rf "$dir"' EXIT
    WEBHOOK_INBOX_TEST_PG_URL=$(start "$dir")
    # The tests read the log (no ERROR line for a duplicate); the server writes it as its own user.
    chmod a+r "$dir/server.log"
    WEBHOOK_INBOX_TEST_PG_LOG=$dir/server.log
    export WEBHOOK_INBOX_TEST_PG_URL WEBHOOK_INBOX_TEST_PG_LOG
    echo "postgres.sh: $WEBHOOK_INBOX_TEST_PG_URL" >&2
    "$@"
    ;;
  *)
    echo "usage: .ci/postgres.sh start DIR | stop DIR | run CMD…" >&2
    exit 2
    ;;
esac
