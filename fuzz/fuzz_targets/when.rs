//! The WHEN grammar: any text in, a moment or a clear error out, never a panic.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use ripen::domain::Now;
use ripen::domain::time::{Tz, parse_when};

/// Zones whose days start at different hours, with and without daylight saving (Santiago's
/// clocks skip midnight).
const ZONES: [Tz; 6] = [
    Tz::UTC,
    Tz::Europe__Berlin,
    Tz::America__New_York,
    Tz::America__Santiago,
    Tz::Asia__Tokyo,
    Tz::Pacific__Apia,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Vary the zone and the season with the first byte so day boundaries move too.
    let b = data.first().copied().unwrap_or(0);
    let zone = ZONES[usize::from(b) % ZONES.len()];
    let month = u32::from(b / 16 % 12) + 1;
    let Some(at) = Utc.with_ymd_and_hms(2026, month, 22, 9, 0, 0).single() else {
        return;
    };
    let now = Now::new(at, zone);
    if let Ok(t) = parse_when(text, &now) {
        // Whatever parses must print back as a valid time.
        let _ = t.to_rfc3339();
    }
});
