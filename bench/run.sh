#!/bin/sh
# bench/run.sh — Carnet's own benchmark: wrk on loopback against the same
# scenarios on the same dataset, on SQLite and on PostgreSQL 15; one node and
# two nodes (behind HAProxy) on PostgreSQL; writes BENCHMARKS.md.
# Usage: bench/run.sh [SCALE]   (default 60: ≥ 100 establishments, ≥ 60 000 pupils)
#
# The dataset is made once per build of carnet (`carnet demo` into SQLite,
# build/bench/departement-SCALE.db); bench/mix.py activates the accounts of
# the people of the "17:15 peak" mix; bench/sqlite2pg.sh then copies it row
# for row into the PostgreSQL cluster kept under build/bench/pg (bench/pg.sh),
# so both stores hold the very same rows and ids. What the scenarios write
# (answers, marks, a message to a class's parents) is deleted after each run.
# Environment: BENCH_DURATION (s per run, 15), BENCH_CONNECTIONS (64),
# BENCH_SERVER_THREADS (2), BENCH_REPEAT (3), BENCH_SENDS (60),
# BENCH_STORES ("sqlite postgresql"), BENCH_NODES (1: skip the two-node runs).
set -eu
cd "$(dirname "$0")/.."
SCALE=${1:-60}
DURATION=${BENCH_DURATION:-15}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_SERVER_THREADS:-2}
REPEAT=${BENCH_REPEAT:-3}
STORES=${BENCH_STORES:-sqlite postgresql}
OUT=build/bench
mkdir -p "$OUT"
DB="$OUT/departement-$SCALE.db"
USERS="$OUT/mix-users-$SCALE.json"
LOADED="$OUT/pg-loaded-$SCALE"
NOW=2026-03-10T10:00
T0=$(TZ=${CARNET_TZ:-Europe/Paris} date -d "$(echo "$NOW" | tr T ' ')" +%s)

if [ ! -f "$DB" ] || [ build/carnet -nt "$DB" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm" "$USERS" "$LOADED"
  echo "Generating the département dataset (scale $SCALE)…"
  start=$(date +%s)
  build/carnet demo --db "$DB" --scale "$SCALE" --now "$NOW" | tee "$OUT/dataset-$SCALE.txt"
  echo "generated in $(( $(date +%s) - start )) s" >> "$OUT/dataset-$SCALE.txt"
fi
# The demo activates only its fixed accounts: those of the mix's people too.
if [ ! -f "$USERS" ]; then
  bench/mix.py activate "$DB" "$USERS" 320 64 48 >/dev/null
  rm -f "$LOADED"
fi
# The same rows in PostgreSQL, database carnet_SCALE of the kept cluster
# (loaded with fsync off, then the cluster is restarted durable).
PGURL=$(bench/pg.sh start)
PGURL=${PGURL%/*}/carnet_$SCALE
PGADMIN=${PGURL%/*}/postgres
if [ ! -f "$LOADED" ] || [ "$USERS" -nt "$LOADED" ] || ! psql -X -q "$PGURL" -c "SELECT 1 FROM account LIMIT 1" >/dev/null 2>&1; then
  bench/pg.sh stop
  echo "Copying the dataset into PostgreSQL…"
  start=$(date +%s)
  url=$(bench/pg.sh start fast)
  bench/sqlite2pg.sh "$DB" "${url%/*}/carnet_$SCALE"
  bench/pg.sh stop
  echo "$(( $(date +%s) - start ))" > "$LOADED"
  PGURL=$(bench/pg.sh start)
  PGURL=${PGURL%/*}/carnet_$SCALE
  PGADMIN=${PGURL%/*}/postgres
fi
# A freshly generated dataset is hundreds of MB of dirty pages: let the
# kernel write them back now rather than during the measurements.
sync
PGOPTIONS="-c client_min_messages=warning" psql -X -q "$PGADMIN" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
PGPID=$(head -1 "${BENCH_PG_DIR:-build/bench/pg}/data/postmaster.pid")
DATASET=$(head -1 "$OUT/dataset-$SCALE.txt" | sed "s/^.*: //")
DBSIZE=$(du -m "$DB" | cut -f1)
PGSIZE=$(psql -X -At "$PGURL" -c "SELECT pg_database_size(current_database()) / 1048576")

PIDS=""
HAPROXY=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  [ -z "$HAPROXY" ] || kill "$HAPROXY" 2>/dev/null || true
  bench/pg.sh stop || true
}
trap cleanup EXIT INT TERM

# A server on a store ("sqlite" or "postgresql"): sets SPID, BASE.
serve() { # store, port file
  if [ "$1" = sqlite ]; then arg=$DB; else arg=$PGURL; fi
  rm -f "$2"
  # --test-hooks: the messaging benchmark moves the clock between sends.
  build/carnet serve --db "$arg" --port 0 --port-file "$2" --threads "$THREADS" --now "$NOW" --quiet --test-hooks &
  SPID=$!
  PIDS="$PIDS $SPID"
  for _ in $(seq 100); do [ -s "$2" ] && break; sleep 0.1; done
  [ -s "$2" ] || { echo "bench: the server on $1 did not start" >&2; exit 1; }
  BASE="http://127.0.0.1:$(cat "$2")"
}
stop() { # pid
  kill "$1"
  wait "$1" 2>/dev/null || true
}
# SQL on the store being measured (the statements below run on both).
q() {
  if [ "$STORE" = sqlite ]; then sqlite3 -cmd '.timeout 10000' "$DB" "$@"
  else psql -X -q -At -v ON_ERROR_STOP=1 "$PGURL" -c "$@"; fi
}
# What the scenarios write is put back: every row made after mark().
MARK=""
mark() {
  MARK=$(q "SELECT (SELECT coalesce(max(id), 0) FROM message) || ' ' || (SELECT coalesce(max(id), 0) FROM thread) || ' ' ||
    (SELECT coalesce(max(id), 0) FROM notification) || ' ' || (SELECT coalesce(max(id), 0) FROM mail_outbox) || ' ' ||
    (SELECT coalesce(max(id), 0) FROM audit) || ' ' || (SELECT coalesce(max(id), 0) FROM message_alert)")
}
undo() {
  # shellcheck disable=SC2086
  set -- $MARK
  q "DELETE FROM notification WHERE id > $3; UPDATE notification SET mail_id = NULL WHERE mail_id > $4;
     DELETE FROM mail_outbox WHERE id > $4; DELETE FROM message_report WHERE message_id > $1;
     DELETE FROM message_hold WHERE thread_id > $2; DELETE FROM thread_participant WHERE thread_id > $2;
     DELETE FROM message WHERE id > $1; DELETE FROM thread WHERE id > $2; DELETE FROM audit WHERE id > $5;
     DELETE FROM message_alert WHERE id > $6" >/dev/null
}
# CPU time (clock ticks) of the server and of PostgreSQL's processes.
ticks() { for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done | awk '{s += $1} END {print s + 0}'; }
pg_ticks() { ticks "$PGPID" $(pgrep -P "$PGPID"); }
HZ=$(getconf CLK_TCK)

signin() { # login: the session cookie
  c=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"carnet-demo\"}" "$BASE/api/v1/session" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(carnet_session=[^;]*\).*/\1/p')
  [ -n "$c" ] || { echo "bench: cannot sign in as $1" >&2; exit 1; }
  echo "$c"
}

# Two /metrics texts in a row: the answers other than 2xx/3xx counted
# between them, by route and status ("" when none).
bad_answers() {
  awk '/^carnet_http_requests_total/ && /status="[45]/ {
    k = substr($0, 28, length($0) - length($NF) - 29); if (seen[k]++) d[k] = $NF - d[k]; else d[k] = $NF} END {
    for (k in d) if (d[k] > 0) printf "%s: %d; ", k, d[k]}'
}

# The store a scenario runs on: its server, sessions and results directory.
use() { # store
  STORE=$1 RES="$OUT/$1"
  eval "SPID=\$SPID_$1 BASE=\$BASE_$1 COOKIE=\$COOKIE_$1 TCOOKIE=\$TCOOKIE_$1 CHILD=\$CHILD_$1"
  SPIDS=${NODES:-$SPID}
}

# One scenario (the function fn runs wrk on the store in use, writing to
# the file it is given), run REPEAT times on each store, the stores in turn
# run after run, so that the load of the shared machine weighs on both
# alike; per store the run with the median throughput is kept. Writes
# "rps|p50|p99|errors|all runs|server CPU ms per request|PostgreSQL CPU ms per request"
# to $RES/name. After each run, what it wrote is deleted (undo).
wrk_run() { # name, fn[, stores]
  name=$1 fn=$2
  for i in $(seq "$REPEAT"); do
    for st in ${3:-$STORES}; do
      use "$st"
      mark
      curl -s "$BASE/metrics" > "$RES/$name.$i.m0"
      c0=$(ticks $SPIDS) g0=$(pg_ticks)
      "$fn" "$RES/$name.$i.txt"
      c1=$(ticks $SPIDS) g1=$(pg_ticks)
      curl -s "$BASE/metrics" > "$RES/$name.$i.m1"
      n=$(awk '/requests in/ {print $1}' "$RES/$name.$i.txt")
      awk -v a="$c0" -v b="$c1" -v c="$g0" -v d="$g1" -v n="$n" -v hz="$HZ" -v pg="$STORE" \
        'BEGIN {printf "%.3f|%s\n", (b - a) * 1000 / hz / n, pg == "sqlite" ? "–" : sprintf("%.3f", (d - c) * 1000 / hz / n)}' > "$RES/$name.$i.cpu"
      undo
    done
  done
  for st in ${3:-$STORES}; do
    use "$st"
    all=$(for i in $(seq "$REPEAT"); do awk '/^Requests\/sec/ {print $2}' "$RES/$name.$i.txt"; done | sort -n | tr '\n' ' ')
    median=$(echo "$all" | awk '{print $(int((NF + 1) / 2))}')
    for i in $(seq "$REPEAT"); do
      if [ "$(awk '/^Requests\/sec/ {print $2}' "$RES/$name.$i.txt")" = "$median" ]; then
        cp "$RES/$name.$i.txt" "$RES/$name.txt"; cp "$RES/$name.$i.cpu" "$RES/$name.cpu"
        # Answers other than 2xx/3xx, by route, from the server's /metrics.
        cat "$RES/$name.$i.m0" "$RES/$name.$i.m1" | bad_answers > "$RES/$name.bad"
      fi
    done
    rps=$(awk '/^Requests\/sec/ {print $2}' "$RES/$name.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$RES/$name.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$RES/$name.txt")
    errs=$(awk '/Non-2xx|Socket errors/ {print}' "$RES/$name.txt" | tr '\n' ' ')
    bad=$(cat "$RES/$name.bad")
    echo "$rps|$p50|$p99|${errs:-none}${bad:+ ($bad)}|$all|$(cat "$RES/$name.cpu")" > "$RES/$name"
  done
}
# The scenarios: wrk on the store in use, into file $1.
W() { wrk -t1 -d"${DURATION}s" --latency "$@"; }
sc_portal() { W -c"$CONNS" -H "Cookie: $COOKIE" "$BASE/" > "$1"; }
sc_me() { W -c"$CONNS" -H "Cookie: $COOKIE" "$BASE/api/v1/me" > "$1"; }
sc_dashboard() { W -c"$CONNS" -H "Cookie: $COOKIE" "$BASE/api/v1/dashboard" > "$1"; }
sc_week() { W -c"$CONNS" -H "Cookie: $COOKIE" "$BASE/emploi-du-temps/eleves/$CHILD" > "$1"; }
sc_inbox_p() { W -c"$CONNS" -H "Cookie: $COOKIE" "$BASE/messagerie" > "$1"; }
sc_inbox_t() { W -c"$CONNS" -H "Cookie: $TCOOKIE" "$BASE/messagerie" > "$1"; }
sc_threads_p() { W -c"$CONNS" -H "Cookie: $COOKIE" "$BASE/api/v1/threads" > "$1"; }
sc_threads_t() { W -c"$CONNS" -H "Cookie: $TCOOKIE" "$BASE/api/v1/threads" > "$1"; }
sc_marks1() { W -c1 -s "$RES/marks.lua" "$BASE/notes/evaluations/$ASSESSMENT" > "$1"; }
sc_marks8() { W -c8 -s "$RES/marks.lua" "$BASE/notes/evaluations/$ASSESSMENT" > "$1"; }
sc_mix() { W -c"$CONNS" -s "$RES/mix.lua" "$BASE/" > "$1"; }
sc_mix1() { W -c"$CONNS" -s "$RES/mix-one.lua" "http://127.0.0.1:$F1/" > "$1"; }
sc_mix2() { W -c"$CONNS" -s "$RES/mix-two.lua" "http://127.0.0.1:$F2/" > "$1"; }

# A store's server, its sessions (the demo parent: two children, école +
# collège; the demo teacher) and the mark-entry script.
setup_store() {
  STORE=$1 RES="$OUT/$1"
  rm -rf "$RES"
  mkdir -p "$RES"
  serve "$STORE" "$RES/port"
  COOKIE=$(signin parent.demo)
  curl -s -H "Cookie: $COOKIE" "$BASE/" | wc -c > "$RES/bytes"
  curl -s -H "Cookie: $COOKIE" "$BASE/" | grep -q 'Lucie Moreau' || { echo "bench: portal does not show the children" >&2; exit 1; }
  CHILD=$(curl -s -H "Cookie: $COOKIE" "$BASE/api/v1/me" | sed 's/.*"children":\[{"id":\([0-9]*\).*/\1/')
  echo "$CHILD" > "$RES/child"
  TCOOKIE=$(signin prof.demo)
  curl -s -H "Cookie: $TCOOKIE" "$BASE/messagerie" | grep -q 'href="/messagerie/fils/' || { echo "bench: no inbox" >&2; exit 1; }
  eval "SPID_$1=\$SPID BASE_$1=\$BASE COOKIE_$1=\$COOKIE TCOOKIE_$1=\$TCOOKIE CHILD_$1=\$CHILD"
  # A teacher saves a whole class's marks in one request (S-GRADES): the form
  # of /notes/evaluations/ID with one field per pupil, two sets of marks in
  # turn so that every request really rewrites them.
  TCSRF=$(curl -s -H "Cookie: $TCOOKIE" "$BASE/api/v1/me" | sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
  body() { # offset
    b="csrf=$TCSRF&publier=1"; i=$1
    for p in $PUPILS; do i=$((i + 7)); b="$b&note_$p=$((i % 21)),5"; done
    echo "$b"
  }
  cat > "$RES/marks.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$TCOOKIE"
local bodies = { "$(body 0)", "$(body 3)" }
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, bodies[n % 2 + 1])
end
LUA
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $TCOOKIE" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data "$(body 0)" "$BASE/notes/evaluations/$ASSESSMENT")" = 303 ] || { echo "bench: cannot save marks" >&2; exit 1; }
  wrk -t1 -c"$CONNS" -d3s -H "Cookie: $COOKIE" "$BASE/" >/dev/null   # warm-up
  wrk -t1 -c"$CONNS" -d3s -H "Cookie: $COOKIE" "$BASE/api/v1/dashboard" >/dev/null
}

# One message to the parents of a class (a list: one private thread per
# parent), sent SENDS times in a row by prof.demo to his classes in turn, as
# the API does it (JSON, X-CSRF-Token). Staff may send 200 messages an hour
# and an unusual number of recipients in 15 minutes is held for the head:
# the server's clock moves 20 minutes before each send (test hook), and the
# teacher signs in again every 24 sends (sessions last 12 h at most). The
# latency is curl's total time on loopback. On the store in use.
sends() {
  mark
  : > "$RES/send.txt"
  for i in $(seq "$SENDS"); do
    at=$(TZ=${CARNET_TZ:-Europe/Paris} date -d "@$((T0 + 3600 + i * 1200))" +%Y-%m-%dT%H:%M)
    curl -s -o /dev/null -H 'Content-Type: application/json' -d "{\"now\":\"$at\"}" "$BASE/__test/clock"
    if [ $(( (i - 1) % 24 )) -eq 0 ]; then
      SCOOKIE=$(signin prof.demo)
      SCSRF=$(curl -s -H "Cookie: $SCOOKIE" "$BASE/api/v1/me" | sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
    fi
    cls=$(echo "$CLASSES" | sed -n "$(( (i - 1) % NCLASSES + 1 ))p")
    res=$(curl -s -o "$RES/send.json" -w '%{http_code} %{time_total}' -H "Cookie: $SCOOKIE" -H "X-CSRF-Token: $SCSRF" \
      -H 'Content-Type: application/json' -d "{\"lp_$cls\": true, \"subject\": \"Information $i\",
      \"body\": \"Madame, Monsieur,\\n\\nLe cours de demain aura lieu en salle 204.\\n\\nN. Lefèvre\"}" "$BASE/api/v1/threads")
    echo "$res $(cat "$RES/send.json")" >> "$RES/send.txt"
  done
  undo
  # Back to the dataset's clock.
  curl -s -o /dev/null -H 'Content-Type: application/json' -d "{\"now\":\"$NOW\"}" "$BASE/__test/clock"
}

# Two nodes on the same database, behind HAProxy: frontend "one" sends
# everything to the first node, "two" alternates between both; the sessions
# of the mix (in the database) work on either node.
two_nodes() {
  use postgresql
  A_PID=$SPID A_BASE=$BASE
  serve postgresql "$RES/port-b"
  B_PID=$SPID B_BASE=$BASE
  SPID=$A_PID BASE=$A_BASE
  F1=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  F2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$RES/haproxy.cfg" <<EOF
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend one
    bind 127.0.0.1:$F1
    default_backend one
frontend two
    bind 127.0.0.1:$F2
    default_backend two
backend one
    server a ${A_BASE#http://}
backend two
    balance roundrobin
    server a ${A_BASE#http://}
    server b ${B_BASE#http://}
EOF
  haproxy -f "$RES/haproxy.cfg" -db > "$RES/haproxy.log" 2>&1 &
  HAPROXY=$!
  sleep 1
  kill -0 "$HAPROXY" || { echo "bench: haproxy did not start: $(cat "$RES/haproxy.log")" >&2; exit 1; }
  # The mix's requests with the Origin of the frontend (the sessions stay).
  sed "s|\"$A_BASE\"|\"http://127.0.0.1:$F1\"|g" "$RES/mix.lua" > "$RES/mix-one.lua"
  sed "s|\"$A_BASE\"|\"http://127.0.0.1:$F2\"|g" "$RES/mix.lua" > "$RES/mix-two.lua"
  NODES="$A_PID $B_PID"
  curl -s "$A_BASE/metrics" > "$RES/nodes.m0a"; curl -s "$B_BASE/metrics" > "$RES/nodes.m0b"
  wrk_run mix-haproxy-1 sc_mix1 postgresql
  curl -s "$A_BASE/metrics" > "$RES/nodes.m1a"; curl -s "$B_BASE/metrics" > "$RES/nodes.m1b"
  wrk_run mix-haproxy-2 sc_mix2 postgresql
  curl -s "$A_BASE/metrics" > "$RES/nodes.m2a"; curl -s "$B_BASE/metrics" > "$RES/nodes.m2b"
  NODES=""
  # Requests per node during the two-node runs; errors of the second node.
  for f in m0a m1a m2a m0b m1b m2b; do
    awk '/^carnet_http_requests_total/ {s += $2} END {print s + 0}' "$RES/nodes.$f" > "$RES/nodes.$f.n"
  done
  echo "$(( $(cat "$RES/nodes.m2a.n") - $(cat "$RES/nodes.m1a.n") )) $(( $(cat "$RES/nodes.m2b.n") - $(cat "$RES/nodes.m1b.n") ))" > "$RES/nodes-split"
  cat "$RES/nodes.m1b" "$RES/nodes.m2b" | bad_answers > "$RES/nodes-b-bad"
  kill "$HAPROXY"; wait "$HAPROXY" 2>/dev/null || true
  HAPROXY=""
  awk '/VmHWM/ {print $2}' "/proc/$B_PID/status" > "$RES/rss-b"
  stop "$B_PID"
}

# What the scenarios use, chosen in the SQLite file (same ids in PostgreSQL).
lite() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }
ASSESSMENT=$(lite "SELECT a.id FROM assessment a JOIN teaching t ON t.id = a.teaching_id JOIN account ac ON ac.person_id = t.teacher_id
  WHERE ac.login = 'prof.demo' AND a.scale = 20 ORDER BY (SELECT count(*) FROM enrolment en WHERE en.class_id = t.class_id) DESC, a.on_date DESC LIMIT 1")
PUPILS=$(lite "SELECT en.pupil_id FROM enrolment en JOIN teaching t ON t.class_id = en.class_id JOIN assessment a ON a.teaching_id = t.id WHERE a.id = $ASSESSMENT")
NMARKS=$(echo "$PUPILS" | wc -l)
SENDS=${BENCH_SENDS:-60}
CLASSES=$(lite "SELECT DISTINCT t.class_id FROM teaching t JOIN account a ON a.person_id = t.teacher_id
  WHERE a.login = 'prof.demo' AND t.class_id IS NOT NULL ORDER BY t.class_id")
NCLASSES=$(echo "$CLASSES" | wc -l)
inbox() { # login: "threads (unread)" of the person's inbox
  lite "SELECT count(*) || ' (' || sum(EXISTS (SELECT 1 FROM message m WHERE m.thread_id = tp.thread_id
    AND m.id > tp.last_read_message_id AND m.author_id <> tp.person_id)) || ' unread)' FROM thread_participant tp
    JOIN account a ON a.person_id = tp.person_id WHERE a.login = '$1' AND tp.folder = 'inbox'"
}
INBOX_PARENT=$(inbox parent.demo)
INBOX_TEACHER=$(inbox prof.demo)

PGOPTIONS="-c client_min_messages=warning" psql -X -q "$PGADMIN" -c "SELECT pg_stat_statements_reset()" >/dev/null
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for s in $STORES; do setup_store "$s"; done
echo "Measuring on: $STORES (in turn, run after run)…"
wrk_run parent-portal sc_portal
wrk_run api-me sc_me
wrk_run api-dashboard sc_dashboard
wrk_run child-week sc_week
# Messaging (S-MESSAGES): the inbox of the parent and of the teacher (the
# page and the JSON), before anything is sent.
wrk_run parent-inbox sc_inbox_p
wrk_run teacher-inbox sc_inbox_t
wrk_run api-threads-parent sc_threads_p
wrk_run api-threads-teacher sc_threads_t
# Whole-class mark entry. One connection: the time a teacher waits; then 8
# teachers at once.
wrk_run mark-entry sc_marks1
wrk_run mark-entry-8 sc_marks8
for s in $STORES; do
  use "$s"
  q "SELECT count(*) FROM mark WHERE assessment_id = $ASSESSMENT" > "$RES/saved"
  sends
done
# The 17:15 peak (bench/mix.py): 80 % reads, 20 % writes by many people.
for s in $STORES; do
  use "$s"
  bench/mix.py prepare "$BASE" "$USERS" "$RES/mix.lua" > "$RES/mix-people"
done
wrk_run mix sc_mix
for s in $STORES; do
  use "$s"
  awk '/VmHWM/ {print $2}' "/proc/$SPID/status" > "$RES/rss"
done
case " $STORES " in *" postgresql "*) [ "${BENCH_NODES:-2}" = 1 ] || two_nodes ;; esac
for s in $STORES; do
  use "$s"
  stop "$SPID"
done
# What cost most in PostgreSQL over the whole run (for BENCHMARKS.md).
psql -X -q "$PGADMIN" -c "\\copy (SELECT calls, round(total_exec_time::numeric / calls, 3), rows / calls,
  left(regexp_replace(query, '\\s+', ' ', 'g'), 160) FROM pg_stat_statements
  WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'carnet_$SCALE') ORDER BY total_exec_time DESC LIMIT 12) TO '$OUT/pg-top.txt'"
psql -X -At "$PGADMIN" -c "SELECT sum(calls), round(sum(total_exec_time)::numeric / 1000, 1) FROM pg_stat_statements
  WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'carnet_$SCALE')" > "$OUT/pg-total.txt"
bench/pg.sh stop
trap - EXIT INT TERM
cat > "$OUT/facts" <<EOF
SCALE='$SCALE' DURATION='$DURATION' CONNS='$CONNS' THREADS='$THREADS' REPEAT='$REPEAT' STORES='$STORES'
DATASET='$DATASET' DBSIZE='$DBSIZE' PGSIZE='$PGSIZE' LOADTIME='$(cat "$LOADED")'
ASSESSMENT='$ASSESSMENT' NMARKS='$NMARKS' SENDS='$SENDS' NCLASSES='$NCLASSES'
INBOX_PARENT='$INBOX_PARENT' INBOX_TEACHER='$INBOX_TEACHER'
LOAD0='$LOAD0' LOAD1='$(cut -d' ' -f1-3 /proc/loadavg)'
EOF

bench/report.sh "$SCALE" > BENCHMARKS.md
# Releasing held items at 07:00 with their notification e-mails (issue 5).
bench/release.sh "$SCALE" > "$OUT/release.md"
{ echo; cat "$OUT/release.md"; } >> BENCHMARKS.md
cat BENCHMARKS.md
