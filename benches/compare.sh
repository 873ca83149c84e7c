#!/usr/bin/env bash
# ripen side by side with sqlite3 and taskwarrior, on this machine, in one run.
#
#   benches/compare.sh            # N=1000000 leads (takes a while: it builds two 1M books)
#   N=100000 benches/compare.sh   # a quicker pass
#
# Installs what it needs from Debian (hyperfine, taskwarrior, sqlite3), builds ripen in release,
# and prints medians (hyperfine) and peak RSS (/usr/bin/time -v). Results go to $OUT (default
# benches/out/), one file per measurement, plus a summary on stdout. Not a test: CI only builds.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
TASKS=${TASKS:-50000}
RUNS=${RUNS:-5}
OUT=${OUT:-benches/out}
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

need() {
  command -v "$1" >/dev/null 2>&1 && return
  (apt-get update -qq && apt-get install -y -qq "$2") >/dev/null
}
need hyperfine hyperfine
need task taskwarrior
need sqlite3 sqlite3
[ -x /usr/bin/time ] || (apt-get update -qq && apt-get install -y -qq time) >/dev/null

cargo build --release --quiet
bin=$PWD/target/release/ripen
export TZ=UTC RIPEN_NOW=2026-11-22T09:00:00Z RIPEN_CONFIG=$work/none.toml
median() { python3 -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['median'])" "$@"; }
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}'; }

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%F)"

# 1. Import of an N-row CSV against sqlite3's own .import into an equivalent indexed table.
python3 benches/gen_csv.py "$N" "$work/leads.csv"
schema="CREATE TABLE leads(first_name, last_name, company, email, phone, source, status, amount, created, notes); CREATE INDEX leads_email ON leads(lower(email));"
hyperfine --runs 3 --export-json "$OUT/import.json" \
  --prepare "rm -f $work/s.db; sqlite3 $work/s.db '$schema'" \
  -n "sqlite3 .import" "sqlite3 $work/s.db '.import --csv --skip 1 $work/leads.csv leads'" \
  --prepare "rm -f $work/imported.db $work/imported.db-wal $work/imported.db-shm" \
  -n "ripen import" "RIPEN_DB=$work/imported.db $bin import $work/leads.csv"
s=$(median "$OUT/import.json" 0); r=$(median "$OUT/import.json" 1)
echo "import $N rows: sqlite3 ${s}s, ripen ${r}s, ratio $(python3 -c "print(round($r/$s,2))")x"
# 1b. SQLite's own cost of the writes ripen's import made (rows, indexes, word index): the floor
#     under the ratio above, whatever ripen's code does.
sqlite3 "$work/imported.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
benches/import_floor.sh "$work/imported.db" | tee "$OUT/import_floor.txt"
f=$(awk '/^floor:/ {print $2}' "$OUT/import_floor.txt")
echo "import floor: ${f}s, $(python3 -c "print(round($f/$s,2))")x sqlite3's .import; ripen $(python3 -c "print(round($r/$f,2))")x the floor"

# The realistic book from the generator (the imported one is the worst case: all new, all due).
RIPEN_DB=$work/demo.db "$bin" demo --leads "$N" >/dev/null

# 2. The queue's top 50 against taskwarrior's `task next` on TASKS tasks.
mkdir -p "$work/task"
python3 - "$TASKS" > "$work/tasks.json" <<'PY'
import json, random, sys
r = random.Random(7)
for i in range(int(sys.argv[1])):
    t = {"description": f"Call lead {i}", "status": "pending", "uuid": "%08x-0000-4000-8000-%012x" % (i, i),
         "entry": "20260101T000000Z", "project": r.choice(["web", "fair", "cold"]),
         "priority": r.choice(["H", "M", "L"])}
    if r.random() < 0.7:
        t["due"] = "202611%02dT090000Z" % r.randint(1, 30)
    print(json.dumps(t))
PY
printf 'data.location=%s\nconfirmation=off\nverbose=nothing\n' "$work/task" > "$work/taskrc"
env TASKRC="$work/taskrc" TASKDATA="$work/task" task import "$work/tasks.json" >/dev/null 2>&1
# Each program is given its data by argument, not through `env`, whose own start (about a
# millisecond here) would count against the faster of the two.
# ripen's runs are short, so it gets ten times as many for a steady median.
hyperfine --warmup 2 --runs "$RUNS" --export-json "$OUT/task.json" -N \
  -n "task next ($TASKS tasks)" "task rc:$work/taskrc next limit:50"
hyperfine --warmup 5 --runs "$((RUNS * 10))" --export-json "$OUT/queue.json" -N \
  -n "ripen list queue --limit 50 (demo $N)" "$bin --db $work/demo.db list queue --limit 50" \
  -n "ripen list queue --limit 50 (imported $N)" "$bin --db $work/imported.db list queue --limit 50"
t=$(median "$OUT/task.json" 0); d=$(median "$OUT/queue.json" 0); i=$(median "$OUT/queue.json" 1)
echo "queue: task next ${t}s; ripen ${d}s (demo), ${i}s (imported) → $(python3 -c "print(round($t/$d), round($t/$i))")x faster"

# 3. Process start to first TUI frame (tab counts included), headless.
hyperfine --warmup 2 --runs "$RUNS" --export-json "$OUT/first_frame.json" -N \
  -n "first frame (demo $N)" "$bin --db $work/demo.db --bench-frames 1" \
  -n "first frame (imported $N)" "$bin --db $work/imported.db --bench-frames 1"
echo "first frame: $(median "$OUT/first_frame.json" 0)s (demo), $(median "$OUT/first_frame.json" 1)s (imported)"

# 5. Peak RSS of the TUI (200 frames walking the queue) and of `list`.
echo "peak RSS: TUI $(RIPEN_DB=$work/demo.db rss "$bin" --bench-frames 200) KB," \
  "list queue $(RIPEN_DB=$work/demo.db rss "$bin" list queue --limit 50) KB"

# 6. Every report on the realistic book.
args=()
for r in funnel speed discipline ripening losses sources forecast owners; do
  args+=(-n "report $r" "$bin --db $work/demo.db report $r --json")
done
hyperfine --warmup 1 --runs 5 --export-json "$OUT/reports.json" -N "${args[@]}"
python3 -c "
import json; d = json.load(open('$OUT/reports.json'))
print('reports: ' + ', '.join('%s %.3fs' % (r['command'].split()[1], r['median']) for r in d['results']))"

# 4. Key-to-frame latency on both books: each keystroke through the keymap, `update` and a full
#    draw, in process (it logs contacts, so it runs on copies).
for book in demo imported; do
  sqlite3 "$work/$book.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
  cp "$work/$book.db" "$work/keys.db"
  echo "key to frame ($book $N):"
  RIPEN_BENCH_DB=$work/keys.db cargo bench --quiet --bench keys 2>/dev/null | tee "$OUT/keys-$book.txt"
  rm -f "$work"/keys.db*
done
