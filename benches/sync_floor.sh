#!/bin/sh
# What SQLite alone spends writing what `ripen sync` writes when it takes in another laptop's
# new leads: a lower bound for the take-in that no Rust code can beat. Given the book before
# (A) and the other laptop's book after its new work (B, a copy of A that then imported or
# added leads), this replays, on a copy of A, in one transaction as a take-in does, timing each
# step:
#   - B's new change-log entries, leads, their numbers, timelines and last touches;
#   - the filter's word index over the new leads (one statement; without ripen's folding
#     function, which the shell lacks: for ASCII text it changes nothing);
#   - the commit, with the checkpoint SQLite makes after it (as every ripen command's commit).
# Not replayed (so the floor is lower still): the cached counts, which ripen keeps by trigger.
# The copy's own write guards are dropped first (they ask for ripen's functions).
# Usage: benches/sync_floor.sh A.db B.db   (prints each step, then "floor: N s")
set -eu
a=$1
b=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$a" "$work/floor.db"
sqlite3 "$work/floor.db" "DROP TRIGGER leads_insert_guard; DROP TRIGGER activities_insert_guard;"
new() { echo "CREATE TEMP TABLE new_$1 AS SELECT * FROM b.$1 WHERE $2;"; }
{
  # As ripen's sync sets them (`BULK_CACHE_KIB`; synchronous NORMAL, as every ripen connection).
  echo "PRAGMA cache_size = -262144; PRAGMA synchronous = NORMAL;"
  echo "ATTACH '$b' AS b;"
  new lead_changes "uid NOT IN (SELECT uid FROM main.lead_changes)"
  new leads "uid NOT IN (SELECT uid FROM main.leads)"
  new activities "uid NOT IN (SELECT uid FROM main.activities)"
  new touches "lead_uid IN (SELECT uid FROM new_leads)"
  new contacts "lead_uid IN (SELECT uid FROM new_leads)"
  new uncontacted "lead_uid IN (SELECT uid FROM new_leads)"
  echo ".timer on"
  echo "BEGIN;"
  echo "SELECT 'change log';"
  echo "INSERT INTO lead_changes SELECT * FROM new_lead_changes;"
  echo "SELECT 'leads';"
  echo "INSERT INTO leads SELECT * FROM new_leads;"
  echo "SELECT 'numbers';"
  echo "INSERT INTO lead_numbers (lead_uid) SELECT uid FROM new_leads;"
  echo "SELECT 'word index';"
  echo "INSERT INTO leads_search (rowid, name, company, email, tags, reason)
        SELECT l.rowid, l.name, l.company, l.email, l.tags, l.reason
        FROM leads l JOIN new_leads n ON n.uid = l.uid;"
  echo "SELECT 'timelines';"
  echo "INSERT INTO activities SELECT * FROM new_activities;"
  echo "SELECT 'last touches';"
  echo "INSERT INTO touches SELECT * FROM new_touches;"
  echo "INSERT INTO contacts SELECT * FROM new_contacts;"
  echo "INSERT INTO uncontacted SELECT * FROM new_uncontacted;"
  echo "SELECT 'commit';"
  echo "COMMIT;"
} >"$work/replay.sql"

sqlite3 "$work/floor.db" <"$work/replay.sql" | awk '
  function show() { if (step != "") printf "%-34s %7.3f s\n", step, t; total += t; t = 0 }
  /^Run Time/ { t += $4; next }
  /^[a-z]/ { show(); step = $0 }
  END { show(); printf "floor: %.2f s\n", total }'
