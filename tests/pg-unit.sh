#!/bin/sh
# pg-unit.sh — the unit tests that use a database, on PostgreSQL: starts a
# throw-away PostgreSQL 15 cluster (tests/lib/pg.sh), runs them with
# CARNET_TEST_PG_URL set (a fresh database each, tests/unit/testdb.h), then
# stops and removes the cluster. Usage: tests/pg-unit.sh [test_name…]
# (default: every unit test that opens a database). Builds what it runs.
set -eu
cd "$(dirname "$0")/.."
tests=${*:-test_store test_search test_calendar test_policy test_quiet}
bins=""
for t in $tests; do bins="$bins build/tests/$t"; done
# shellcheck disable=SC2086
make --no-print-directory $bins >/dev/null
dir=$(mktemp -d /tmp/carnet-pg-XXXXXX)
trap 'tests/lib/pg.sh stop "$dir"' EXIT INT TERM
url=$(tests/lib/pg.sh start "$dir")
echo "PostgreSQL: $url"
fail=0
for t in $tests; do
  if CARNET_TEST_PG_URL=$url "build/tests/$t" >"$dir/$t.log" 2>&1; then
    echo "ok   $t (PostgreSQL)"
  else
    echo "FAIL $t (PostgreSQL)"; grep -E 'FAILED|ERROR|LINE' "$dir/$t.log" | head -20
    fail=1
  fi
done
exit $fail
