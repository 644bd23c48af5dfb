#!/bin/sh
# pg.sh — a throw-away PostgreSQL 15 cluster for the tests.
#   tests/lib/pg.sh start DIR   create DIR, initdb in it as an unprivileged
#                               user, start on a free loopback port, create the
#                               database carnet and print its URL
#                               (postgresql://carnet@127.0.0.1:PORT/carnet)
#   tests/lib/pg.sh stop DIR    stop the cluster and remove DIR
# Tests only: trust authentication on 127.0.0.1, fsync off. Run as root, the
# server runs as $CARNET_PG_USER (default nobody): initdb refuses root.
set -eu
BIN=${CARNET_PG_BIN:-/usr/lib/postgresql/15/bin}
USER_=${CARNET_PG_USER:-nobody}
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

as_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$USER_" -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
start)
  [ -x "$BIN/initdb" ] || { echo "pg.sh: PostgreSQL 15 is missing ($BIN): tools/install-deps.sh check" >&2; exit 1; }
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown "$USER_" "$dir"
  chmod 700 "$dir"
  as_user "$BIN/initdb" -D "$dir/data" -U carnet --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  tries=0
  while :; do
    port=$(free_port)
    if as_user "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
         -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
         start >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    [ $tries -lt 5 ] || { cat "$dir/server.log" >&2; exit 1; }
  done
  echo "$port" > "$dir/port"
  as_user "$BIN/createdb" -h 127.0.0.1 -p "$port" -U carnet carnet
  echo "postgresql://carnet@127.0.0.1:$port/carnet"
  ;;
stop)
  if [ -d "$dir/data" ]; then
    as_user "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
