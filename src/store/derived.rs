//! The local objects rebuilt from the shared tables: the derived tables (counts, touches,
//! contacts, the search index, …) with the TEMP triggers that keep them current, their
//! freshness keys, the queue's partial index, and dropping and rebuilding them around a bulk
//! load.

use rusqlite::{Connection, OptionalExtension};

use super::view_sql::QueueSql;
use super::{Result, contacts, schema, search, tally, touches, tuning, uncontacted};
use crate::domain::time::Tz;

/// A set of local derived objects (a table with its indexes and the triggers that keep it
/// current) and how to fill the table from the book.
pub(super) struct Derived {
    /// What it is, in the user's words.
    pub(super) what: &'static str,
    /// The table and its indexes, in the file.
    pub(super) objects: fn() -> Vec<(&'static str, String)>,
    /// The triggers that keep the table current: TEMP, each writing connection's own.
    pub(super) triggers: fn() -> Vec<(&'static str, String)>,
    pub(super) fill: fn(&Connection) -> Result<()>,
    /// Whether a bulk load drops it and rebuilds it at the end, instead of firing its triggers
    /// row by row.
    pub(super) bulk_rebuilt: bool,
    /// Whether its table keeps local months (`ripen_month`), and so is filled for one zone.
    pub(super) zoned: bool,
}

pub(super) const DERIVED: [Derived; 5] = [
    Derived {
        what: "cached counts",
        objects: tally::objects,
        triggers: tally::triggers,
        fill: tally::fill,
        bulk_rebuilt: true,
        zoned: false,
    },
    // Bulk loads add leads without contacts, which fire none of its triggers.
    Derived {
        what: "first and last contacts",
        objects: contacts::objects,
        triggers: contacts::triggers,
        fill: contacts::fill,
        bulk_rebuilt: false,
        zoned: true,
    },
    // Bulk loads write a system entry per lead: one pass at the end beats an upsert each.
    Derived {
        what: "last contacts and activities",
        objects: touches::objects,
        triggers: touches::triggers,
        fill: touches::fill,
        bulk_rebuilt: true,
        zoned: false,
    },
    // Bulk loads write no entry it reads: its triggers' WHEN passes every row by.
    Derived {
        what: "leads closed without a contact",
        objects: uncontacted::objects,
        triggers: uncontacted::triggers,
        fill: uncontacted::fill,
        bulk_rebuilt: false,
        zoned: true,
    },
    // One sorted build is cheaper than a million trigger inserts.
    Derived {
        what: "word index",
        objects: search::objects,
        triggers: search::triggers,
        fill: search::fill,
        bulk_rebuilt: true,
        zoned: false,
    },
];

/// The indexes wanted here, each with its definition.
pub(super) fn wanted_indexes(queue: &QueueSql) -> Vec<(&'static str, String)> {
    let mut wanted: Vec<(&str, String)> = schema::INDEXES
        .iter()
        .map(|(name, ddl)| (*name, ddl.to_string()))
        .collect();
    wanted.push(("leads_queue", queue.index_ddl().to_string()));
    wanted
}

/// How many of the indexes wanted here are missing or differ in the file.
pub(super) fn stale_indexes(queue: &QueueSql, conn: &Connection) -> Result<usize> {
    let have = current_indexes(conn)?;
    Ok(wanted_indexes(queue)
        .iter()
        .filter(|(name, ddl)| have.get(*name) != Some(ddl))
        .count())
}

/// Every index in the file, by name, with its definition.
pub(super) fn current_indexes(
    conn: &Connection,
) -> Result<std::collections::HashMap<String, String>> {
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The guard triggers' function: it exists only on connections whose TEMP triggers keep the
/// derived tables current (see [`Store::prepare_writes`]).
const GUARD_FN: &str = "write_through_ripen";

/// A derived set's trigger as this connection's own (TEMP) trigger.
fn temp_trigger(ddl: &str) -> String {
    ddl.replacen("CREATE TRIGGER", "CREATE TEMP TRIGGER IF NOT EXISTS", 1)
}

/// Create every derived set's triggers on this connection, and the function that tells the
/// file's guard triggers so.
pub(super) fn install_triggers(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        GUARD_FN,
        0,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        |_| Ok(true),
    )?;
    let mut sql = String::new();
    for set in &DERIVED {
        for (_, ddl) in (set.triggers)() {
            sql.push_str(&temp_trigger(&ddl));
            sql.push_str(";\n");
        }
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

/// Whether a set is in the file as defined here: its table and indexes as written, and its
/// table filled under the triggers defined here (a change to them must refill it, as rows they
/// kept differently would stay wrong), with no trigger of the same name left in the file.
pub(super) fn derived_fresh(conn: &Connection, set: &Derived, zone: Tz) -> Result<bool> {
    let mut stmt = conn.prepare_cached(
        "SELECT sql FROM main.sqlite_master WHERE name = ?1 AND type IN ('table','index')",
    )?;
    for (name, ddl) in (set.objects)() {
        let have: Option<String> = stmt.query_row([name], |r| r.get(0)).optional()?;
        if have.as_deref() != Some(ddl.as_str()) {
            return Ok(false);
        }
    }
    let built: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [built_key(set)],
            |r| r.get(0),
        )
        .optional()?;
    if built != Some(triggers_hash(set, zone)) {
        return Ok(false);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT count(*) FROM main.sqlite_master WHERE type = 'trigger' AND name = ?1",
    )?;
    for (name, _) in (set.triggers)() {
        if stmt.query_row([name], |r| r.get::<_, i64>(0))? > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The `meta` key that records which triggers a set's table was filled under.
fn built_key(set: &Derived) -> String {
    format!("built {}", (set.objects)()[0].0)
}

/// A hash of the triggers a set's table is filled under, and of the zone of its months if it
/// keeps any (a table filled in another zone must be refilled).
fn triggers_hash(set: &Derived, zone: Tz) -> String {
    let triggers = (set.triggers)();
    let zone = set.zoned.then(|| zone.name());
    fnv(triggers.iter().map(|(_, ddl)| ddl.as_str()).chain(zone))
}

/// FNV-1a (64 bits) of some texts, in hex: written into books, so it must not change with the
/// Rust release the way `DefaultHasher` may.
pub(super) fn fnv<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for t in texts {
        for b in t.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// [`fnv`] of every derived set's trigger SQL. Kept as a constant so that opening a book need
/// not build that SQL to know whether it changed; a unit test holds it to the SQL. Changing a
/// trigger means changing this, which makes every book refill its derived tables once.
pub(super) const TRIGGERS_FINGERPRINT: &str = "1d7c12976b7cbf69";

/// Drop a set's objects, recreate its table, fill it, then create its indexes and (this
/// connection's) triggers.
pub(super) fn rebuild_set(conn: &Connection, set: &Derived, zone: Tz) -> Result<()> {
    drop_set(conn, set)?;
    let objects = (set.objects)();
    let (tables, indexes): (Vec<_>, Vec<_>) = objects.iter().partition(|(_, ddl)| {
        ddl.starts_with("CREATE TABLE") || ddl.starts_with("CREATE VIRTUAL TABLE")
    });
    for (_, ddl) in &tables {
        conn.execute_batch(ddl)?;
    }
    (set.fill)(conn)?;
    for (_, ddl) in &indexes {
        conn.execute_batch(ddl)?;
    }
    for (_, ddl) in (set.triggers)() {
        conn.execute_batch(&temp_trigger(&ddl))?;
    }
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
        [built_key(set), triggers_hash(set, zone)],
    )?;
    Ok(())
}

fn drop_set(conn: &Connection, set: &Derived) -> Result<()> {
    // Names come from the constant definitions, never from input. The triggers: this
    // connection's own, and any an older ripen left in the file.
    for (name, _) in (set.triggers)() {
        conn.execute_batch(&format!(
            "DROP TRIGGER IF EXISTS temp.{name}; DROP TRIGGER IF EXISTS main.{name};"
        ))?;
    }
    for (name, ddl) in (set.objects)().iter().rev() {
        let kind = match ddl.split_whitespace().nth(1) {
            Some("INDEX") => "INDEX",
            _ => "TABLE",
        };
        conn.execute_batch(&format!("DROP {kind} IF EXISTS {name};"))?;
    }
    Ok(())
}

/// Before a bulk load, inside its transaction: drop the derived sets that are cheaper rebuilt
/// once than maintained row by row (all of them when the load brings timelines too);
/// [`rebuild_after_bulk`] restores them before the commit.
pub(super) fn drop_for_bulk(conn: &Connection, with_timelines: bool) -> Result<()> {
    for set in DERIVED.iter().filter(|s| s.bulk_rebuilt || with_timelines) {
        drop_set(conn, set)?;
    }
    Ok(())
}

/// After a bulk load, inside its transaction: rebuild what [`drop_for_bulk`] dropped.
pub(super) fn rebuild_after_bulk(conn: &Connection, zone: Tz) -> Result<()> {
    let mut clock = std::time::Instant::now();
    for set in &DERIVED {
        if !derived_fresh(conn, set, zone)? {
            rebuild_set(conn, set, zone)?;
            tuning::phase(set.what, &mut clock);
        }
    }
    Ok(())
}
