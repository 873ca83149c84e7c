#!/bin/sh
# What SQLite alone spends writing what `ripen import` wrote: a lower bound for the import that
# no Rust code can beat. Given a book ripen has just imported into, this replays its writes in
# the sqlite3 shell, in one transaction on a fresh file, timing each step:
#   - the rows: leads, their numbers, their timelines and their change log (copied row by row:
#     the WHERE keeps SQLite from copying raw pages, which no import can do);
#   - every index the book holds on them, each built once after the rows (as ripen does);
#   - the filter's word index over the same columns (without ripen's folding function, which
#     the shell lacks; for ASCII text it changes nothing);
#   - the commit.
# Not replayed (so the floor is lower still than ripen's real work): the cached counts and the
# last-touch table, whose fills are ripen's own SQL.
# Usage: benches/import_floor.sh BOOK.db   (prints each step, then "floor: N s")
set -eu
book=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
floor=$work/floor.db

q() { sqlite3 "$book" "$1"; }
{
  echo "PRAGMA journal_mode = WAL;"
  # As an import sets them (`BULK_CACHE_KIB`, sorts in memory).
  echo "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;"
  q "SELECT sql || ';' FROM sqlite_master WHERE type = 'table'
     AND name IN ('leads', 'activities', 'lead_numbers', 'lead_changes')"
} | sqlite3 "$floor" >/dev/null

{
  echo "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;"
  echo "ATTACH '$book' AS src;"
  echo ".timer on"
  echo "BEGIN;"
  echo "SELECT 'rows: leads';"
  echo "INSERT INTO leads SELECT * FROM src.leads WHERE rowid > 0;"
  echo "SELECT 'rows: numbers';"
  echo "INSERT INTO lead_numbers SELECT * FROM src.lead_numbers WHERE number > 0;"
  echo "SELECT 'rows: timelines';"
  echo "INSERT INTO activities SELECT * FROM src.activities WHERE rowid > 0;"
  echo "SELECT 'rows: change log';"
  echo "INSERT INTO lead_changes SELECT * FROM src.lead_changes WHERE rowid > 0;"
  q "SELECT 'SELECT ''index: ' || name || ''';' || char(10) || sql || ';'
     FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
     AND tbl_name IN ('leads', 'activities', 'lead_changes')"
  echo "SELECT 'word index';"
  q "SELECT sql || ';' FROM sqlite_master WHERE name = 'leads_search'"
  echo "INSERT INTO leads_search (rowid, name, company, email, tags, reason)
        SELECT rowid, name, company, email, tags, reason FROM leads;"
  echo "SELECT 'commit';"
  echo "COMMIT;"
} >"$work/replay.sql"

sqlite3 "$floor" <"$work/replay.sql" | awk '
  function show() { if (step != "") printf "%-34s %7.3f s\n", step, t; total += t; t = 0 }
  /^Run Time/ { t += $4; next }
  { show(); step = $0 }
  END { show(); printf "floor: %.1f s\n", total }'
