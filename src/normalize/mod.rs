//! Name normalization: pure functions that turn any written form of a name into comparable
//! lower-case ASCII tokens.
//!
//! The same function runs on list names at index time and on query names at screening time, so
//! every rule here applies symmetrically. Steps, in order:
//!
//! 1. Unicode NFKC (full-width letters, ligatures, compatibility forms become plain letters).
//! 2. Invisible characters (zero-width space/joiners, soft hyphen, bidi marks, BOM) are removed,
//!    so they cannot split a listed name into unlisted pieces.
//! 3. Look-alike letters: in a word that mixes Latin with Cyrillic or Greek letters, the
//!    Cyrillic/Greek letters that look like Latin ones are read as those Latin letters
//!    ("Gаzprom" with a Cyrillic "а" is "gazprom"), and so is a word made wholly of
//!    look-alikes when another word of the name is Latin ("Huawei СОМ"). Capitals are read
//!    before case folding (Greek `Η` is `h`, though `η` is `n`). Names wholly in another
//!    script are left to transliteration.
//! 4. Transliteration to ASCII with the `any_ascii` crate (Cyrillic, Greek, Arabic, Hebrew, Han,
//!    Latin diacritics, ...).
//! 5. Case folding, apostrophes dropped inside words (`SA'AD` → `saad`), dotted initials joined
//!    (`S.A.` → `sa`), `&` read as `and`, every other punctuation mark a token boundary.
//! 6. Legal forms canonicalised: `Co., Ltd.`, `Company Limited`, `Limited`, `LTDA` all become
//!    `ltd`; `OOO`/`LLC`; `AO`/`OAO`/`ZAO`/`PAO`/`JSC`/`joint stock company` become `jsc`; and so
//!    on (see [`LEGAL_FORMS`]).
//! 7. The Arabic article is joined to its noun (`al qaida`, `al-qaida`, `alqaida` → `alqaida`),
//!    because lists and users write all three.
//!
//! OFAC's "LAST, First" order needs no rewrite: matching aligns tokens order-insensitively.

mod legal;
mod person;
mod phonetic;
mod romanize;
mod script;

use unicode_normalization::UnicodeNormalization;

use legal::legal_form_at;
pub use legal::{is_legal_form, is_stopword, legal_form_words, LEGAL_FORMS};
pub use person::{is_nasab_connector, is_patronymic, is_syllabic, is_title};
pub use phonetic::translit_fold;
pub use romanize::{class_spelling, romanization_keys, syllable_fold};
pub use script::is_lookalike;
use script::{fold_lookalikes, is_invisible};

/// Whether a token identifies no one by itself: a legal form, a stopword, a title or a nasab
/// connector. Such tokens stay in the name but matching weighs them low on both sides.
pub fn is_filler(token: &str) -> bool {
    is_legal_form(token) || is_stopword(token) || is_title(token) || is_nasab_connector(token)
}

/// A token's phonetic keys, space-separated: its romanization keys and, for a word of up to
/// six letters, its syllable fold marked with `~` (so the two kinds never collide). Empty
/// when it has none.
pub fn phonetic_keys(token: &str) -> String {
    let mut keys = romanization_keys(token);
    if let Some(f) = syllable_fold(token) {
        keys.push(format!("~{f}"));
    }
    keys.join(" ")
}

/// Steps 1–5: a clean lower-case ASCII string of space-separated raw tokens.
fn clean(input: &str) -> String {
    // Plain ASCII (most queries and most list names) is already NFKC, visible, free of
    // look-alikes and transliterated: only the final step applies.
    let ascii = if input.is_ascii() {
        input.to_ascii_lowercase()
    } else {
        let visible: String = input.nfkc().filter(|&c| !is_invisible(c)).collect();
        // A word with a Latin letter makes wholly look-alike words elsewhere suspect.
        let latin_context = visible.bytes().any(|b| b.is_ascii_alphabetic());
        let mut folded = String::with_capacity(visible.len());
        for (i, word) in visible.split(char::is_whitespace).enumerate() {
            if i > 0 {
                folded.push(' ');
            }
            fold_lookalikes(word, latin_context, &mut folded);
        }
        // One syllable per Han or Hangul character: each is a word of its own, so that a
        // name is compared syllable by syllable ("王伟" is "wang wei", not "wangwei").
        if folded.chars().any(person::is_syllabic) {
            let mut spaced = String::with_capacity(folded.len() * 2);
            for c in folded.chars() {
                if person::is_syllabic(c) {
                    spaced.push(' ');
                    spaced.push(c);
                    spaced.push(' ');
                } else {
                    spaced.push(c);
                }
            }
            folded = spaced;
        }
        any_ascii::any_ascii(&folded)
    };

    let mut out = String::with_capacity(ascii.len() + 8);
    let chars: Vec<char> = ascii.chars().map(|c| c.to_ascii_lowercase()).collect();
    let alnum = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric());
    // Letters since the last boundary, to recognise initials.
    let mut segment = 0usize;
    let mut prev_digit: Option<bool> = None;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            'a'..='z' | '0'..='9' => {
                // Letters and digits written together ("GP21", "A320") are separate words,
                // so "GP21" and "GP-21" normalize alike.
                let digit = c.is_ascii_digit();
                if prev_digit.is_some_and(|p| p != digit) {
                    out.push(' ');
                    segment = 0;
                }
                out.push(c);
                segment += 1;
                prev_digit = Some(digit);
            }
            '\'' | '`' | '^' => {}
            // A dot between single letters joins initials ("S.A.", "L.L.C.", "U.S.A."): the
            // letter before it stands alone and so does the one after it.
            '.' if segment == 1 && alnum(i + 1) && !alnum(i + 2) => segment = 0,
            '&' => {
                out.push_str(" and ");
                segment = 0;
                prev_digit = None;
            }
            _ => {
                out.push(' ');
                segment = 0;
                prev_digit = None;
            }
        }
    }
    out
}

/// Normalizes a name into tokens (steps 1–7 of the module doc).
pub fn tokens(input: &str) -> Vec<String> {
    let cleaned = clean(input);
    let raw: Vec<&str> = cleaned.split(' ').filter(|t| !t.is_empty()).collect();
    let mut out = fold(&raw);
    // Most names hold nothing to fold: then a second pass could change nothing either.
    if out.len() == raw.len() && out.iter().zip(&raw).all(|(a, b)| a == b) {
        return out;
    }
    // Folding can make a new phrase of canonical forms ("cia pty bhd" gives "co pty ltd",
    // whose "pty ltd" folds again), and normalizing must be idempotent, so fold until nothing
    // changes. Every change merges tokens or turns a word into its canonical form, which
    // folds to itself, so this ends (in practice after one extra pass).
    loop {
        let again = fold(&out.iter().map(String::as_str).collect::<Vec<_>>());
        if again == out {
            return out;
        }
        out = again;
    }
}

/// Steps 6 and 7 of the module doc over raw tokens, once.
fn fold(raw: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if let Some((n, canon)) = legal_form_at(&raw[i..]) {
            // "co" followed by "ltd" in the canonical stream also folds ("co", "ltd" came
            // from different phrases, e.g. "company ltd"); every "co" before it, or "cia cia
            // bhd" would become "co ltd" and then "ltd" when normalized again.
            while canon == "ltd" && out.last().is_some_and(|l| l == "co") {
                out.pop();
            }
            out.push(canon.to_string());
            i += n;
            continue;
        }
        let t = raw[i];
        if let Some((n, joined)) =
            person::join_at(&raw[i..], |j| legal_form_at(&raw[i + j..]).is_some())
        {
            out.extend(joined.split(' ').map(str::to_string));
            i += n;
            continue;
        }
        out.push(t.to_string());
        i += 1;
    }
    out
}

/// Normalizes a name to its canonical string: [`tokens`] joined by single spaces.
///
/// # Example
/// ```
/// use clearance::normalize::normalize;
/// assert_eq!(normalize("ANGLO-CARIBBEAN CO., LTD."), "anglo caribbean ltd");
/// assert_eq!(normalize("Коваленко Андрей"), "kovalenko andrey");
/// assert_eq!(normalize("AL-QA'IDA"), "alqaida");
/// ```
pub fn normalize(input: &str) -> String {
    tokens(input).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table() {
        let cases = [
            ("ANGLO-CARIBBEAN CO., LTD.", "anglo caribbean ltd"),
            ("Anglo Caribbean Company Limited", "anglo caribbean ltd"),
            (
                "Huawei Cloud Singapore Pte. Ltd.",
                "huawei cloud singapore ltd",
            ),
            (
                "Alibaba Cloud (Singapore) Private Limited",
                "alibaba cloud singapore ltd",
            ),
            ("OOO Sovfracht", "llc sovfracht"),
            ("AO KALASHNIKOV CONCERN", "jsc kalashnikov concern"),
            (
                "Korea Daebong Shipping Co GmbH",
                "korea daebong shipping co gmbh",
            ),
            ("AGROPECUARIA EL NILO S.A.", "agropecuaria elnilo sa"),
            (
                "AL-SHAMMARI, SA'AD UWAYYID 'UBAYD",
                "alshammari saad uwayyid ubayd",
            ),
            ("M&P TRADING", "m and p trading"),
            (
                "Mårtensson Müller-Lüdenscheidt",
                "martensson muller ludenscheidt",
            ),
            ("Коваленко Андрей", "kovalenko andrey"),
            ("Αλέξανδρος", "alexandros"),
            ("Bela Heinz B.Eng.", "bela heinz b eng"),
            ("WEST SUN TRADE G.M.B.H.", "west sun trade gmbh"),
            ("BYLINNYE BOGATYRI L.L.C.", "bylinnye bogatyri llc"),
            ("KTK ENGINEERING (PVT) LIMITED", "ktk engineering ltd"),
            ("OPEN JOINT SOCK COMPANY KONTSERN", "jsc kontsern"),
            ("HIIRMAND SHIPPING COMPANY LMITED", "hiirmand shipping ltd"),
            ("GP21", "gp 21"),
            ("A.SMITH", "a smith"),
            ("J.P. Morgan", "jp morgan"),
            ("Ｈｕａｗｅｉ", "huawei"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input), want, "input {input:?}");
        }
    }

    #[test]
    fn invisible_and_lookalike_characters_do_not_hide_a_name() {
        assert_eq!(
            normalize("Hua\u{200d}wei Te\u{200b}chnologies"),
            "huawei technologies"
        );
        assert_eq!(normalize("Rosn\u{00ad}eft"), "rosneft");
        // Cyrillic "а" and "о" inside Latin words.
        assert_eq!(normalize("G\u{0430}zpr\u{043e}m"), "gazprom");
        // Greek omicron.
        assert_eq!(normalize("R\u{03bf}sneft"), "rosneft");
    }

    #[test]
    fn phonetic_keys_fold_transliteration_variants() {
        let shared = |a: &str, b: &str| {
            let kb = phonetic_keys(b);
            phonetic_keys(a)
                .split(' ')
                .any(|k| kb.split(' ').any(|o| o == k))
        };
        assert!(shared("mohamed", "muhamad"));
        assert!(shared("scharq", "sharq"));
        assert!(shared("yusuf", "yousouf"));
        assert_eq!(phonetic_keys("abc"), "~abc");
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }

        #[test]
        fn normalize_is_idempotent_on_name_like_text(
            s in "[A-Za-zÀ-ÿА-Яа-я .,'&()-]{0,40}"
        ) {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }
    }
}
