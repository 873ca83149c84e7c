//! The book on a real SQLite file: the store (opening, migrations, the views' query plans), kill -9
//! at random moments, the app and the CLI writing at once, a failing disk, and a book of the
//! previous release opened by this one.

#[path = "../common/mod.rs"]
mod common;

mod concurrency;
mod crash;
mod disk;
mod log;
mod migrate;
mod store;
