#!/bin/sh
# bench/pg.sh — the PostgreSQL 15 cluster of the benchmarks, kept under
# build/bench/pg so that the département dataset is loaded once, not at
# every run (tests/lib/pg.sh makes throw-away clusters for the tests).
#   bench/pg.sh start [fast]  initdb if needed, start on a free loopback port,
#                             print the URL of the database "carnet"
#                             (postgresql://carnet@127.0.0.1:PORT/carnet);
#                             "fast": fsync off, for loading the dataset only
#   bench/pg.sh stop          stop it (the data stays)
#   bench/pg.sh destroy       stop it and remove it
# Unlike the tests' clusters, it is durable like Carnet's SQLite
# (fsync on, synchronous_commit on, full_page_writes on), with
# shared_buffers 1 GB and pg_stat_statements loaded (psql "$URL" -c
# "SELECT … FROM pg_stat_statements" after a run shows what costs). Run as
# root, the server runs as $CARNET_PG_USER (default nobody).
set -eu
cd "$(dirname "$0")/.."
BIN=${CARNET_PG_BIN:-/usr/lib/postgresql/15/bin}
USER_=${CARNET_PG_USER:-nobody}
DIR=${BENCH_PG_DIR:-$PWD/build/bench/pg}

as_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$USER_" -- "$@"; else "$@"; fi
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
running() { [ -f "$DIR/data/postmaster.pid" ] && as_user "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

case "${1:-}" in
start)
  [ -x "$BIN/initdb" ] || { echo "bench/pg.sh: PostgreSQL 15 is missing ($BIN): tools/install-deps.sh bench" >&2; exit 1; }
  if running; then
    echo "postgresql://carnet@127.0.0.1:$(cat "$DIR/port")/carnet"
    exit 0
  fi
  if [ ! -f "$DIR/data/PG_VERSION" ]; then
    rm -rf "$DIR"
    mkdir -p "$DIR"
    [ "$(id -u)" -eq 0 ] && chown "$USER_" "$DIR"
    chmod 700 "$DIR"
    as_user "$BIN/initdb" -D "$DIR/data" -U carnet --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
    cat >> "$DIR/data/postgresql.conf" <<EOF
# bench/pg.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
max_connections = 200
shared_buffers = 1GB
effective_cache_size = 4GB
maintenance_work_mem = 256MB
max_wal_size = 4GB
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
track_io_timing = on
EOF
  fi
  opts=""
  [ "${2:-}" = fast ] && opts="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off"
  tries=0
  while :; do
    port=$(free_port)
    if as_user "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 -o "-c port=$port $opts" start >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    [ $tries -lt 5 ] || { tail -20 "$DIR/server.log" >&2; exit 1; }
  done
  echo "$port" > "$DIR/port"
  as_user "$BIN/psql" -h 127.0.0.1 -p "$port" -U carnet -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'carnet'" | grep -q 1 \
    || as_user "$BIN/createdb" -h 127.0.0.1 -p "$port" -U carnet carnet
  echo "postgresql://carnet@127.0.0.1:$port/carnet"
  ;;
stop)
  if running; then
    as_user "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 120 stop >/dev/null
  fi
  ;;
destroy)
  if running; then
    as_user "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
  ;;
*) echo "usage: $0 start [fast]|stop|destroy" >&2; exit 2 ;;
esac
