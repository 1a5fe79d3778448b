//! Word frequency in the world: Zipf values from `wordfreq`, merged over the languages of the
//! lists and of the books screened against them.

use std::sync::OnceLock;

/// Normalized token → Zipf frequency in tenths (the highest over the languages), as an FST
/// map: 276,866 tokens in 1.66 MB, where the same table as `token<TAB>zipf` text takes 3.7 MB.
/// Built by `examples/lexicon_build.rs`; see `data/lexicon/README.md`.
static ZIPF_FST: &[u8] = include_bytes!("../../../data/lexicon/zipf.fst");

/// The lowest Zipf value in the table: words rarer than once per million words (Zipf 3.0) in
/// every language are left out, so [`zipf`] answers `None` for them.
pub const ZIPF_FLOOR: f32 = 3.0;

fn table() -> &'static fst::Map<&'static [u8]> {
    static TABLE: OnceLock<fst::Map<&'static [u8]>> = OnceLock::new();
    // Opening reads the FST's header and footer only; the bytes stay where the binary has
    // them. The unit tests open and verify the same bytes, so this cannot fail at run time.
    TABLE.get_or_init(|| fst::Map::new(ZIPF_FST).expect("data/lexicon/zipf.fst is a valid FST"))
}

/// The Zipf frequency of a normalized token: log10 of its occurrences per billion words, the
/// highest over English, Spanish, French, German, Portuguese, Italian, Dutch, Turkish and
/// Russian (transliterated), to one decimal. "the" is 7.7, "technology" 5.1, "cloud" 4.5;
/// `None` for a token rarer than [`ZIPF_FLOOR`] in all of them.
///
/// The token must be normalized as [`crate::engine::normalize::tokens`] does (lower-case ASCII).
///
/// # Example
/// ```
/// use clearance::engine::lexicon::zipf;
///
/// assert_eq!(zipf("the"), Some(7.7));
/// assert!(zipf("huawei") < zipf("cloud"));
/// assert_eq!(zipf("Technology"), None); // not normalized
/// ```
pub fn zipf(token: &str) -> Option<f32> {
    table().get(token).map(|tenths| tenths as f32 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fst::Streamer;

    #[test]
    fn common_words_are_common() {
        assert!(zipf("the").unwrap() > 7.0);
        assert!(zipf("technology").unwrap() > 5.0);
        assert!(zipf("cloud").unwrap() > 4.0);
        assert!(zipf("computing").unwrap() > 4.0);
    }

    #[test]
    fn a_famous_name_is_rarer_than_a_common_word() {
        let huawei = zipf("huawei").unwrap_or(0.0);
        assert!(huawei < zipf("cloud").unwrap(), "huawei {huawei}");
        assert!(huawei < zipf("technology").unwrap(), "huawei {huawei}");
    }

    #[test]
    fn absent_and_unnormalized_words_are_none() {
        assert_eq!(zipf("qzxvbplorf"), None);
        assert_eq!(zipf(""), None);
        assert_eq!(zipf("The"), None);
    }

    #[test]
    fn transliterated_and_merged_languages_are_present() {
        // Russian "компания" and "общество" through any_ascii; Spanish "compañía", German
        // "straße", Turkish "şirketi" with their diacritics folded.
        for token in [
            "kompaniya",
            "obshchestvo",
            "ivanov",
            "sociedad",
            "strasse",
            "sirketi",
        ] {
            assert!(zipf(token).is_some(), "{token} missing");
        }
        // Legal forms fold into their canonical token: "limited" is stored as "ltd".
        assert!(zipf("ltd").unwrap() >= zipf("limited").unwrap_or(0.0));
    }

    #[test]
    fn the_table_is_valid_and_every_key_is_a_normalized_token() {
        let map = fst::Map::new(ZIPF_FST).unwrap();
        map.as_fst().verify().expect("checksum");
        let mut stream = map.stream();
        let mut count = 0;
        while let Some((key, tenths)) = stream.next() {
            let token = std::str::from_utf8(key).unwrap();
            // One lower-case ASCII word each. (The normalizer also rewrites some words the
            // table keeps as published, company plurals and number words: those spellings
            // never reach a lookup, which is harmless; regenerating the table drops them.)
            assert!(
                !token.is_empty() && token.bytes().all(|b| b.is_ascii_lowercase()),
                "{token} is not a lower-case word"
            );
            assert!((30..=80).contains(&tenths), "{token}: {tenths}");
            count += 1;
        }
        assert!(count > 100_000, "only {count} tokens");
    }
}
