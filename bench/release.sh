#!/bin/sh
# bench/release.sh — issue 5: releasing 10 000 held items with their
# notifications at 07:00 on the département dataset must take < 10 s.
#
# On the dataset of bench/run.sh (clock: Tuesday 10 March 2026), ITEMS
# notifications are made as the publishing modules make them for items
# published on Tuesday evening and held by R-DISCO until Wednesday 07:00:
# homework, grades, messages, timetable changes, class log and absences, for
# ITEMS × 3 / 10 parents with an e-mail address spread over the whole
# département (3 or 4 each, so that digests happen). The demo's own
# notifications due before 07:00 are history (mailed in their time); those
# it holds until 07:00 itself (grades reaching parents a day later,
# R-GRADES) are released with them. Then `carnet notify --once --now
# 2026-03-11T07:00` decides the e-mails (one digest per person) and sends
# them over one SMTP connection to a real SMTP server on loopback (Debian's
# python3-aiosmtpd writing a Maildir, tests/lib/smtp_sink.py), and returns
# when the server has accepted the last one. The database is put back as it
# was afterwards.
#
# Prints a Markdown section for BENCHMARKS.md (bench/run.sh appends it).
# Usage: bench/release.sh [SCALE] [ITEMS]   (defaults 60 and 10000)
set -eu
cd "$(dirname "$0")/.."
SCALE=${1:-60}
ITEMS=${2:-10000}
OUT=build/bench
DB="$OUT/departement-$SCALE.db"
NOW=2026-03-10T10:00
RELEASE=2026-03-11T07:00
PYTHON=${CARNET_PYTHON:-/usr/bin/python3}
mkdir -p "$OUT"
if [ ! -f "$DB" ]; then
  echo "Generating the département dataset (scale $SCALE)…" >&2
  build/carnet demo --db "$DB" --scale "$SCALE" --now "$NOW" > "$OUT/dataset-$SCALE.txt"
fi
build/carnet migrate --db "$DB" >/dev/null 2>&1
T7=$(TZ=${CARNET_TZ:-Europe/Paris} date -d "$(echo "$RELEASE" | tr T ' ')" +%s)
PARENTS=$((ITEMS * 3 / 10))
q() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }

# History: what the demo made visible before 07:00 was mailed in its time.
q "DELETE FROM notification WHERE item LIKE 'bench:release:%'"
q "UPDATE notification SET mail_done = 1 WHERE mail_done = 0 AND visible_at < $T7"
MAXMAIL=$(q "SELECT coalesce(max(id), 0) FROM mail_outbox")
DEMO_HELD=$(q "SELECT count(*) FROM notification WHERE mail_done = 0 AND visible_at = $T7")

# The held items' notifications: parents taken across the département (a
# hash of their id orders them), each with the establishment of a child.
q "CREATE TEMP TABLE bench_parent AS
     SELECT row_number() OVER (ORDER BY (p.id * 2654435761) % 4294967291) - 1 AS i, p.id,
            (SELECT c.establishment_id FROM guardianship g JOIN enrolment en ON en.pupil_id = g.pupil_id
               JOIN class c ON c.id = en.class_id WHERE g.parent_id = p.id LIMIT 1) AS est
     FROM person p WHERE p.email IS NOT NULL AND EXISTS (SELECT 1 FROM guardianship g WHERE g.parent_id = p.id)
     ORDER BY (p.id * 2654435761) % 4294967291 LIMIT $PARENTS;
   WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n + 1 < $ITEMS),
   kind(s, service, title, url) AS (VALUES
     (0, 'homework', 'Nouveau travail à faire en Mathématiques pour le jeudi 12 mars', '/travail-a-faire'),
     (1, 'grades', 'Nouvelle note en Français : Dictée n°4', '/notes'),
     (2, 'homework', 'Nouveau travail à faire en Histoire-géographie pour le vendredi 13 mars', '/travail-a-faire'),
     (3, 'messages', 'Nouveau message de Nicolas Lefèvre : Sortie au musée', '/messagerie'),
     (4, 'grades', 'Nouvelle note en Anglais : Contrôle n°3', '/notes'),
     (5, 'timetable', 'Cours de SVT du jeudi 12 mars : salle 204', '/emploi-du-temps'),
     (6, 'homework', 'Nouveau travail à faire en Anglais pour le lundi 16 mars', '/travail-a-faire'),
     (7, 'log', 'Cahier de textes : séance de Physique-chimie du mardi 10 mars', '/emploi-du-temps'),
     (8, 'grades', 'Nouvelle note en Mathématiques : Interrogation n°5', '/notes'),
     (9, 'attendance', 'Absence signalée mardi 10 mars, 16:00', '/absences'))
   INSERT INTO notification (person_id, service, title, url, item, establishment_id, created_at, visible_at)
     SELECT bp.id, kind.service, kind.title, kind.url, 'bench:release:' || k.n, bp.est, $T7 - 36000 + k.n, $T7
     FROM k JOIN bench_parent bp ON bp.i = k.n % $PARENTS JOIN kind ON kind.s = (k.n / $PARENTS + k.n) % 10;
   DROP TABLE bench_parent;"

# Between two runs: nothing sent, nothing decided from 07:00 on.
reset() { q "DELETE FROM mail_outbox WHERE id > $MAXMAIL; UPDATE notification SET mail_done = 0, mail_id = NULL WHERE visible_at >= $T7"; }
WORK=$(mktemp -d)
SINK=
stop_sink() {
  if [ -n "$SINK" ]; then
    kill "$SINK" 2>/dev/null || true
    wait "$SINK" 2>/dev/null || true
  fi
  SINK=
}
cleanup() {
  stop_sink || true
  rm -rf "$WORK"
  q "DELETE FROM notification WHERE item LIKE 'bench:release:%'" && reset || true
}
trap cleanup EXIT INT TERM
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The SMTP servers: Debian's python3-aiosmtpd (tests/lib/smtp_sink.py,
# writing a Maildir), and, when installed, Postfix's smtp-sink (C, made to
# benchmark SMTP clients; SMTP_SINK may name it), which shows Carnet's own
# side when aiosmtpd is the bottleneck.
SMTP_SINK=${SMTP_SINK:-$(command -v smtp-sink || true)}
start_sink() { # kind, directory: sets SINK (pid), PORT
  mkdir -p "$2"
  if [ "$1" = aiosmtpd ]; then
    "$PYTHON" tests/lib/smtp_sink.py 0 "$2/Maildir" > "$2/out" 2> "$2/err" &
    SINK=$!
    for _ in $(seq 100); do grep -q ready "$2/out" 2>/dev/null && break; sleep 0.1; done
    PORT=$(sed -n 's/^ready //p' "$2/out")
  else
    PORT=$(free_port)
    mkdir -p "$2/Maildir/new"
    # shellcheck disable=SC2086
    $SMTP_SINK -u "$(id -un)" -d "$2/Maildir/new/%M." "127.0.0.1:$PORT" 256 > "$2/out" 2> "$2/err" &
    SINK=$!
    sleep 0.5
  fi
  [ -n "$PORT" ] && kill -0 "$SINK" 2>/dev/null || { echo "bench: the SMTP server $1 did not start: $(cat "$2/err")" >&2; exit 1; }
}

run() { # label, sink kind, demo ("with": the demo's own held notifications too)
  trap stop_sink EXIT
  reset
  [ "$3" = with ] || q "UPDATE notification SET mail_done = 1 WHERE visible_at = $T7 AND (item IS NULL OR item NOT LIKE 'bench:release:%')"
  due=$(q "SELECT count(*) FROM notification WHERE mail_done = 0 AND visible_at <= $T7")
  people=$(q "SELECT count(DISTINCT person_id) FROM notification WHERE mail_done = 0 AND visible_at <= $T7")
  dir="$WORK/$2-$3"
  start_sink "$2" "$dir"
  before=$(ticks "$SINK")
  sync
  CARNET_SMTP_URL="smtp://127.0.0.1:$PORT" CARNET_MAIL_FROM="Carnet <carnet@departement.example>" \
  CARNET_PUBLIC_URL="https://carnet.departement.example" \
    /usr/bin/time -f '%e %U %S %M' -o "$dir/time" \
    build/carnet notify --once --db "$DB" --now "$RELEASE" > "$dir/report" 2> "$dir/log"
  sink_cpu=$(awk -v a="$before" -v b="$(ticks "$SINK")" -v hz="$HZ" 'BEGIN {printf "%.2f", (b - a) / hz}')
  stop_sink
  read -r wall user sys rss < "$dir/time"
  report=$(cat "$dir/report")
  made=$(echo "$report" | sed -n 's/^\([0-9]*\) e-mail(s) made for \([0-9]*\) notification(s) (\([0-9]*\) without.* in \([0-9.]*\) s; \([0-9]*\) sent, \([0-9]*\) to retry, \([0-9]*\) failed in \([0-9.]*\) s$/\1 \2 \3 \4 \5 \6 \7 \8/p')
  [ -n "$made" ] || { echo "bench: unexpected report: $report $(cat "$dir/log")" >&2; exit 1; }
  # shellcheck disable=SC2086
  set -- "$1" "$2" $made
  delivered=$(find "$dir/Maildir/new" -type f | wc -l)
  [ "$delivered" -eq "$7" ] && [ "$8" -eq 0 ] && [ "$9" -eq 0 ] || {
    echo "bench: $7 sent but $delivered received ($8 to retry, $9 failed): $(cat "$dir/log")" >&2; exit 1; }
  conns=$(cat "$dir/Maildir/connections" 2>/dev/null || echo "–")
  per=$(awk -v t="${10}" -v n="$7" 'BEGIN {printf "%.2f", n ? t * 1000 / n : 0}')
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
  echo "| $1 | $2 | $due ($people people) | $3 | $5 | ${6} s | ${10} s | **${wall} s** | ${per} ms | $delivered ($conns connection(s)) | ${cpu} s | ${sink_cpu} s | $((rss / 1024)) MB |"
}

ROWS=$(run "$ITEMS held items" aiosmtpd without)
ROWS="$ROWS
$(run "the same + the demo's own" aiosmtpd with)"
if [ -n "$SMTP_SINK" ]; then
  ROWS="$ROWS
$(run "$ITEMS held items" smtp-sink without)
$(run "the same + the demo's own" smtp-sink with)"
fi

echo "## Releasing held items at 07:00 (issue 5, S-NOTIFY)"
echo
echo "\`bench/release.sh\`: on the dataset above, $ITEMS notifications of items published on Tuesday evening"
echo "and held by R-DISCO until Wednesday 07:00 — homework, grades, messages, timetable changes, class"
echo "log, absences — for $PARENTS parents spread over the département (3 or 4 each, so that digests"
echo "happen); in the rows \"+ the demo's own\", also the $DEMO_HELD notifications the demo itself holds until then (grades"
echo "reaching parents a day after the pupils, R-GRADES). \`carnet notify --once --now $RELEASE\` decides"
echo "their e-mails in one transaction (one digest per person; the class log is not e-mailed by default)"
echo "and sends them over one SMTP connection, committing claims and \"sent\" marks 100 e-mails at a"
echo "time; it returns when the SMTP server has accepted the last e-mail. The server is Debian's"
echo "python3-aiosmtpd on loopback writing each e-mail into a Maildir (\`tests/lib/smtp_sink.py\`, the"
echo "one of the tests)$([ -n "$SMTP_SINK" ] && echo ", then Postfix's \`smtp-sink\` (C, made to benchmark SMTP clients, dumping each e-mail to a file), which shows Carnet's own side")."
echo "Carnet, the SMTP server and SQLite (synchronous=FULL) share the $(nproc) cores."
echo
echo "| release | SMTP server | notifications due | e-mails (digests) | without e-mail | decide | send | total | per e-mail | received | Carnet CPU | server CPU | Carnet memory |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
echo "$ROWS"
echo
echo "Target: < 10 s for 10 000 held items."
