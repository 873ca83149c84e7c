//! The one sanitiser on the way out: when the CLI's output is a terminal, everything it prints
//! passes through [`Neutralising`], so no stored text, header or echoed path can move the cursor,
//! retitle the window or reach the clipboard, whichever command printed it. Output to a pipe or
//! a file stays byte for byte what the command wrote.

use std::io::{self, Write};

use crate::domain::text::clean_text;

/// A writer that neutralises controls (as [`clean_text`]: newlines kept, `\r` dropped, tabs as
/// spaces, escape and other controls as visible pictures, bidi overrides as `�`) in what passes
/// through it, holding back a UTF-8 sequence cut between two writes until it is whole.
pub struct Neutralising<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Neutralising<W> {
    pub fn new(inner: W) -> Self {
        Neutralising {
            inner,
            pending: Vec::new(),
        }
    }

    /// Write out what is whole in `pending`; with `all`, an unfinished sequence too (as `�`).
    fn drain(&mut self, all: bool) -> io::Result<()> {
        let mut start = 0;
        while start < self.pending.len() {
            match std::str::from_utf8(&self.pending[start..]) {
                Ok(s) => {
                    self.inner.write_all(clean_text(s).as_bytes())?;
                    start = self.pending.len();
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    let s = std::str::from_utf8(&self.pending[start..start + valid])
                        .unwrap_or_default();
                    self.inner.write_all(clean_text(s).as_bytes())?;
                    start += valid;
                    match e.error_len() {
                        Some(n) => start += n,
                        None if !all => break,
                        None => start = self.pending.len(),
                    }
                    self.inner.write_all("\u{FFFD}".as_bytes())?;
                }
            }
        }
        self.pending.drain(..start);
        Ok(())
    }
}

impl<W: Write> Write for Neutralising<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.drain(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.drain(true)?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_pictures_and_text_stays_text() {
        let mut out = Neutralising::new(Vec::new());
        out.write_all("Acme\u{1b}]52;c;cm0=\u{7} ok\r\n\u{9b}31m\u{202E}x\n".as_bytes())
            .unwrap();
        out.flush().unwrap();
        assert_eq!(
            String::from_utf8(out.inner).unwrap(),
            "Acme␛]52;c;cm0=␇ ok\n\u{FFFD}31m\u{FFFD}x\n"
        );
    }

    #[test]
    fn a_character_cut_between_writes_arrives_whole() {
        let mut out = Neutralising::new(Vec::new());
        let bytes = "Müller 😀".as_bytes();
        for b in bytes {
            out.write_all(std::slice::from_ref(b)).unwrap();
        }
        out.flush().unwrap();
        assert_eq!(String::from_utf8(out.inner).unwrap(), "Müller 😀");
    }
}
