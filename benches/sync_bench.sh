#!/bin/sh
# What `ripen sync` costs on a big book. Given a book (e.g. a 1M-row import, see
# benches/import_bench.sh) and a CSV of new leads (benches/gen_csv.py N, with e-mails the book
# does not hold), on copies of the book in a temp folder:
#   - the first sync of the book (every row it holds goes out as files);
#   - a sync with nothing new (hyperfine, 30 runs);
#   - a second laptop (a copy) imports the CSV and syncs: the file's size, per change;
#   - the first laptop takes that file in (RIPEN_IMPORT_TIMING phases), three times on copies;
#   - SQLite's floor for the same writes (benches/sync_floor.sh), three times.
# Usage: benches/sync_bench.sh BOOK.db NEW.csv   (build with `cargo build --release` first)
set -eu
book=$1
csv=$2
bin=${RIPEN_BIN:-$(cd "$(dirname "$0")/.." && pwd)/target/release/ripen}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RIPEN_CONFIG="$work/none.toml" TZ=UTC RIPEN_NOW=2026-11-22T09:00:00Z
mkdir "$work/shared"
cp "$book" "$work/a.db"
RIPEN_DB="$work/a.db" "$bin" status >/dev/null
RIPEN_DB="$work/a.db" /usr/bin/time -f "first sync: %e s, %M KB" "$bin" sync "$work/shared"
du -sh "$work/shared" | sed 's/^/folder after the first sync: /'
RIPEN_DB="$work/a.db" hyperfine -N --warmup 3 --runs 30 "$bin sync $work/shared" |
  grep -E "Time|Range" | sed 's/^/nothing new: /'
cp "$work/a.db" "$work/b.db"
RIPEN_DB="$work/b.db" "$bin" import "$csv" | tail -1
RIPEN_DB="$work/b.db" "$bin" sync "$work/shared" --json >"$work/b.json"
file=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['written'][0])" "$work/b.json")
size=$(stat -c %s "$work/shared/$file")
for i in 1 2 3; do
  cp "$work/a.db" "$work/a$i.db"
  RIPEN_DB="$work/a$i.db" "$bin" status >/dev/null
  RIPEN_DB="$work/a$i.db" RIPEN_IMPORT_TIMING=1 /usr/bin/time -f "take in (run $i): %e s, %M KB" \
    "$bin" sync "$work/shared" 2>&1 | sed 's/^/  /'
  rm -f "$work/a$i.db"*
done
echo "the file: $size bytes"
for i in 1 2 3; do
  "$(dirname "$0")/sync_floor.sh" "$work/a.db" "$work/b.db" | tail -1 | sed "s/^/SQLite's (run $i) /"
done
