//! Key-to-frame latency, in process: each keystroke goes through the app's `update` (which reads
//! and writes the book) and a full `draw` of a 120×40 frame, and is timed from the key to the
//! drawn frame. Reports p50 and p99 per kind of keystroke:
//!
//! - scroll: `j`/`k` down and up the follow-up queue
//! - view switch: `1` `2` `3` `4` round the tabs
//! - filter keystroke: typing into the `/` filter of the queue, one character at a time
//! - filter count on a pause: what the app does between keystrokes when a filter matches more
//!   than a screen (count the rest, to 200, and draw); a key arriving meanwhile interrupts it
//! - log a contact: `l` opens the form prefilled from the contact plan, `Enter` saves it
//! - the pipeline board: a filter keystroke on it, and `m` switching stages and months
//!
//! The book: `RIPEN_BENCH_DB=PATH` uses a copy-free existing book (it logs contacts into it: use
//! a scratch copy), else a demo book of `RIPEN_BENCH_LEADS` leads (default 100,000) is generated
//! in a temp dir. `benches/compare.sh` runs it on the 1M-lead books.
//!
//!     RIPEN_BENCH_DB=/tmp/demo.db cargo bench --bench keys
//!
//! `RIPEN_BENCH_VERBOSE=1` also prints every keystroke's time, key, tab and filter, to find which
//! keystrokes make a p99.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ripen::domain::{Now, Plan};
use ripen::store::Store;
use ripen::tui::app::App;
use ripen::tui::event_loop;
use ripen::tui::keymap::Keymap;
use ripen::tui::theme::Theme;
use ripen::tui::view;

/// `RIPEN_NOW` or the clock, in UTC (the zone only moves day boundaries, not the work timed).
fn now() -> Now {
    ripen::config::now(ripen::domain::time::Tz::UTC).unwrap_or_else(|e| panic!("{e}"))
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

struct Bench {
    store: Store,
    app: App,
    term: Terminal<TestBackend>,
    now: Now,
    /// `RIPEN_BENCH_VERBOSE` set: print each keystroke's time.
    verbose: bool,
}

impl Bench {
    /// One keystroke, from the key to the drawn frame: read through the keymap exactly as the
    /// event loop reads it, then update and draw.
    fn press(&mut self, k: KeyEvent) -> Duration {
        let started = Instant::now();
        if let Some(a) = event_loop::action_for(&self.app, Event::Key(k)) {
            self.app.update(a, &mut self.store, &self.now);
        }
        self.term
            .draw(|f| view::draw(f, &self.app))
            .unwrap_or_else(|e| panic!("draw: {e}"));
        let took = started.elapsed();
        if self.verbose {
            println!(
                "  {:8.3} ms  {:?} on {:?}, filter {:?}",
                took.as_secs_f64() * 1e3,
                k.code,
                self.app.tab,
                self.app.filter_text(),
            );
        }
        took
    }

    /// Type each word into the filter a character at a time, pausing after each (so the count
    /// finishes, unmeasured), then erase it: the times of the typing and erasing keystrokes.
    fn type_words(&mut self, words: &[&str]) -> Vec<Duration> {
        let mut times = Vec::new();
        for word in words {
            self.press(ch('/'));
            for c in word.chars() {
                times.push(self.press(ch(c)));
                self.pause();
            }
            for _ in word.chars() {
                times.push(self.press(key(KeyCode::Backspace)));
            }
            self.press(key(KeyCode::Esc));
        }
        times
    }

    /// What the event loop does when the user pauses with a filtered list only counted as far
    /// as the screen: count the rest and draw. None when there was nothing to count.
    fn pause(&mut self) -> Option<Duration> {
        if !self.app.counting() {
            return None;
        }
        let started = Instant::now();
        self.app.count_further(&self.store, || false);
        self.term
            .draw(|f| view::draw(f, &self.app))
            .unwrap_or_else(|e| panic!("draw: {e}"));
        Some(started.elapsed())
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<18} n={:<5} p50 {:>7.3} ms   p99 {:>7.3} ms   max {:>7.3} ms",
        times.len(),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(times[times.len() - 1]),
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench`-less args: keep that quick.
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let now = now();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let store = match std::env::var_os("RIPEN_BENCH_DB") {
        Some(path) => Store::open(std::path::Path::new(&path), Plan::default()),
        None => {
            let n: usize = std::env::var("RIPEN_BENCH_LEADS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(100_000);
            Store::open(&dir.path().join("bench.db"), Plan::default()).map(|mut s| {
                ripen::demo::fill(&mut s, n, 7, &now).unwrap_or_else(|e| panic!("demo: {e}"));
                s
            })
        }
    }
    .unwrap_or_else(|e| panic!("open: {e}"));
    // As in the app's loop, which checkpoints the WAL when the user pauses, not on a keystroke.
    store
        .defer_checkpoints()
        .and_then(|()| store.cache_kib(ripen::tui::PAGE_CACHE_KIB))
        .unwrap_or_else(|e| panic!("pragma: {e}"));
    let size = Rect::new(0, 0, 120, 40);
    let started = Instant::now();
    let app = App::new(&store, Keymap::default(), Theme::colour(), now, size);
    let mut term = Terminal::new(TestBackend::new(size.width, size.height))
        .unwrap_or_else(|e| panic!("terminal: {e}"));
    term.draw(|f| view::draw(f, &app))
        .unwrap_or_else(|e| panic!("draw: {e}"));
    println!(
        "first frame (open excluded) {:.3} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    // As the app's loop does once its first frame is up.
    let mut store = store;
    store
        .prepare_writes()
        .unwrap_or_else(|e| panic!("triggers: {e}"));
    let mut b = Bench {
        store,
        app,
        term,
        now,
        verbose: std::env::var_os("RIPEN_BENCH_VERBOSE").is_some(),
    };

    // Scroll the queue down and back up.
    b.press(ch('2'));
    let mut scroll = Vec::new();
    for i in 0..600 {
        scroll.push(b.press(ch(if (i / 150) % 2 == 0 { 'j' } else { 'k' })));
    }
    report("scroll", scroll);

    // Round the tabs.
    let mut switch = Vec::new();
    for i in 0..200 {
        switch.push(b.press(ch(['1', '2', '3', '4'][i % 4])));
    }
    report("view switch", switch);

    // Type filters into the queue, one keystroke at a time, and clear them.
    b.press(ch('2'));
    let mut filter = Vec::new();
    let mut counted = Vec::new();
    for word in [
        "jan", "mül", "acme", "zz", "kim", "gmbh", "lee", "xq", "partner", "ann", "example",
        "jannis",
    ]
    .iter()
    .cycle()
    .take(36)
    {
        b.press(ch('/'));
        for (i, c) in word.chars().enumerate() {
            filter.push(b.press(ch(c)));
            // Every other keystroke, the user pauses long enough for the count to finish.
            if i % 2 == 1 {
                counted.extend(b.pause());
            }
        }
        for _ in word.chars() {
            filter.push(b.press(key(KeyCode::Backspace)));
        }
        b.press(key(KeyCode::Esc));
    }
    report("filter keystroke", filter);
    if !counted.is_empty() {
        report("filter: count on a pause", counted);
    }

    // The pipeline board: filter it, and switch it between stages and months.
    const BOARD_WORDS: [&str; 4] = ["acme", "gmbh", "jannis", "e"];
    b.press(ch('3'));
    let board = b.type_words(&BOARD_WORDS);
    report("board: filter key", board);
    let mut months = Vec::new();
    for _ in 0..20 {
        months.push(b.press(ch('m')));
    }
    report("board: m (months)", months);
    b.press(ch('m'));
    let by_month = b.type_words(&BOARD_WORDS);
    report("months: filter key", by_month);
    b.press(ch('m'));

    // Log a contact on the lead at the top of the queue, a hundred times: `l`, then Enter.
    b.press(ch('2'));
    let mut open = Vec::new();
    let mut save = Vec::new();
    for _ in 0..100 {
        open.push(b.press(ch('l')));
        save.push(b.press(key(KeyCode::Enter)));
    }
    report("log: open form", open);
    report("log: save (Enter)", save);
    let status = b
        .app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    println!("last status line: {status}");
}
