#!/bin/sh
# bench/import.sh — how long `carnet import aaf` takes, and how much memory,
# on a whole département (issue 15): the AAF export of bench/gen_aaf.py
# (defaults: 240 establishments, 64 000 pupils, ≥ 120 000 relatives,
# ≥ 6 000 staff), imported into an empty database, imported again (nothing
# should change), then a Delta of 1 000 changes; on SQLite and on
# PostgreSQL 15 (the kept cluster of bench/pg.sh, a fresh database
# carnet_import). Each import runs under /usr/bin/time -v (wall time and
# peak RSS of the carnet process; PostgreSQL's own processes are not
# counted); the rows written come from its --report-json file.
# Writes the section "## Imports (issue 15)" to build/bench/import.md and
# prints it (BENCHMARKS.md is not touched).
# Usage: bench/import.sh   Environment: BENCH_STORES ("sqlite postgresql").
set -eu
cd "$(dirname "$0")/.."
STORES=${BENCH_STORES:-sqlite postgresql}
OUT=build/bench
AAF=$OUT/aaf
DELTA=$OUT/aaf-delta
RES=$OUT/import
mkdir -p "$OUT" "$RES"
die() { echo "bench/import.sh: $*" >&2; exit 1; }
[ -x build/carnet ] || die "no build/carnet: make"
[ -x /usr/bin/time ] || die "no /usr/bin/time: tools/install-deps.sh bench"

# The export and its Delta, made once (again when the generator changes).
if [ ! -d "$AAF" ] || [ ! -f "$OUT/aaf.json" ] || [ bench/gen_aaf.py -nt "$OUT/aaf.json" ]; then
  rm -rf "$AAF" "$OUT/aaf.json" "$OUT/aaf-delta.json"
  echo "Generating the AAF export of the département…"
  python3 bench/gen_aaf.py "$AAF" > "$OUT/aaf.json.tmp"
  mv "$OUT/aaf.json.tmp" "$OUT/aaf.json"
fi
if [ ! -d "$DELTA" ] || [ ! -f "$OUT/aaf-delta.json" ] ||
  [ "$OUT/aaf.json" -nt "$OUT/aaf-delta.json" ]; then
  rm -rf "$DELTA"
  python3 bench/gen_aaf.py "$DELTA" --delta 1000 > "$OUT/aaf-delta.json.tmp"
  mv "$OUT/aaf-delta.json.tmp" "$OUT/aaf-delta.json"
fi

# The kept PostgreSQL cluster (durable, as for bench/run.sh), stopped at the end.
PGURL=""
case " $STORES " in
*" postgresql "*)
  trap 'bench/pg.sh stop || true' EXIT INT TERM
  PGURL=$(bench/pg.sh start)
  ;;
esac

# An empty, migrated database on a store: sets DB (what --db takes).
fresh_db() { # store
  if [ "$1" = sqlite ]; then
    DB=$RES/aaf.db
    rm -f "$DB" "$DB-wal" "$DB-shm"
  else
    DB=${PGURL%/*}/carnet_import
    psql -X -q -v ON_ERROR_STOP=1 "${PGURL%/*}/postgres" \
      -c "DROP DATABASE IF EXISTS carnet_import" -c "CREATE DATABASE carnet_import"
  fi
  build/carnet migrate --db "$DB" >/dev/null
}

# Seconds of an "Elapsed (wall clock)" value of time -v (h:mm:ss or m:ss.ss).
seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }'; }

# One import under /usr/bin/time -v: appends a row to the table.
measure() { # store, run, db, files…
  store=$1 run=$2 db=$3
  shift 3
  base=$RES/$store-$run
  rm -f "$base.json"
  if ! /usr/bin/time -v -o "$base.time" build/carnet import aaf --db "$db" \
    --report-json "$base.json" "$@" > "$base.out" 2> "$base.err"; then
    tail -20 "$base.err" >&2
    die "the $run import on $store failed (see $base.err)"
  fi
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$base.time" | seconds)
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$base.time")
  rows=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rows_written"])' \
    "$base.json")
  echo "| $store | $run | $secs | $((kb / 1024)) | $rows |" >> "$RES/table"
  echo "  $store, $run: $secs s, $((kb / 1024)) MB, $rows rows written"
}

: > "$RES/table"
for store in $STORES; do
  echo "Importing into $store…"
  fresh_db "$store"
  measure "$store" full "$DB" "$AAF"/*.xml
  measure "$store" re-run "$DB" "$AAF"/*.xml
  measure "$store" delta "$DB" "$DELTA"/*.xml
done

# "key value, …" from a JSON object (a line of gen_aaf.py), the keys given or all.
summary() { # JSON line, keys…
  python3 -c 'import json, sys
d = json.loads(sys.argv[1])
keys = sys.argv[2:] or list(d)
print(", ".join("%s %s" % (k.replace("_", " "), d[k]) for k in keys))' "$@"
}
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$@"; }
COMPLET=$(tail -1 "$OUT/aaf.json")
{
  echo "## Imports (issue 15)"
  echo
  echo "The AAF export of \`bench/gen_aaf.py\` (defaults; $(du -sm "$AAF" | cut -f1) MB in" \
    "$(field "$COMPLET" files) files):"
  echo "$(summary "$COMPLET" establishments classes groups pupils relatives staff)."
  echo "The Delta (1 000 requests): $(summary "$(head -1 "$OUT/aaf-delta.json")")."
  echo "Each run is one \`carnet import aaf\` under \`/usr/bin/time -v\`: the full import into"
  echo "an empty database, the same files again, then the Delta. Peak RSS is the carnet"
  echo "process's (not PostgreSQL's). $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| Store | Run | Seconds | Peak RSS (MB) | Rows written |"
  echo "|---|---|---:|---:|---:|"
  cat "$RES/table"
} > "$OUT/import.md"
cat "$OUT/import.md"
