//! The schema and its migrations, keyed by `PRAGMA user_version`.
//!
//! Shared tables (`activities`, `source_costs`, `lead_changes`, and any later ones a book
//! exchanges with other laptops)
//! follow the sync rules: a declared UUID primary key, no AUTOINCREMENT, no UNIQUE besides the key,
//! no ON DELETE CASCADE, no derived values, rows never deleted (tombstones), and later migrations
//! only add columns or tables. Local tables (`meta`, `lead_numbers`, and `leads`, built from the
//! change log) hold what is this laptop's own.
//! Indexes are local by nature and may change freely.

/// Each entry moves the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the first book.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    );

    CREATE TABLE leads (
        uid            TEXT PRIMARY KEY NOT NULL,
        name           TEXT NOT NULL,
        company        TEXT,
        title          TEXT,
        email          TEXT,
        phone          TEXT,
        website        TEXT,
        city           TEXT,
        country        TEXT,
        source         TEXT,
        owner          TEXT NOT NULL,
        tags           TEXT NOT NULL DEFAULT '[]',
        notes          TEXT,
        extra          TEXT,
        external_id    TEXT,
        status         TEXT NOT NULL
                       CHECK (status IN ('new','working','open','won','lost','disqualified')),
        class          TEXT CHECK (class IN ('A','B','C')),
        stage          TEXT CHECK (stage IN ('green','warming','ripe','proposal','negotiation')),
        value_cents    INTEGER,
        received_at    INTEGER NOT NULL,
        next_follow_up INTEGER,
        ripe_on        INTEGER,
        closed_at      INTEGER,
        reason         TEXT,
        reason_note    TEXT,
        recycle_on     INTEGER,
        recycle_count  INTEGER NOT NULL DEFAULT 0,
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL,
        deleted_at     INTEGER,
        purged_at      INTEGER
    );

    CREATE TABLE activities (
        uid        TEXT PRIMARY KEY NOT NULL,
        lead_uid   TEXT NOT NULL REFERENCES leads(uid),
        at         INTEGER NOT NULL,
        kind       TEXT NOT NULL
                   CHECK (kind IN ('call','email','meeting','message','note','system')),
        outcome    TEXT,
        note       TEXT,
        created_at INTEGER NOT NULL
    );

    -- Local: the short numbers users type, never shared.
    CREATE TABLE lead_numbers (
        number   INTEGER PRIMARY KEY,
        lead_uid TEXT NOT NULL UNIQUE
    );

    "#,
    // 2: what each lead source cost. Shared, so keyed by UUID; a source's cost is its latest row.
    r#"
    CREATE TABLE source_costs (
        uid        TEXT PRIMARY KEY NOT NULL,
        source     TEXT NOT NULL,
        cost_cents INTEGER NOT NULL,
        set_at     INTEGER NOT NULL
    );
    "#,
    // 3: the triggers that keep the derived tables current become each writing connection's
    // own (TEMP) triggers, so that commands that only read no longer parse them on every open.
    // (`main.`: a connection may already hold TEMP triggers of these names, which an unqualified
    // DROP would find first.) Guards take their place in the file: a connection without them
    // (the `sqlite3` shell, an older ripen) cannot write leads or activities and leave the
    // counts wrong.
    r#"
    DROP TRIGGER IF EXISTS main.tallies_insert;
    DROP TRIGGER IF EXISTS main.tallies_update;
    DROP TRIGGER IF EXISTS main.tallies_delete;
    DROP TRIGGER IF EXISTS main.contacts_activity_insert;
    DROP TRIGGER IF EXISTS main.contacts_activity_update;
    DROP TRIGGER IF EXISTS main.contacts_activity_delete;
    DROP TRIGGER IF EXISTS main.contacts_lead_update;
    DROP TRIGGER IF EXISTS main.contacts_lead_delete;
    DROP TRIGGER IF EXISTS main.leads_search_insert;
    DROP TRIGGER IF EXISTS main.leads_search_delete;
    DROP TRIGGER IF EXISTS main.leads_search_update;
    CREATE TRIGGER leads_insert_guard BEFORE INSERT ON leads WHEN NOT write_through_ripen()
        BEGIN SELECT RAISE(ABORT, 'write to a ripen book through ripen'); END;
    CREATE TRIGGER leads_update_guard BEFORE UPDATE ON leads WHEN NOT write_through_ripen()
        BEGIN SELECT RAISE(ABORT, 'write to a ripen book through ripen'); END;
    CREATE TRIGGER leads_delete_guard BEFORE DELETE ON leads WHEN NOT write_through_ripen()
        BEGIN SELECT RAISE(ABORT, 'write to a ripen book through ripen'); END;
    CREATE TRIGGER activities_insert_guard BEFORE INSERT ON activities
        WHEN NOT write_through_ripen()
        BEGIN SELECT RAISE(ABORT, 'write to a ripen book through ripen'); END;
    CREATE TRIGGER activities_update_guard BEFORE UPDATE ON activities
        WHEN NOT write_through_ripen()
        BEGIN SELECT RAISE(ABORT, 'write to a ripen book through ripen'); END;
    CREATE TRIGGER activities_delete_guard BEFORE DELETE ON activities
        WHEN NOT write_through_ripen()
        BEGIN SELECT RAISE(ABORT, 'write to a ripen book through ripen'); END;
    "#,
    // 4: a lead's value has a currency. In the book's own currency (`currency` NULL) the value
    // is in `value_cents`, as before, so every sum and index over it stays one currency; in
    // another (an ISO 4217 code), it is in `currency_cents` and `value_cents` is NULL.
    r#"
    ALTER TABLE leads ADD COLUMN currency TEXT;
    ALTER TABLE leads ADD COLUMN currency_cents INTEGER;
    "#,
    // 5: every change to a lead is a record in the change log, shared and insert-only; the
    // `leads` rows become this laptop's own, built from it by one fold (`domain::changes`).
    // Each lead of an older book gets one record of its state as it stands (written by
    // `changes::record_existing`, which needs more than SQL: stable uids).
    r#"
    CREATE TABLE lead_changes (
        uid      TEXT PRIMARY KEY NOT NULL,
        lead_uid TEXT NOT NULL,
        field    TEXT NOT NULL,
        value    TEXT,
        clock    INTEGER NOT NULL,
        replica  TEXT NOT NULL
    );
    -- A source renamed: its spelling's costs end with a row naming where they moved (rows
    -- are never changed), instead of being rewritten.
    ALTER TABLE source_costs ADD COLUMN renamed_to TEXT;
    "#,
    ACTIVITY_EVENTS,
    // 7: what this laptop changed in the shared tables, write transaction by write transaction,
    // to be sent to the others: a changeset (SQLite's session extension), or for a bulk load
    // the rows it inserted (JSON: each table's first and last rowid). What the book held before
    // is its first entry, so that the outbox accounts for every shared row. And the sync files
    // this book wrote or applied, by their name in the folder. Both local: this laptop's own.
    r#"
    CREATE TABLE outbox (
        seq       INTEGER PRIMARY KEY,
        changeset BLOB,
        rows      TEXT,
        CHECK ((changeset IS NULL) <> (rows IS NULL))
    );
    INSERT INTO outbox (rows)
        SELECT json_group_array(json_object('table', t, 'first', 1, 'last', m))
        FROM (SELECT 1 AS k, 'lead_changes' AS t, max(rowid) AS m FROM lead_changes
              UNION ALL SELECT 2, 'source_costs', max(rowid) FROM source_costs
              UNION ALL SELECT 3, 'activities', max(rowid) FROM activities
              ORDER BY k)
        WHERE m IS NOT NULL HAVING count(*) > 0;
    CREATE TABLE sync_files (
        name    TEXT PRIMARY KEY NOT NULL,
        written INTEGER NOT NULL
    );
    -- Who made each change (the config's `user`, else the OS user name), and for a change to a
    -- lead's field what it replaced there: the changes of that field its book held as current
    -- (uids, space-separated). Two current changes of one field with different values are a
    -- conflict, shown until someone sets the field again.
    ALTER TABLE lead_changes ADD COLUMN author TEXT;
    ALTER TABLE lead_changes ADD COLUMN seen TEXT;
    ALTER TABLE activities ADD COLUMN author TEXT;
    "#,
];

/// A timeline entry ripen writes by itself says what happened as a typed event
/// ([`crate::domain::event::Event::code`]) beside its words, which readers then never match.
/// The rows written before keep `event` NULL (a shared row is never updated): readers know
/// them by their old words (`store::events`).
const ACTIVITY_EVENTS: &str = r#"
    ALTER TABLE activities ADD COLUMN event TEXT;
    "#;

/// The indexes, by name. They are local (never shared) and derived, so they are reconciled on
/// every open rather than migrated: a missing or changed one is (re)built. Each view's query
/// names the index it reads through (`INDEXED BY`), so plans never depend on statistics.
pub const INDEXES: &[(&str, &str)] = &[
    (
        "activities_by_lead",
        // With the kind, so "the last activity that is not a note" reads no activity row.
        "CREATE INDEX activities_by_lead ON activities(lead_uid, at, kind)",
    ),
    (
        "activities_contacts",
        "CREATE INDEX activities_contacts ON activities(lead_uid, at) \
         WHERE kind IN ('call','email','meeting','message')",
    ),
    // The Inbox's order: new before working, each oldest first.
    (
        "leads_inbox",
        "CREATE INDEX leads_inbox ON leads(status, received_at) \
         WHERE status IN ('new','working') AND deleted_at IS NULL",
    ),
    (
        "leads_pipeline",
        "CREATE INDEX leads_pipeline ON leads((CASE stage WHEN 'green' THEN 0 WHEN 'warming' THEN 1 \
         WHEN 'ripe' THEN 2 WHEN 'proposal' THEN 3 WHEN 'negotiation' THEN 4 END), next_follow_up, \
         value_cents DESC) WHERE status = 'open' AND deleted_at IS NULL",
    ),
    (
        "leads_recycled",
        "CREATE INDEX leads_recycled ON leads(next_follow_up) \
         WHERE status IN ('lost','disqualified') AND recycle_on IS NOT NULL AND deleted_at IS NULL",
    ),
    (
        "leads_due",
        "CREATE INDEX leads_due ON leads(next_follow_up) \
         WHERE status IN ('new','working','open') AND deleted_at IS NULL",
    ),
    // The Won and Lost views read these in closing order; the reports read them for the wins
    // by cohort, the losses by reason and recycled against fresh leads closed in a period, so
    // they also carry what those count.
    (
        "leads_won",
        "CREATE INDEX leads_won ON leads(closed_at, received_at, value_cents, deleted_at, \
         recycle_count) WHERE status = 'won' AND deleted_at IS NULL",
    ),
    (
        "leads_lost",
        "CREATE INDEX leads_lost ON leads(closed_at, status, reason, value_cents, deleted_at, \
         recycle_count) WHERE status IN ('lost','disqualified') AND deleted_at IS NULL",
    ),
    // The reports read these instead of the leads: every column they count, in the order of the
    // group they count by, so that a report is one pass in index order with no sort (a GROUP BY
    // over a million leads spends most of its time sorting). `deleted_at` is carried so that
    // the indexes cover the queries (SQLite does not infer `IS NULL` from the index's WHERE).
    (
        "leads_by_source",
        "CREATE INDEX leads_by_source ON leads(source, received_at, status, class, closed_at, \
         value_cents, recycle_count, deleted_at) WHERE deleted_at IS NULL",
    ),
    (
        "leads_by_owner",
        "CREATE INDEX leads_by_owner ON leads(owner, received_at, status, class, closed_at, \
         value_cents, recycle_count, deleted_at) WHERE deleted_at IS NULL",
    ),
    // Each owner's leads by follow-up, with what says whether they are active or recycled:
    // `ripen owner list`, the owners report's overdue follow-ups and the oldest of them (one
    // pass in owner order, no sort), and one owner's follow-ups and recycled touches counted (a
    // seek per owner).
    (
        "leads_due_by_owner",
        "CREATE INDEX leads_due_by_owner ON leads(owner, next_follow_up, status, recycle_on, \
         deleted_at) WHERE deleted_at IS NULL",
    ),
    (
        "leads_forecast",
        "CREATE INDEX leads_forecast ON leads(ripe_on, value_cents DESC, stage, deleted_at) \
         WHERE status = 'open' AND deleted_at IS NULL",
    ),
    // Every lead, newest first (the All view), and the reports by month received.
    (
        "leads_received",
        "CREATE INDEX leads_received ON leads(received_at, status, class, closed_at, value_cents, \
         recycle_count, deleted_at) WHERE deleted_at IS NULL",
    ),
    (
        "leads_email",
        "CREATE INDEX leads_email ON leads(lower(email)) WHERE email IS NOT NULL",
    ),
    // A lead found by its id in the CRM it came from: a second import of the same export.
    (
        "leads_external",
        "CREATE INDEX leads_external ON leads(external_id) WHERE external_id IS NOT NULL",
    ),
    // The leads whose value is in another currency than the book's: few, summed apart.
    (
        "leads_foreign",
        "CREATE INDEX leads_foreign ON leads(status, currency) \
         WHERE currency IS NOT NULL AND deleted_at IS NULL",
    ),
    (
        "leads_deleted",
        "CREATE INDEX leads_deleted ON leads(deleted_at) WHERE deleted_at IS NOT NULL",
    ),
    // A lead's changes, to fold it.
    (
        "lead_changes_by_lead",
        "CREATE INDEX lead_changes_by_lead ON lead_changes(lead_uid, clock)",
    ),
    // The changes that can conflict (not a lead's first record, tags, purges or sums), by
    // field and lead: where two books changed one field (`Store::conflicts`). A book of
    // imported leads has next to none.
    (
        "lead_changes_edits",
        "CREATE INDEX lead_changes_edits ON lead_changes(field, lead_uid, replica) \
         WHERE field NOT IN ('created','tag+','tag-','purge','recycles')",
    ),
    (
        "source_costs_by_source",
        "CREATE INDEX source_costs_by_source ON source_costs(source, set_at, uid)",
    ),
];

/// The pipeline's column order, exactly as `leads_pipeline` indexes it.
pub const STAGE_RANK: &str =
    "(CASE stage WHEN 'green' THEN 0 WHEN 'warming' THEN 1 WHEN 'ripe' THEN 2
                    WHEN 'proposal' THEN 3 WHEN 'negotiation' THEN 4 END)";

/// The schema version this binary writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// The tables a book shares with other laptops (the sync rules apply), and its own. `leads`
/// was shared until schema 5; since, its rows are built from `lead_changes`.
pub const SHARED_TABLES: [&str; 3] = ["activities", "source_costs", "lead_changes"];
pub const LOCAL_TABLES: [&str; 5] = ["meta", "lead_numbers", "leads", "outbox", "sync_files"];

/// The schema whose migration started the change log.
pub const CHANGE_LOG: i64 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    /// Each statement of the migrations, upper-cased, with the migration it is in.
    fn statements() -> Vec<(usize, String)> {
        MIGRATIONS
            .iter()
            .enumerate()
            .flat_map(|(i, m)| {
                // Comments (`-- …`) left out, then one statement at a time.
                let text: String = m
                    .lines()
                    .map(|l| l.split("--").next().unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join("\n");
                text.split(';')
                    .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .map(move |s| (i + 1, s.to_uppercase()))
            })
            .collect()
    }

    /// The shared tables keep the sync rules in every migration: a NOT NULL UUID key, no
    /// AUTOINCREMENT, no UNIQUE besides the key, no CASCADE, changed later by added columns only
    /// (no column dropped or renamed, no row updated or deleted); every table is one side of
    /// the line or the other.
    #[test]
    fn every_migration_keeps_the_shared_tables_rules() {
        let shared = |t: &str| SHARED_TABLES.iter().any(|s| s.eq_ignore_ascii_case(t));
        let mut created = Vec::new();
        for (m, s) in statements() {
            if let Some(rest) = s.strip_prefix("CREATE TABLE ") {
                let name = rest.split([' ', '(']).next().unwrap_or("").to_lowercase();
                assert!(
                    SHARED_TABLES.contains(&name.as_str()) || LOCAL_TABLES.contains(&name.as_str()),
                    "migration {m}: table {name} is neither shared nor local: say which"
                );
                created.push(name.clone());
                if shared(&name) {
                    assert!(
                        rest.contains("UID TEXT PRIMARY KEY NOT NULL"),
                        "migration {m}: shared table {name} is not keyed by a NOT NULL UUID"
                    );
                    for banned in ["AUTOINCREMENT", "UNIQUE", "CASCADE"] {
                        assert!(
                            !rest.contains(banned),
                            "migration {m}: shared table {name} has {banned}"
                        );
                    }
                }
            }
            for verb in ["ALTER TABLE ", "UPDATE ", "DELETE FROM ", "DROP TABLE "] {
                if let Some(rest) = s.strip_prefix(verb) {
                    let name = rest.split([' ', '(']).next().unwrap_or("").to_lowercase();
                    if !shared(&name) {
                        continue;
                    }
                    assert!(
                        verb == "ALTER TABLE " && rest.contains(" ADD COLUMN "),
                        "migration {m}: {verb}{name} changes a shared table other than by \
                         adding a column: {s}"
                    );
                }
            }
        }
        for t in SHARED_TABLES.iter().chain(&LOCAL_TABLES) {
            assert!(created.iter().any(|c| c == t), "{t} is never created");
        }
    }

    /// Rows of the shared tables are only ever inserted: the one place that changes them is
    /// the fold's carrying out of a purge (`store/changes.rs`), which must leave no personal
    /// data behind. Every source file outside its tests is read for a statement that updates,
    /// deletes or replaces a shared row.
    #[test]
    fn no_code_updates_or_deletes_a_shared_row_outside_the_fold() {
        fn walk(d: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&src, &mut files);
        assert!(files.len() > 50, "the sources were not found");
        for path in files {
            if path.ends_with("store/changes.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Tests (at the foot of a file) may break a book on purpose.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let code: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
            let code = code.to_uppercase();
            for table in SHARED_TABLES {
                let t = table.to_uppercase();
                for verb in [
                    format!("UPDATE {t} "),
                    format!("DELETE FROM {t} "),
                    format!("DELETE FROM {t}\""),
                    format!("REPLACE INTO {t} "),
                    format!("OR REPLACE INTO {t} "),
                ] {
                    assert!(
                        !code.contains(&verb),
                        "{}: {verb}— a shared table's rows are only inserted",
                        path.display()
                    );
                }
            }
        }
    }
}
