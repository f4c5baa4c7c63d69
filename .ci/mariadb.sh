#!/usr/bin/env bash
# A throwaway MariaDB server on 127.0.0.1, for the tests, the bench and by hand.
#   .ci/mariadb.sh start DIR   install the datadir (first time) and start; prints its mysql:// URL
#   .ci/mariadb.sh stop DIR    shut it down (the data stays for another start)
#   .ci/mariadb.sh run CMD…    a server in a temp dir for the length of CMD, its URL in
#                              WEBHOOK_INBOX_TEST_MYSQL_URL; stopped and removed after, also on failure
# Installs MariaDB with apt-get when no mariadbd is found; never uses the system service.
# As root the datadir belongs to the `mysql` user, as mariadbd refuses to run as root.
set -euo pipefail

maria_bin() {
  if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    echo "mariadb.sh: MariaDB not found, installing it with apt-get" >&2
    # policy-rc.d keeps the package from starting the system service it installs.
    apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server >&2
  fi
  command -v mariadbd 2>/dev/null || echo /usr/sbin/mariadbd
}

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u mysql -- "$@"; else "$@"; fi
}

start() {
  local dir=$1 server port
  server=$(maria_bin)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown mysql "$dir"
  if [ ! -d "$dir/data/mysql" ]; then
    as_owner mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
      --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
    free_port >"$dir/port"
  fi
  port=$(cat "$dir/port")
  # --no-defaults: nothing from /etc/mysql; the socket and pid file live in DIR.
  as_owner "$server" --no-defaults --datadir="$dir/data" --bind-address=127.0.0.1 --port="$port" \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/server.log" \
    --max-connections=300 --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 \
    --skip-name-resolve >/dev/null 2>&1 &
  for _ in $(seq 1 120); do
    if mariadb --no-defaults --protocol=socket --socket="$dir/mysqld.sock" -uroot -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  # A user with a password, as production has, so the tests see credentials in the URL.
  mariadb --no-defaults --protocol=socket --socket="$dir/mysqld.sock" -uroot -e "
    CREATE DATABASE IF NOT EXISTS inbox;
    CREATE USER IF NOT EXISTS 'inbox'@'127.0.0.1' IDENTIFIED BY 'inbox-pass';
    GRANT ALL PRIVILEGES ON *.* TO 'inbox'@'127.0.0.1';" >&2 ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "mysql://inbox:inbox-pass@127.0.0.1:$port/inbox"
}

stop() {
  local dir=$1
  [ -S "$dir/mysqld.sock" ] || return 0
  mariadb-admin --no-defaults --protocol=socket --socket="$dir/mysqld.sock" -uroot shutdown >&2 || true
}

case "${1:-}" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  run)
    shift
    dir=$(mktemp -d "${TMPDIR:-/tmp}/webhook-inbox-mysql-XXXXXX")
    trap 'stop "$dir"; rm -rf "$dir"' EXIT
    WEBHOOK_INBOX_TEST_MYSQL_URL=$(start "$dir")
    export WEBHOOK_INBOX_TEST_MYSQL_URL
    echo "mariadb.sh: $WEBHOOK_INBOX_TEST_MYSQL_URL" >&2
    "$@"
    ;;
  *)
    echo "usage: .ci/mariadb.sh start DIR | stop DIR | run CMD…" >&2
    exit 2
    ;;
esac
