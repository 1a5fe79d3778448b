//! What the world, rather than the loaded lists, knows about name words: how common a word is
//! in ordinary text ([`zipf`]), which given names are short forms or other spellings of one
//! another ([`same_given_name`], [`given_name_variants`]), and which generic words of
//! organisations' names translate one another ([`same_meaning`]).
//!
//! Weights computed over the lists alone mislead: the BIS Entity List holds some 150 Huawei
//! names, so inside the lists "huawei" looks common and "cloud" or "technology" look rare,
//! while in the world it is the other way round; "mohammed" or "kumar" are weak evidence
//! however rarely a list uses them. Callers also write "Bill" for "William" and "Alexey" for
//! "Алексей" or "Oleksii".
//!
//! The first two tables are published data sets (the translations are written in
//! `translations.rs`, since none is published), normalized with
//! [`crate::engine::normalize::tokens`] so that the tokens the matcher holds are looked up as
//! they are, and embedded in the binary (`data/lexicon/README.md` gives sources, licences and
//! the command that rebuilds them).
//! Nothing is read at run time; each table is opened on first use and shared.
//!
//! Costs, measured with `benches/lexicon.rs` on the 2-core build machine while other builds
//! ran (so upper bounds): opening the frequency FST reads its header only (3 ns; the first
//! [`zipf`] call takes ~30 µs, page faults included), then a lookup takes ~130 ns, against
//! ~20 ns for a `HashMap` of the same table, which takes ~90 ms to load. The given-name table
//! is split into a hash map on first use (0.2–0.5 ms), then [`same_given_name`] takes ~15 ns
//! and [`given_name_variants`] ~10 ns.
//!
//! # Example
//! ```
//! use clearance::engine::lexicon;
//!
//! assert!(lexicon::zipf("technology").unwrap() > 5.0);
//! assert!(lexicon::zipf("qzxv").is_none());
//! assert!(lexicon::same_given_name("bill", "william"));
//! assert!(lexicon::given_name_variants("alexei").any(|v| v == "oleksii"));
//! ```

mod frequency;
mod given_names;
mod translations;

pub use frequency::{zipf, ZIPF_FLOOR};
pub use given_names::{given_name_variants, is_given_name, same_given_name};
pub use translations::{has_meaning, meanings_of, same_meaning, MEANINGS};
