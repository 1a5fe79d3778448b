//! Given-name variants: short forms (Bill, Will, Billy for William; Ted for Theodore) from the
//! `nicknames` data set, and the transliterations of common Russian and Ukrainian given names
//! (Aleksei, Alexei, Alexey, Oleksii) added locally.
//!
//! The relation is symmetric but not transitive, as the data set intends: Bill is short for
//! William and for Robert, which are not one name. Spellings of one name are one class, so a
//! short form of one spelling is a short form of all of them.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// `name<TAB>variant variant ...`, one line per name, sorted by name; every variant has its
/// own line naming this name back. Built by `examples/lexicon_build.rs`.
static GIVEN_NAMES: &str = include_str!("../../../data/lexicon/given_names.tsv");

/// The embedded text split once: each name's variants are a range of one flat list, so a
/// lookup is one hash probe and a scan of a few slices, with nothing allocated.
struct Table {
    ranges: FxHashMap<&'static str, (u32, u32)>,
    variants: Vec<&'static str>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Table {
            ranges: FxHashMap::default(),
            variants: Vec::with_capacity(8_192),
        };
        for (name, variants) in GIVEN_NAMES.lines().filter_map(|l| l.split_once('\t')) {
            let start = table.variants.len() as u32;
            table.variants.extend(variants.split(' '));
            table
                .ranges
                .insert(name, (start, table.variants.len() as u32));
        }
        table
    })
}

fn variants_of(token: &str) -> Option<&'static [&'static str]> {
    let table = table();
    let &(start, end) = table.ranges.get(token)?;
    Some(&table.variants[start as usize..end as usize])
}

/// Whether a normalized token is a given name the table knows (one with variants).
pub fn is_given_name(token: &str) -> bool {
    variants_of(token).is_some()
}

/// The other spellings and short forms of a normalized given name ("william" gives "bill",
/// "billy", "will", ...); nothing for a token the table does not know. The token itself is not
/// among them.
///
/// # Example
/// ```
/// use clearance::engine::lexicon::given_name_variants;
///
/// let variants: Vec<&str> = given_name_variants("theodore").collect();
/// assert!(variants.contains(&"ted"));
/// assert_eq!(given_name_variants("huawei").count(), 0);
/// ```
pub fn given_name_variants(token: &str) -> impl Iterator<Item = &'static str> {
    variants_of(token).unwrap_or(&[]).iter().copied()
}

/// Whether two normalized tokens are one given name: a known given name and itself, or one a
/// short form or other spelling of the other ("bill"/"william", "ted"/"theodore",
/// "aleksei"/"alexei"). Not "bill"/"gill" (spelt alike, different names) nor "william"/"wilma".
///
/// # Example
/// ```
/// use clearance::engine::lexicon::same_given_name;
///
/// assert!(same_given_name("alexey", "oleksii"));
/// assert!(!same_given_name("william", "wilma"));
/// ```
pub fn same_given_name(a: &str, b: &str) -> bool {
    variants_of(a).is_some_and(|variants| a == b || variants.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_and_spellings_agree() {
        for (a, b) in [
            ("bill", "william"),
            ("will", "william"),
            ("billy", "william"),
            ("ted", "theodore"),
            ("teddy", "theodore"),
            ("aleksei", "alexei"),
            ("alexey", "aleksey"),
            ("oleksii", "alexei"),
            ("alyosha", "alexey"),
            ("yelena", "elena"),
            ("elena", "helen"),
            ("olena", "yelena"),
            ("dmitry", "dmytro"),
            ("volodymyr", "vladimir"),
            ("bill", "bill"),
        ] {
            assert!(same_given_name(a, b), "{a}/{b}");
            assert!(same_given_name(b, a), "{b}/{a}");
        }
    }

    #[test]
    fn different_names_do_not() {
        for (a, b) in [
            ("bill", "gill"),
            ("william", "wilma"),
            // Both are short for Bill's names, but not of one name.
            ("fred", "william"),
            ("huawei", "huawei"),
            ("", ""),
        ] {
            assert!(!same_given_name(a, b), "{a}/{b}");
            assert!(!same_given_name(b, a), "{b}/{a}");
        }
    }

    #[test]
    fn native_script_forms_are_present_as_normalized() {
        // "Алексей", "Олексій", "Фёдор" as clearance::engine::normalize::tokens spells them.
        for native in ["Алексей", "Олексій", "Фёдор", "Наталья", "В'ячеслав"]
        {
            let token = crate::engine::normalize::tokens(native).remove(0);
            assert!(is_given_name(&token), "{native} → {token} missing");
        }
    }

    #[test]
    fn the_table_is_sorted_symmetric_and_normalized() {
        let names: Vec<&str> = GIVEN_NAMES
            .lines()
            .map(|l| l.split('\t').next().unwrap())
            .collect();
        assert!(names.len() > 1_000, "only {} names", names.len());
        assert_eq!(
            table().ranges.len(),
            names.len(),
            "malformed or repeated lines"
        );
        for pair in names.windows(2) {
            assert!(pair[0] < pair[1], "{} before {}", pair[0], pair[1]);
        }
        for name in names {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase()), "{name}");
            let variants = variants_of(name).unwrap();
            assert!(!variants.is_empty(), "{name} has no variants");
            for variant in variants {
                assert_ne!(variant, &name);
                assert!(variant.bytes().all(|b| b.is_ascii_lowercase()), "{variant}");
                assert!(
                    given_name_variants(variant).any(|v| v == name),
                    "{variant} does not name {name} back"
                );
            }
        }
    }
}
