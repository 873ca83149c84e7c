//! The book on a real SQLite file: the store (opening, migrations, the views' query plans), kill -9
//! at random moments, the app and the CLI writing at once, and a failing disk.

#[path = "../common/mod.rs"]
mod common;

mod concurrency;
mod crash;
mod disk;
mod log;
mod store;
