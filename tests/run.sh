#!/bin/sh
# run.sh — every test of Carnet: unit tests (plain and under ASan+UBSan),
# HTTP end-to-end tests against the real binary (plain and sanitized), and
# the browser test in Debian's chromium. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=build/test
mkdir -p "$OUT"
passed=0
failed=0
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"


# Count TAP results of a log: "ok N" / "not ok N" lines (cmocka), or the
# "# pass N" / "# fail N" summary of node's test runner.
count_tap() {
  log=$1
  if grep -q '^# pass ' "$log"; then
    p=$(grep '^# pass ' "$log" | tail -1 | awk '{print $3}')
    f=$(grep '^# fail ' "$log" | tail -1 | awk '{print $3}')
  else
    p=$(grep -c '^ok ' "$log" || true)
    # cmocka prints a skipped test as "not ok N # SKIP": not a failure.
    f=$(grep '^not ok ' "$log" | grep -vc '# SKIP' || true)
  fi
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  echo "  ${p:-0} passed, ${f:-0} failed"
}

run_suite() { # name, log, command...
  name=$1; log=$2; shift 2
  echo "== $name"
  "$@" >"$log" 2>&1
  rc=$?
  count_tap "$log"
  if [ $rc -ne 0 ]; then
    if ! grep '^not ok \|^# fail [1-9]' "$log" | grep -qv '# SKIP'; then
      echo "  $name exited with status $rc without a failing test: counted as one failure"
      failed=$((failed + 1))
    fi
    grep -E '^not ok|ERROR|error|Error|runtime error|failed' "$log" | head -40 | sed 's/^/  | /'
  fi
}

# The demo database every end-to-end test starts from (a fresh copy each).
rm -f "$OUT/demo.db" "$OUT/demo.db-wal" "$OUT/demo.db-shm"
if ! build/carnet demo --db "$OUT/demo.db" --now 2026-03-10T08:00 >"$OUT/demo.log" 2>&1; then
  cat "$OUT/demo.log"
  echo "0 passed, 1 failed"
  exit 1
fi
export CARNET_DEMO_DB="$ROOT/$OUT/demo.db"

for t in build/tests/test_*; do
  [ -x "$t" ] || continue
  n=$(basename "$t")
  CMOCKA_MESSAGE_OUTPUT=TAP run_suite "unit $n" "$OUT/$n.log" "$t"
done
for t in build/asan/tests/test_*; do
  [ -x "$t" ] || continue
  n=$(basename "$t")
  CMOCKA_MESSAGE_OUTPUT=TAP run_suite "unit $n (ASan+UBSan)" "$OUT/asan-$n.log" "$t"
done


[ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] || npm ci --no-audit --no-fund >"$OUT/npm.log" 2>&1 || { cat "$OUT/npm.log"; }

CARNET_BIN="$ROOT/build/carnet" run_suite "HTTP end-to-end" "$OUT/http.log" \
  node --test --test-reporter=tap --test-concurrency=2 tests/http/
CARNET_BIN="$ROOT/build/asan/carnet" run_suite "HTTP end-to-end (ASan+UBSan)" "$OUT/http-asan.log" \
  node --test --test-reporter=tap --test-concurrency=2 tests/http/
CARNET_BIN="$ROOT/build/carnet" run_suite "browser (chromium)" "$OUT/browser.log" \
  node --test --test-reporter=tap --test-concurrency=1 tests/browser/

# Everything that uses a database, again on PostgreSQL 15 (issue 6): a
# throw-away cluster on a free loopback port, removed at the end. The unit
# tests make a fresh database per test; the demo is generated once into the
# database "demo", and each HTTP or browser test's server gets its own copy
# of it (CREATE DATABASE … TEMPLATE demo). The HTTP suite runs the sanitized
# binary, so that the PostgreSQL driver runs under ASan+UBSan too.
PGDIR=$(mktemp -d /tmp/carnet-pg-XXXXXX)
trap 'tests/lib/pg.sh stop "$PGDIR" >/dev/null 2>&1' EXIT INT TERM
if PGURL=$(tests/lib/pg.sh start "$PGDIR" 2>"$OUT/pg.log"); then
  for n in test_store test_search test_calendar test_policy test_quiet; do
    CARNET_TEST_PG_URL=$PGURL CMOCKA_MESSAGE_OUTPUT=TAP run_suite "unit $n (PostgreSQL)" "$OUT/pg-$n.log" "build/tests/$n"
  done
  PGDEMO="${PGURL%/*}/demo"
  if psql -X -q -d "$PGURL" -c 'CREATE DATABASE demo' >>"$OUT/pg.log" 2>&1 &&
     build/carnet demo --db "$PGDEMO" --now 2026-03-10T08:00 >"$OUT/pg-demo.log" 2>&1; then
    CARNET_TEST_PG_URL=$PGURL CARNET_DEMO_PG=demo CARNET_BIN="$ROOT/build/asan/carnet" run_suite "HTTP end-to-end on PostgreSQL (ASan+UBSan)" \
      "$OUT/pg-http.log" node --test --test-reporter=tap --test-concurrency=2 tests/http/
    CARNET_TEST_PG_URL=$PGURL CARNET_DEMO_PG=demo CARNET_BIN="$ROOT/build/carnet" run_suite "browser (chromium) on PostgreSQL" \
      "$OUT/pg-browser.log" node --test --test-reporter=tap --test-concurrency=1 tests/browser/
  else
    echo "== PostgreSQL: the demo could not be generated (see $OUT/pg-demo.log)"
    tail -5 "$OUT/pg-demo.log"
    failed=$((failed + 1))
  fi
  tests/lib/pg.sh stop "$PGDIR" >>"$OUT/pg.log" 2>&1
else
  echo "== PostgreSQL: the throw-away cluster did not start (see $OUT/pg.log)"
  cat "$OUT/pg.log"
  failed=$((failed + 1))
fi

echo "logs: $OUT/"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
