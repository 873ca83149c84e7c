#!/usr/bin/env python3
"""Write a large, realistic lead CSV for timing `ripen import` against sqlite3's `.import`.

Usage: benches/gen_csv.py ROWS OUT.csv

Columns are the common spreadsheet names ripen maps automatically; e-mails are unique, so every
row becomes a new lead (the worst case for writing). Deterministic (seeded).
"""

import csv
import random
import sys

FIRST = ["Anna", "Jonas", "Grace", "Quinn", "Léa", "Søren", "Inês", "Björn", "Marco", "Nadia",
         "Kemal", "Rosa", "Zoë", "Óscar", "Tamsin", "Farid", "Paula", "Dmitri", "Carla", "Eléonore"]
LAST = ["Weber", "Costa", "Rossi", "Nowak", "Dubois", "García", "Kowalski", "Silva", "Smith",
        "Tanaka", "Müller", "Larsen", "Novák", "Ødegård", "O'Brien", "van der Berg"]
ORG = ["Acme", "Globex", "Initech", "Hooli", "Umbrella", "Wayne", "Stark", "Wonka", "Tyrell",
       "Cyberdyne", "Soylent", "Vehement", "Brightline", "Kestrel", "Nordwind"]
FORM = ["GmbH", "Ltd", "Inc", "SA", "BV", "AB", "Oy", "S.r.l.", "LLC"]
SOURCE = ["Website", "Referral", "Webinar", "Trade show", "Cold list", "LinkedIn", "Partner"]
STATUS = ["New", "Working", "Qualified", "Lost", "Won"]


def main() -> None:
    rows, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(7)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["First Name", "Last Name", "Company", "Email", "Phone", "Lead Source",
                    "Status", "Amount", "Created Date", "Notes"])
        for i in range(rows):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            org = f"{rnd.choice(ORG)} {rnd.choice(FORM)}"
            email = f"{first.lower()}.{last.lower().replace(' ', '')}.{i}@example.com"
            w.writerow([
                first, last, org, email, f"+49 30 {rnd.randrange(1000000, 9999999)}",
                rnd.choice(SOURCE), rnd.choice(STATUS), f"{rnd.randrange(500, 90000)}.{rnd.randrange(0, 100):02d}",
                f"2026-{rnd.randrange(1, 12):02d}-{rnd.randrange(1, 29):02d} {rnd.randrange(8, 19):02d}:{rnd.randrange(0, 60):02d}",
                "Asked for pricing, budget next quarter" if i % 3 == 0 else "",
            ])


if __name__ == "__main__":
    main()
