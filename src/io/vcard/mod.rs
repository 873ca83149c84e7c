//! Reading vCard 3.0 and 4.0 (RFC 6350, RFC 2426; vCard 2.1's QUOTED-PRINTABLE too) into the
//! rows of a table, so that an address book imports through the same checks, duplicate rules
//! and transaction as a CSV file. Pure: text in, cards and cells out.
//!
//! No crate fitted: `vcard_parser` refuses 3.0, `ical` leaves values escaped, `calcard` brings
//! in time zones and a mail parser. This reader is small and forgiving: it unfolds lines,
//! splits `group.NAME;PARAM=V:value`, unescapes text and splits structured values on unescaped
//! separators; a card without its END, or a line that is no property, is a bad card naming its
//! line.
//!
//! `card`: what a card is (properties, their parameters and escaped values); `parse`: text to
//! cards (unfolding, QUOTED-PRINTABLE, content lines); `sheet`: cards to a table's columns.

mod card;
mod parse;
mod sheet;

pub use card::{Card, Item, Property, split_unescaped, unescape};
pub use parse::parse;
pub use sheet::{COLUMNS, Row, Sheet, read};
