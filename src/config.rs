//! Where the book and the config live, what "now" is, and loading the config file.
//!
//! `RIPEN_DB` / `--db` choose the book (default: the platform data dir), `RIPEN_CONFIG` /
//! `--config` the config (default: the platform config dir), and `RIPEN_NOW` (RFC 3339) fixes
//! the clock for tests and demos. The user's time zone is the config's `time_zone`, else the
//! system's (`TZ`, or the OS setting), else UTC.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::path::{Path, PathBuf};

use crate::domain::plan::TimeZone;
use crate::domain::time::{Tz, zone_named};
use crate::domain::{Now, Plan};

/// The config file: the plan's rules plus user interface settings.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub plan: Plan,
    /// Key overrides for the TUI, from the `[keys]` table: command name → key (`log = "L"`).
    pub keys: std::collections::BTreeMap<String, String>,
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "ripen")
}

/// The book's path: the flag or `RIPEN_DB` if given, else `ripen.db` in the data dir.
pub fn db_path(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = flag.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(p);
    }
    let dirs =
        project_dirs().context("cannot find a home directory for the book; pass --db PATH")?;
    Ok(dirs.data_dir().join("ripen.db"))
}

/// The config file's path: the flag or `RIPEN_CONFIG`, else `config.toml` in the config dir.
pub fn config_path(flag: Option<PathBuf>) -> Option<PathBuf> {
    flag.filter(|p| !p.as_os_str().is_empty())
        .or_else(|| project_dirs().map(|d| d.config_dir().join("config.toml")))
}

/// Load the config; a missing file means the defaults. Its time zone, if it names none, is the
/// system's ([`system_zone`]).
pub fn load(path: Option<&Path>) -> Result<Config> {
    let mut config = load_file(path)?;
    config.plan.time_zone_set = config.plan.time_zone.is_some();
    if config.plan.time_zone.is_none() {
        config.plan.time_zone = Some(TimeZone(system_zone()));
    }
    Ok(config)
}

fn load_file(path: Option<&Path>) -> Result<Config> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => {
            return Err(e).with_context(|| format!("{}: cannot read the config", path.display()));
        }
    };
    parse(&text).with_context(|| format!("{}: bad config", path.display()))
}

/// The system's time zone: `TZ` when it names one (`Europe/Berlin`, `:Europe/Berlin`; a POSIX
/// rule such as `CET-1CEST` is no name and is passed over), else the OS setting, else UTC.
pub fn system_zone() -> Tz {
    std::env::var("TZ")
        .ok()
        .and_then(|tz| zone_named(&tz))
        .or_else(|| {
            iana_time_zone::get_timezone()
                .ok()
                .and_then(|n| zone_named(&n))
        })
        .unwrap_or(Tz::UTC)
}

/// Parse config text.
pub fn parse(text: &str) -> Result<Config> {
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim()))?;
    let keys = match table.remove("keys") {
        Some(k) => std::collections::BTreeMap::<String, String>::deserialize(k)
            .map_err(|e| anyhow::anyhow!("[keys]: {}", e.to_string().trim()))?,
        None => Default::default(),
    };
    let plan = Plan::deserialize(table).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim()))?;
    let mut config = Config { plan, keys };
    if config.plan.user.trim().is_empty() {
        config.plan.user = Plan::default().user;
    }
    if config.plan.priority.overdue_per_day < 1 {
        bail!("priority.overdue_per_day must be at least 1");
    }
    config
        .plan
        .check_currencies()
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(config)
}

/// "Now" in `zone`: `RIPEN_NOW` if set (RFC 3339: it fixes the moment only, its offset says
/// nothing of the zone), else the system clock.
pub fn now(zone: Tz) -> Result<Now> {
    match std::env::var("RIPEN_NOW") {
        Ok(s) if !s.trim().is_empty() => {
            let at = DateTime::parse_from_rfc3339(s.trim())
                .with_context(|| format!("RIPEN_NOW=\"{s}\" is not an RFC 3339 time"))?;
            Ok(Now::new(at.with_timezone(&Utc), zone))
        }
        _ => Ok(Now::new(Utc::now(), zone)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_config_parses_and_equals_the_defaults() {
        let c = parse(include_str!("../assets/config.example.toml")).unwrap();
        assert_eq!(c.plan, Plan::default());
    }

    #[test]
    fn a_partial_config_overrides_only_what_it_names() {
        let c = parse("user = \"Sam\"\n[cadence]\nclass_a = 2\n").unwrap();
        assert_eq!(c.plan.user, "Sam");
        assert_eq!(c.plan.cadence.class_a, 2);
        assert_eq!(c.plan.cadence.class_b, 7);
    }

    #[test]
    fn the_time_zone_is_an_iana_name_and_a_wrong_one_is_refused_by_name() {
        let c = parse("time_zone = \"America/New_York\"\n").unwrap();
        assert_eq!(c.plan.zone(), Tz::America__New_York);
        let err = format!("{:#}", parse("time_zone = \"Europe/Berln\"\n").unwrap_err());
        assert!(err.contains("unknown time zone \"Europe/Berln\""), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(parse("colour = \"red\"").is_err());
    }
}
