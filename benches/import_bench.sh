#!/bin/sh
# Time `ripen import` against sqlite3's own `.import` of the same CSV into a table with an
# e-mail index, each into a fresh database, RUNS times; prints every run, the medians and their
# ratio. The two alternate run by run, so that both see the same load on a shared machine.
# Usage: benches/import_bench.sh FILE.csv [RUNS]   (build with `cargo build --release` first)
# RIPEN_IMPORT_TIMING=1 in the environment also prints each phase of every ripen run.
set -eu
file=$1
runs=${2:-3}
bin=${RIPEN_BIN:-$(dirname "$0")/../target/release/ripen}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Seconds the command took; anything else it said on stderr (phases) goes to stderr, indented.
secs() {
  out=$(/usr/bin/time -f %e "$@" 2>&1 >/dev/null)
  printf '%s\n' "$out" | sed '$d' | sed 's/^/  /' >&2
  printf '%s\n' "$out" | tail -1
}

for i in $(seq "$runs"); do
  rm -f "$work/s.db"
  sqlite3 "$work/s.db" "CREATE TABLE leads(first_name, last_name, company, email, phone, source, status, amount, created, notes); CREATE INDEX leads_email ON leads(lower(email));"
  s=$(secs sqlite3 "$work/s.db" ".import --csv --skip 1 $file leads")
  rm -f "$work"/r.db*
  r=$(RIPEN_DB="$work/r.db" RIPEN_CONFIG="$work/none.toml" TZ=UTC RIPEN_NOW=2026-11-22T09:00:00Z \
    secs "$bin" import "$file")
  echo "run $i: sqlite3 $s s, ripen $r s"
  echo "$s" >>"$work/s.txt"
  echo "$r" >>"$work/r.txt"
done
s=$(median <"$work/s.txt")
r=$(median <"$work/r.txt")
echo "median: sqlite3 $s s, ripen $r s, ratio $(echo "$r $s" | awk '{printf "%.2f", $1 / $2}')"
