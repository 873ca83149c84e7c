//! How an import recognises a lead it has met before, in the book or earlier in the file: by
//! its e-mail (any case), else by its name and company, each lowered quickly and kept in a map
//! with a hash fit for a user's own keys.

use std::collections::HashMap;

use crate::domain::Lead;

/// The keys by which a lead is recognised: its e-mail (any case); its name and company.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct ContactKeys {
    pub(super) email: Option<Box<str>>,
    pub(super) name_company: Option<Box<str>>,
}

/// `to_lowercase`, quicker: ASCII as ASCII, other characters one by one, except in a string
/// with a capital sigma (whose lower case depends on where in a word it stands).
pub(super) fn lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    if s.contains('\u{3A3}') {
        return s.to_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

pub(super) fn contact_keys(lead: &Lead) -> ContactKeys {
    let email = lead
        .email
        .as_deref()
        .map(|e| lower(e.trim()))
        .filter(|e| !e.is_empty())
        .map(String::into_boxed_str);
    let name_company = lead
        .company
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| name_company_key(&lead.name, c));
    ContactKeys {
        email,
        name_company,
    }
}

pub(super) fn name_company_key(name: &str, company: &str) -> Box<str> {
    let mut key = lower(name.trim());
    key.push('\u{1F}');
    key.push_str(&lower(company.trim()));
    key.into_boxed_str()
}

/// FxHash (as rustc uses it), for the keys of one file: SipHash's defence against keys chosen to
/// collide buys nothing against a user's own file, and costs at a million keys.
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 56));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(super) type KeyMap<V> = HashMap<Box<str>, V, std::hash::BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_is_to_lowercase() {
        for s in [
            "",
            "ABC",
            "Björn ÅSTRÖM",
            "İstanbul",
            "ΟΔΥΣΣΕΥΣ",
            "Ǆemal",
            "ẞ",
            "x\u{130}y",
        ] {
            assert_eq!(lower(s), s.to_lowercase(), "{s}");
        }
    }
}
