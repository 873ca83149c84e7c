#!/bin/bash
# Instruction counts (callgrind) of two release binaries (OLD, NEW) on one demo 200k book each:
# first frame, two lists, a report, and a 20,000-row import. OLD=path/to/ripen NEW=path/to/ripen.
set -u
OLD=${OLD:?the older binary}
NEW=${NEW:?the newer binary}
W=$(mktemp -d)
export RIPEN_NOW=2026-11-22T09:00:00Z TZ=UTC RIPEN_CONFIG=$W/none.toml
# The book is made by OLD, so that NEW, if its schema is newer, migrates its copy as a user's
# book would be (an older binary refuses a newer book).
RIPEN_DB=$W/base.db $OLD demo --leads 200000 > /dev/null 2>&1
cp $W/base.db $W/old.db; cp $W/base.db $W/new.db
# Let each binary rebuild what it keeps differently (indexes, derived tables) before measuring.
RIPEN_DB=$W/old.db $OLD status > /dev/null 2>&1
RIPEN_DB=$W/new.db $NEW status > /dev/null 2>&1
python3 - <<'PY' > $W/20k.csv
import random
random.seed(7)
print("name,email,company,phone,source,status,created")
for i in range(20000):
    print(f"Person {i},p{i}@x{i%997}.example,Company {i%3001},+49 30 {i:07d},{['Web','Referral','Cold list'][i%3]},{['new','working','open'][i%3]},2026-{1+i%11:02d}-{1+i%28:02d}")
PY
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | grep -o "Collected : [0-9]*" | grep -o "[0-9]*"; }
for who in old new; do
  B=$OLD; [ $who = new ] && B=$NEW
  export RIPEN_DB=$W/$who.db
  ff=$(count $B --bench-frames 1)
  q=$(count $B list queue --limit 50)
  inbox=$(count $B list inbox --limit 50)
  sp=$(count $B report speed --json)
  rm -f $W/imp-$who.db*
  imp=$(RIPEN_DB=$W/imp-$who.db count $B import $W/20k.csv)
  echo "$who first_frame=$ff list_queue=$q list_inbox=$inbox report_speed=$sp import_20k=$imp"
done
