#!/bin/sh
# Time `ripen import` against sqlite3's own `.import` of the same CSV into a table with an
# e-mail index, each into a fresh database, RUNS times; prints every run and the median.
# Usage: benches/import_bench.sh FILE.csv [RUNS]   (build with `cargo build --release` first)
set -eu
file=$1
runs=${2:-3}
bin=${RIPEN_BIN:-$(dirname "$0")/../target/release/ripen}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }

echo "sqlite3 .import:"
for i in $(seq "$runs"); do
  rm -f "$work/s.db"
  sqlite3 "$work/s.db" "CREATE TABLE leads(first_name, last_name, company, email, phone, source, status, amount, created, notes); CREATE INDEX leads_email ON leads(lower(email));"
  secs sqlite3 "$work/s.db" ".import --csv --skip 1 $file leads"
done | tee "$work/s.txt"
echo "median $(median < "$work/s.txt")"

echo "ripen import:"
for i in $(seq "$runs"); do
  rm -f "$work"/r.db*
  RIPEN_DB="$work/r.db" RIPEN_CONFIG="$work/none.toml" RIPEN_NOW=2026-11-22T09:00:00Z secs "$bin" import "$file"
done | tee "$work/r.txt"
echo "median $(median < "$work/r.txt")"
