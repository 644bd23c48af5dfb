#!/bin/sh
# bench/run.sh — Carnet's own benchmark: wrk on loopback against an
# authenticated page, on the fixed département dataset; writes BENCHMARKS.md.
# Usage: bench/run.sh [SCALE]   (default 60: ≥ 100 establishments, ≥ 60 000 pupils)
set -eu
cd "$(dirname "$0")/.."
SCALE=${1:-60}
DURATION=${BENCH_DURATION:-15}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_SERVER_THREADS:-2}
OUT=build/bench
mkdir -p "$OUT"
DB="$OUT/departement-$SCALE.db"
NOW=2026-03-10T10:00

if [ ! -f "$DB" ] || [ build/carnet -nt "$DB" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "Generating the département dataset (scale $SCALE)…"
  start=$(date +%s)
  build/carnet demo --db "$DB" --scale "$SCALE" --now "$NOW" | tee "$OUT/dataset.txt"
  echo "generated in $(( $(date +%s) - start )) s" >> "$OUT/dataset.txt"
fi
# A freshly generated dataset is hundreds of MB of dirty pages: let the
# kernel write them back now rather than during the measurements.
sync
DATASET=$(head -1 "$OUT/dataset.txt" | sed "s/^.*: //")
DBSIZE=$(du -m "$DB" | cut -f1)

PORTFILE="$OUT/port"
rm -f "$PORTFILE"
# --test-hooks: the messaging benchmark moves the clock between sends.
build/carnet serve --db "$DB" --port 0 --port-file "$PORTFILE" --threads "$THREADS" --now "$NOW" --quiet --test-hooks &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 100); do [ -s "$PORTFILE" ] && break; sleep 0.1; done
PORT=$(cat "$PORTFILE")
BASE="http://127.0.0.1:$PORT"

# Sign in through the API: the session cookie of login.
signin() { # login
  c=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"carnet-demo\"}" "$BASE/api/v1/session" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(carnet_session=[^;]*\).*/\1/p')
  [ -n "$c" ] || { echo "bench: cannot sign in as $1" >&2; exit 1; }
  echo "$c"
}
# The demo parent (two children, école + collège).
COOKIE=$(signin parent.demo)
BYTES=$(curl -s -H "Cookie: $COOKIE" "$BASE/" | wc -c)
curl -s -H "Cookie: $COOKIE" "$BASE/" | grep -q 'Lucie Moreau' || { echo "bench: portal does not show the children" >&2; exit 1; }

# One scenario, run REPEAT times; the run with the median throughput is
# reported (loopback on a shared 2-core VM varies from run to run).
REPEAT=${BENCH_REPEAT:-3}
run() { # name, path[, cookie: the parent's by default]
  for i in $(seq "$REPEAT"); do
    wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -H "Cookie: ${3:-$COOKIE}" "$BASE$2" > "$OUT/$1.$i.txt"
  done
  all=$(for i in $(seq "$REPEAT"); do awk '/^Requests\/sec/ {print $2}' "$OUT/$1.$i.txt"; done | sort -n | tr '\n' ' ')
  median=$(echo "$all" | awk '{print $(int((NF + 1) / 2))}')
  for i in $(seq "$REPEAT"); do
    [ "$(awk '/^Requests\/sec/ {print $2}' "$OUT/$1.$i.txt")" = "$median" ] && cp "$OUT/$1.$i.txt" "$OUT/$1.txt"
  done
  rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/$1.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$OUT/$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/$1.txt")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$OUT/$1.txt" | tr '\n' ' ')
  echo "| $1 | \`$2\` | $rps | $p50 | $p99 | ${errs:-none} | $all|"
}

CHILD=$(curl -s -H "Cookie: $COOKIE" "$BASE/api/v1/me" | sed 's/.*"children":\[{"id":\([0-9]*\).*/\1/')
wrk -t1 -c"$CONNS" -d3s -H "Cookie: $COOKIE" "$BASE/" >/dev/null   # warm-up
ROW_PORTAL=$(run parent-portal /)
ROW_ME=$(run api-me /api/v1/me)
ROW_DASH=$(run api-dashboard /api/v1/dashboard)
ROW_WEEK=$(run child-week "/emploi-du-temps/eleves/$CHILD")
# A teacher saves a whole class's marks in one request (S-GRADES): the form
# of /notes/evaluations/ID with one field per pupil, two sets of marks in
# turn so that every request really rewrites them. One connection: the time
# a teacher waits; then 8 teachers at once.
TCOOKIE=$(signin prof.demo)
TCSRF=$(curl -s -H "Cookie: $TCOOKIE" "$BASE/api/v1/me" | sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
ASSESSMENT=$(sqlite3 "$DB" "SELECT a.id FROM assessment a JOIN teaching t ON t.id = a.teaching_id JOIN account ac ON ac.person_id = t.teacher_id
  WHERE ac.login = 'prof.demo' AND a.scale = 20 ORDER BY (SELECT count(*) FROM enrolment en WHERE en.class_id = t.class_id) DESC, a.on_date DESC LIMIT 1")
PUPILS=$(sqlite3 "$DB" "SELECT en.pupil_id FROM enrolment en JOIN teaching t ON t.class_id = en.class_id JOIN assessment a ON a.teaching_id = t.id WHERE a.id = $ASSESSMENT")
NMARKS=$(echo "$PUPILS" | wc -l)
body() { # offset
  b="csrf=$TCSRF&publier=1"; i=$1
  for p in $PUPILS; do i=$((i + 7)); b="$b&note_$p=$((i % 21)),5"; done
  echo "$b"
}
cat > "$OUT/marks.lua" <<LUA
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
marks() { # name, connections
  wrk -t1 -c"$2" -d"${DURATION}s" --latency -s "$OUT/marks.lua" "$BASE/notes/evaluations/$ASSESSMENT" > "$OUT/$1.txt"
  rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/$1.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$OUT/$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/$1.txt")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$OUT/$1.txt" | tr '\n' ' ')
  echo "| $1 ($2 connection(s)) | \`POST /notes/evaluations/$ASSESSMENT\` | $rps | $p50 | $p99 | ${errs:-none} |"
}
# Messaging (S-MESSAGES): the inbox of the parent and of the teacher (the
# page and the JSON), before anything is sent.
inbox() { # login: "threads (unread)" of the person's inbox
  sqlite3 "$DB" "SELECT count(*) || ' (' || sum(EXISTS (SELECT 1 FROM message m WHERE m.thread_id = tp.thread_id
    AND m.id > tp.last_read_message_id AND m.author_id <> tp.person_id)) || ' unread)' FROM thread_participant tp
    JOIN account a ON a.person_id = tp.person_id WHERE a.login = '$1' AND tp.folder = 'inbox'"
}
INBOX_PARENT=$(inbox parent.demo)
INBOX_TEACHER=$(inbox prof.demo)
curl -s -H "Cookie: $TCOOKIE" "$BASE/messagerie" | grep -q 'href="/messagerie/fils/' || { echo "bench: no inbox" >&2; exit 1; }
ROW_INBOX_P=$(run parent-inbox /messagerie)
ROW_INBOX_T=$(run teacher-inbox /messagerie "$TCOOKIE")
ROW_THREADS_P=$(run api-threads-parent /api/v1/threads)
ROW_THREADS_T=$(run api-threads-teacher /api/v1/threads "$TCOOKIE")
ROW_MARKS1=$(marks mark-entry 1)
ROW_MARKS8=$(marks mark-entry-8 8)
SAVED=$(sqlite3 "$DB" "SELECT count(*) FROM mark WHERE assessment_id = $ASSESSMENT")

# One message to the parents of a class (a list: one private thread per
# parent), sent SENDS times in a row by prof.demo to his classes in turn, as
# the API does it (JSON, X-CSRF-Token). Staff may send 200 messages an hour
# and an unusual number of recipients in 15 minutes is held for the head:
# the server's clock moves 20 minutes before each send (test hook), and the
# teacher signs in again every 24 sends (sessions last 12 h at most). The
# latency is curl's total time on loopback.
SENDS=${BENCH_SENDS:-60}
CLASSES=$(sqlite3 "$DB" "SELECT DISTINCT t.class_id FROM teaching t JOIN account a ON a.person_id = t.teacher_id
  WHERE a.login = 'prof.demo' AND t.class_id IS NOT NULL ORDER BY t.class_id")
NCLASSES=$(echo "$CLASSES" | wc -l)
T0=$(TZ=${CARNET_TZ:-Europe/Paris} date -d "$(echo "$NOW" | tr T ' ')" +%s)
: > "$OUT/send.txt"
for i in $(seq "$SENDS"); do
  at=$(TZ=${CARNET_TZ:-Europe/Paris} date -d "@$((T0 + 3600 + i * 1200))" +%Y-%m-%dT%H:%M)
  curl -s -o /dev/null -H 'Content-Type: application/json' -d "{\"now\":\"$at\"}" "$BASE/__test/clock"
  if [ $(( (i - 1) % 24 )) -eq 0 ]; then
    SCOOKIE=$(signin prof.demo)
    SCSRF=$(curl -s -H "Cookie: $SCOOKIE" "$BASE/api/v1/me" | sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
  fi
  cls=$(echo "$CLASSES" | sed -n "$(( (i - 1) % NCLASSES + 1 ))p")
  res=$(curl -s -o "$OUT/send.json" -w '%{http_code} %{time_total}' -H "Cookie: $SCOOKIE" -H "X-CSRF-Token: $SCSRF" \
    -H 'Content-Type: application/json' -d "{\"lp_$cls\": true, \"subject\": \"Information $i\",
    \"body\": \"Madame, Monsieur,\\n\\nLe cours de demain aura lieu en salle 204.\\n\\nN. Lefèvre\"}" "$BASE/api/v1/threads")
  echo "$res $(cat "$OUT/send.json")" >> "$OUT/send.txt"
done
SEND_OK=$(awk '$1 == 201' "$OUT/send.txt" | wc -l)
SEND_MS=$(awk '{printf "%.2f\n", $2 * 1000}' "$OUT/send.txt" | sort -n)
SEND_P50=$(echo "$SEND_MS" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
SEND_P99=$(echo "$SEND_MS" | awk '{v[NR] = $1} END {i = int(NR * 0.99 + 0.999); print v[i < 1 ? 1 : i]}')
SEND_MAXMS=$(echo "$SEND_MS" | tail -1)
SEND_RCPT=$(sed -n 's/.*"recipients": *\([0-9]*\).*/\1/p' "$OUT/send.txt" | sort -n | uniq | tr '\n' ' ')
SEND_HELD=$(grep -c '"held": *true' "$OUT/send.txt" || true)
SEND_DELIVERED=$(grep -c '"held": *false' "$OUT/send.txt" || true)
SEND_FIRST=$(head -1 "$OUT/send.txt" | cut -d' ' -f3-)

RSS=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
kill $PID
wait $PID 2>/dev/null || true
trap - EXIT INT TERM
# Undo the sends, so that the next run measures the same inboxes.
sqlite3 "$DB" "CREATE TEMP TABLE sent AS SELECT t.id FROM thread t JOIN account a ON a.person_id = t.created_by
  WHERE a.login = 'prof.demo' AND t.created_at >= $T0;
  DELETE FROM thread_participant WHERE thread_id IN (SELECT id FROM sent); DELETE FROM message WHERE thread_id IN (SELECT id FROM sent);
  DELETE FROM message_hold WHERE thread_id IN (SELECT id FROM sent); DELETE FROM thread WHERE id IN (SELECT id FROM sent);"

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
  echo "# Carnet benchmarks"
  echo
  echo "Measured by \`make bench\` (bench/run.sh): wrk on loopback, 1 wrk thread, $CONNS connections,"
  echo "${DURATION} s per run after a 3 s warm-up, $REPEAT runs per scenario, the median run reported; the"
  echo "server runs with $THREADS worker threads on the same machine ($(nproc) cores, $CPU), so wrk and"
  echo "Carnet share the CPU."
  echo
  echo "Dataset: \`carnet demo --scale $SCALE\` — $DATASET SQLite file: $DBSIZE MB."
  echo "Signed in as \`parent.demo\` (two children, one in an école, one in a collège). The portal"
  echo "looks up the session, loads the person's roles and children, the services catalogue and"
  echo "today's lessons of both children with their changes (timetable slots, one-off changes and"
  echo "the school calendars: one query for all the children), then renders the page ($BYTES bytes"
  echo "of HTML). The child's week computes seven days of lessons from the weekly slots, A/B weeks,"
  echo "holidays and changes. The dashboard (JSON) adds, for each child, the homework due in the"
  echo "next 3 school days, the 5 latest published grades and the absences still to justify."
  echo
  echo "| scenario | path | requests/s | p50 | p99 | errors | requests/s of the $REPEAT runs |"
  echo "|---|---|---|---|---|---|---|"
  echo "$ROW_PORTAL"
  echo "$ROW_ME"
  echo "$ROW_DASH"
  echo "$ROW_WEEK"
  echo
  echo "Whole-class mark entry (S-GRADES): \`prof.demo\` saves the sheet of one assessment with one"
  echo "field per pupil ($NMARKS marks in one form; $SAVED marks stored after the run), two sets of marks"
  echo "in turn so that every request rewrites them: the request checks every mark against the scale,"
  echo "then writes them in one transaction. With one connection the latency is what a teacher waits;"
  echo "with 8, teachers saving at the same moment (SQLite serialises the writes)."
  echo
  echo "| scenario | path | requests/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|---|"
  echo "$ROW_MARKS1"
  echo "$ROW_MARKS8"
  echo
  echo "Messaging (S-MESSAGES). The dataset holds a school year of messages up to the clock (see"
  echo "\`src/demo/demo.c\`, \"Messaging\"): $(sqlite3 "$DB" "SELECT count(*) FROM thread") threads, $(sqlite3 "$DB" "SELECT count(*) FROM message") messages,"
  echo "$(sqlite3 "$DB" "SELECT count(*) FROM thread_participant") participants. The inbox of \`parent.demo\` holds $INBOX_PARENT threads, the"
  echo "inbox of \`prof.demo\` $INBOX_TEACHER. The page and the JSON list the 50 latest threads"
  echo "of the folder with their last message and read state; the JSON also counts the unread threads."
  echo "The machine is shared with other work: a run slowed by it shows in the spread of the three runs."
  echo
  echo "| scenario | path | requests/s | p50 | p99 | errors | requests/s of the $REPEAT runs |"
  echo "|---|---|---|---|---|---|---|"
  echo "$ROW_INBOX_P"
  echo "$ROW_INBOX_T"
  echo "$ROW_THREADS_P"
  echo "$ROW_THREADS_T"
  echo
  echo "A message to the parents of a class: \`prof.demo\` sends \`POST /api/v1/threads\` with"
  echo "\`lp_<class>\` (the parents of one of his $NCLASSES classes in turn) $SENDS times, one at a time, the"
  echo "server's clock moved 20 minutes before each send; each creates one private thread per parent"
  echo "who receives the school's mail (recipients per send: $SEND_RCPT), after checking each of them"
  echo "against the communication policy. $SEND_OK of $SENDS sends answered 201; held for the head:"
  echo "$SEND_HELD, delivered: $SEND_DELIVERED. First answer: \`$SEND_FIRST\`."
  echo
  echo "| scenario | path | sends | median | p99 | max |"
  echo "|---|---|---|---|---|---|"
  echo "| list-send | \`POST /api/v1/threads\` | $SENDS | ${SEND_P50}ms | ${SEND_P99}ms | ${SEND_MAXMS}ms |"
  echo
  echo "Peak resident memory of the server during the run: $((RSS / 1024)) MB."
  echo
  echo "Targets: parent portal (issue 2) and parent dashboard, two children, with a full trimester"
  echo "(issue 3): ≥ 5 000 requests/s with p99 < 20 ms at 64 connections; entering 30 marks for"
  echo "a class in one request: < 20 ms median; the inbox page: ≥ 3 000 requests/s; a message"
  echo "to the parents of a class: < 10 ms median."
  echo "Run on $(date -u +%Y-%m-%d)."
} > BENCHMARKS.md
# Releasing held items at 07:00 with their notification e-mails (issue 5).
RELEASE=$(bench/release.sh "$SCALE")
{ echo; echo "$RELEASE"; } >> BENCHMARKS.md
cat BENCHMARKS.md
