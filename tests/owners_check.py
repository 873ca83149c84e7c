#!/usr/bin/env python3
"""Independent check of `ripen report owners --json` against a Pipedrive deals export.

Computes per owner, straight from the CSV: leads, won, lost, win_rate = won / (won + lost),
avg_days_to_close over won and lost deals (deal created -> won/lost time, a time after "now"
being now, as no deal can have closed later: RIPEN_NOW, default 2026-11-22T09:00:00Z), revenue
(value of won deals); then compares with the JSON ripen printed (read from stdin). Exit 0 when they agree.

    ripen import deals.csv && ripen report owners --json | python3 tests/owners_check.py deals.csv
"""
import csv
import json
import os
import sys
from datetime import datetime, timezone

NOW = datetime.fromisoformat(os.environ.get("RIPEN_NOW", "2026-11-22T09:00:00Z").replace("Z", "+00:00")).timestamp()


def ts(s):
    return datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def expected(path):
    owners = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            o = owners.setdefault(row["Deal - Owner"], {"leads": 0, "won": 0, "lost": 0, "days": [], "revenue": 0.0})
            o["leads"] += 1
            status = row["Deal - Status"]
            if status in ("won", "lost"):
                o[status] += 1
                closed = row["Deal - Won time"] if status == "won" else row["Deal - Lost time"]
                o["days"].append((min(ts(closed), NOW) - ts(row["Deal - Deal created"])) / 86400)
            if status == "won":
                o["revenue"] += float(row["Deal - Value"])
    out = {}
    for name, o in owners.items():
        closed = o["won"] + o["lost"]
        out[name] = {
            "owner": name,
            "leads": o["leads"],
            "won": o["won"],
            "lost": o["lost"],
            "win_rate": o["won"] / closed if closed else None,
            "avg_days_to_close": sum(o["days"]) / len(o["days"]) if o["days"] else None,
            "revenue": o["revenue"],
        }
    return out


def close(a, b):
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-6


def main():
    want = expected(sys.argv[1])
    got = {o["owner"]: o for o in json.load(sys.stdin)}
    bad = []
    if set(want) != set(got):
        bad.append(f"owners differ: want {sorted(want)}, got {sorted(got)}")
    for name, w in want.items():
        g = got.get(name, {})
        for k, v in w.items():
            if k == "owner":
                continue
            if not close(v, g.get(k)):
                bad.append(f"{name}.{k}: want {v}, got {g.get(k)}")
    for b in bad:
        print(b, file=sys.stderr)
    print("owners agree" if not bad else f"{len(bad)} difference(s)")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
