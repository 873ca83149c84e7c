//! The sync file reader: any bytes in, a whole file, a partial one or a refusal out, never a
//! panic. A whole file's changesets each read through, and the file written again from what
//! was read reads back the same. Most bytes fail the checksum before a changeset is looked at,
//! so the bytes are also tried as one changeset in a file whose header is sound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ripen::io::sync::{Read, decode, encode, encode_as};
use ripen::store::schema::LATEST;
use ripen::store::session;

/// What holds for anything `decode` returns.
fn check(read: &Read) {
    if let Read::Whole {
        schema,
        replica,
        snapshot,
        changesets,
    } = read
    {
        for (i, cs) in changesets.iter().enumerate() {
            if let Err(e) = session::read(cs) {
                panic!("changeset {i} of a whole file does not read: {e}");
            }
        }
        let again = decode(&encode_as(replica, *schema, snapshot.as_deref(), changesets));
        assert_eq!(&again, read, "written again, the file reads otherwise");
    }
}

fuzz_target!(|data: &[u8]| {
    check(&decode(data));
    // The bytes as a changeset, sealed: never partial, and never a panic on reading it.
    let sealed = decode(&encode("fuzz", LATEST, &[data.to_vec()]));
    assert!(
        !matches!(sealed, Read::Partial),
        "a sealed file read as partial"
    );
    check(&sealed);
});
