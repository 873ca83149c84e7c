//! The WHEN grammar: any text in, a moment or a clear error out, never a panic.
#![no_main]

use chrono::{FixedOffset, TimeZone};
use libfuzzer_sys::fuzz_target;
use ripen::domain::Now;
use ripen::domain::time::parse_when;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Vary the local offset with the first byte so day boundaries move too.
    let hours = data.first().map(|b| i32::from(*b % 27) - 13).unwrap_or(0);
    let Some(offset) = FixedOffset::east_opt(hours * 3600) else {
        return;
    };
    let Some(at) = offset.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).single() else {
        return;
    };
    let now = Now::new(at);
    if let Ok(t) = parse_when(text, &now) {
        // Whatever parses must print back as a valid time.
        let _ = t.to_rfc3339();
    }
});
