#!/bin/sh
# bench/sqlite2pg.sh — copy a Carnet SQLite database into PostgreSQL, row for
# row, so that both stores are measured on the very same dataset (generating
# the département with `carnet demo` straight into PostgreSQL takes ~30× as
# long: one round trip per row).
# Usage: bench/sqlite2pg.sh DB.sqlite postgresql://…/NAME
#
# The PostgreSQL database NAME is dropped and made again; `carnet migrate`
# creates its schema (PostgreSQL dialect), then every table of that schema is
# filled from the SQLite table of the same name with COPY (CSV from
# sqlite3, the columns named, bytea sent as hex), with the plain indexes
# dropped during the load and made again after, and foreign keys and
# triggers not checked row by row (session_replication_role = replica: the
# data comes from a database that checked them). Then the full-text column of
# the messages is computed as its trigger would have, every identity
# sequence is set past the largest id, VACUUM ANALYZE, and the row count of
# every table is compared with SQLite's: any difference fails.
set -eu
cd "$(dirname "$0")/.."
DB=$1 URL=$2
[ -f "$DB" ] || { echo "sqlite2pg: no $DB" >&2; exit 1; }
NAME=${URL##*/}
ADMIN=${URL%/*}/postgres
psql() { command psql -X -v ON_ERROR_STOP=1 -q "$@"; }
lite() { sqlite3 -cmd '.timeout 10000' "$DB" "$@"; }

psql "$ADMIN" -c "DROP DATABASE IF EXISTS \"$NAME\"" -c "CREATE DATABASE \"$NAME\""
build/carnet migrate --db "$URL" >/dev/null 2>&1 || build/carnet migrate --db "$URL"

TABLES=$(psql "$URL" -Atc "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
  AND table_type = 'BASE TABLE' AND table_name NOT IN ('schema_migration', 'schema_driver_migration') ORDER BY table_name")
# The plain indexes (not those of primary keys and unique constraints).
INDEXES=$(psql "$URL" -Atc "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = 'public'
  AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname")
psql "$URL" -Atc "SELECT 'DROP INDEX ' || indexname || ';' FROM pg_indexes WHERE schemaname = 'public'
  AND indexname NOT IN (SELECT conname FROM pg_constraint)" | psql "$URL"
# The rows the migrations seed (catalogues, defaults) come with the copy.
psql "$URL" -c "TRUNCATE $(echo $TABLES | tr ' ' ',')"

for t in $TABLES; do
  start=$(date +%s)
  # Columns in PostgreSQL's order; bytea as '\x' || hex; the tsvector is computed below.
  cols=$(psql "$URL" -Atc "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = '$t' AND data_type <> 'tsvector'")
  sel=$(psql "$URL" -Atc "SELECT string_agg(CASE WHEN data_type = 'bytea' THEN '''\\x'' || hex(' || column_name || ')'
    ELSE column_name END, ',' ORDER BY ordinal_position) FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = '$t' AND data_type <> 'tsvector'")
  # NULL is an unquoted empty field, '' a quoted one (sqlite3 -csv writes "").
  lite -csv "SELECT $sel FROM $t" |
    psql "$URL" -c "SET session_replication_role = replica" -c "\\copy $t ($cols) FROM pstdin WITH (FORMAT csv)"
  [ -z "${VERBOSE:-}" ] || echo "$t: $(( $(date +%s) - start )) s" >&2
done

echo "$INDEXES" | psql "$URL"
psql "$URL" -c "UPDATE message m SET fts = message_fts_doc(m.body, t.subject) FROM thread t WHERE t.id = m.thread_id"
psql "$URL" -Atc "SELECT 'SELECT setval(''' || pg_get_serial_sequence(table_name, column_name) || ''', coalesce(max(' || column_name
  || '), 0) + 1, false) FROM ' || table_name || ';' FROM information_schema.columns
  WHERE table_schema = 'public' AND is_identity = 'YES'" | psql "$URL" >/dev/null
psql "$URL" -c "VACUUM (FREEZE, ANALYZE)"

bad=""
for t in $TABLES; do
  a=$(lite "SELECT count(*) FROM $t")
  b=$(psql "$URL" -Atc "SELECT count(*) FROM $t")
  [ "$a" = "$b" ] || bad="$bad $t ($a in SQLite, $b in PostgreSQL)"
done
[ -z "$bad" ] || { echo "sqlite2pg: row counts differ:$bad" >&2; exit 1; }
echo "$(echo "$TABLES" | wc -w) tables copied, row counts equal"
