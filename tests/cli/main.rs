//! The real binary as scripts and users run it: its commands and `--json` (`commands`), the
//! exports, the reports, dates in the user's time zone, and the app end to end in tmux.

#[path = "../common/mod.rs"]
mod common;

mod commands;
mod export;
mod ops;
mod owners;
mod reports;
mod sync;
mod time_zones;
mod tmux;
