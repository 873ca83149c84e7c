//! ripen: a keyboard-driven book of sales leads in a local SQLite file.
//!
//! Dependencies point inward: `tui` and `cli` write through `ops`, which uses `io` and `store`;
//! `io` and `report` use `store`, which uses `domain`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod io;
pub mod ops;
pub mod record;
pub mod report;
pub mod store;
pub mod tui;
