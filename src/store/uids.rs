//! Uids for new rows: UUIDv7s, in the order they were made.

/// A uid for a timeline entry, from this thread's one generator: entries written at the same
/// moment (one transaction, or a fixed clock) then list in the order they were written, by
/// every path that writes them. (Two generators, each starting its count at random bits, put
/// same-millisecond uids in an arbitrary order.)
pub(super) fn entry_uid() -> uuid::Uuid {
    thread_local!(static UIDS: std::cell::RefCell<Uids> = std::cell::RefCell::new(Uids::new()));
    UIDS.with(|u| u.borrow_mut().next())
}

/// UUIDv7s for a bulk load without a system call each (`Uuid::now_v7` asks the OS for random
/// bits every time): the clock's milliseconds, then a 42-bit counter that starts at random bits
/// each millisecond (so they sort in creation order, as `now_v7`'s do), then 32 random bits
/// from a generator seeded once from the OS.
pub(super) struct Uids {
    ms: u64,
    counter: u64,
    state: u64,
}

impl Uids {
    pub(super) fn new() -> Uids {
        // `now_v7` draws its last 62 bits from the OS.
        let seed = uuid::Uuid::now_v7().as_u64_pair();
        Uids {
            ms: 0,
            counter: 0,
            state: seed.0 ^ seed.1,
        }
    }

    /// splitmix64.
    fn random(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn next(&mut self) -> uuid::Uuid {
        const COUNTER_MAX: u64 = (1 << 42) - 1;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        if now > self.ms {
            self.ms = now;
            // The top bit clear leaves room to count.
            self.counter = self.random() & (COUNTER_MAX >> 1);
        } else if self.counter == COUNTER_MAX {
            self.ms += 1;
            self.counter = self.random() & (COUNTER_MAX >> 1);
        } else {
            self.counter += 1;
        }
        // The counter fills the 12 bits after the version and the 6 after the variant, then
        // three bytes; random bits the last four.
        let c = self.counter;
        let r = (self.random() as u32).to_be_bytes();
        let bytes = [
            (c >> 38) as u8 & 0x0F,
            (c >> 30) as u8,
            (c >> 24) as u8 & 0x3F,
            (c >> 16) as u8,
            (c >> 8) as u8,
            c as u8,
            r[0],
            r[1],
            r[2],
            r[3],
        ];
        uuid::Builder::from_unix_timestamp_millis(self.ms, &bytes).into_uuid()
    }
}
