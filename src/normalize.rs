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

use unicode_normalization::UnicodeNormalization;

/// Legal-form phrases (already tokenised) and the canonical token each becomes. Longer phrases
/// come first so that `public joint stock company` wins over `joint stock company`.
pub const LEGAL_FORMS: &[(&[&str], &str)] = &[
    (
        &["obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"],
        "llc",
    ),
    (
        &["obshchestvo", "s", "ogranichennoi", "otvetstvennostiu"],
        "llc",
    ),
    (&["public", "joint", "stock", "company"], "jsc"),
    (&["closed", "joint", "stock", "company"], "jsc"),
    (&["open", "joint", "stock", "company"], "jsc"),
    (&["limited", "liability", "company"], "llc"),
    (&["public", "limited", "company"], "plc"),
    (&["joint", "stock", "company"], "jsc"),
    (&["s", "a", "de", "c", "v"], "sa"),
    (&["sa", "de", "cv"], "sa"),
    (&["sociedad", "anonima"], "sa"),
    (&["societe", "anonyme"], "sa"),
    (&["sociedade", "anonima"], "sa"),
    (&["company", "limited"], "ltd"),
    (&["co", "limited"], "ltd"),
    (&["co", "ltd"], "ltd"),
    (&["pte", "ltd"], "ltd"),
    (&["pvt", "ltd"], "ltd"),
    (&["pvt", "limited"], "ltd"),
    (&["pte", "limited"], "ltd"),
    (&["private", "ltd"], "ltd"),
    (&["private", "limited"], "ltd"),
    (&["sdn", "bhd"], "ltd"),
    (&["pty", "ltd"], "ltd"),
    (&["cia", "ltda"], "ltd"),
    (&["s", "a"], "sa"),
    (&["l", "l", "c"], "llc"),
    (&["limited"], "ltd"),
    (&["holdings"], "holding"),
    (&["holding"], "holding"),
    (&["ltd"], "ltd"),
    (&["ltda"], "ltd"),
    (&["limitada"], "ltd"),
    (&["pte"], "ltd"),
    (&["bhd"], "ltd"),
    (&["llc"], "llc"),
    (&["ooo"], "llc"),
    (&["tov"], "llc"),
    (&["llp"], "llc"),
    (&["jsc"], "jsc"),
    (&["ojsc"], "jsc"),
    (&["cjsc"], "jsc"),
    (&["pjsc"], "jsc"),
    (&["ao"], "jsc"),
    (&["oao"], "jsc"),
    (&["zao"], "jsc"),
    (&["pao"], "jsc"),
    (&["incorporated"], "inc"),
    (&["inc"], "inc"),
    (&["corporation"], "corp"),
    (&["corp"], "corp"),
    (&["company"], "co"),
    (&["co"], "co"),
    (&["cia"], "co"),
    (&["compania"], "co"),
    (&["gmbh"], "gmbh"),
    (&["ag"], "ag"),
    (&["sa"], "sa"),
    (&["sarl"], "sarl"),
    (&["srl"], "srl"),
    (&["spa"], "spa"),
    (&["sas"], "sas"),
    (&["bv"], "bv"),
    (&["nv"], "nv"),
    (&["plc"], "plc"),
    (&["pty"], "pty"),
    (&["kg"], "kg"),
    (&["ab"], "ab"),
    (&["oy"], "oy"),
    (&["fze"], "fze"),
    (&["fzco"], "fze"),
    (&["fzc"], "fze"),
    (&["fzllc"], "fze"),
    (&["est"], "est"),
    (&["establishment"], "est"),
    (&["tbk"], "tbk"),
];

/// Canonical legal-form tokens: matching gives them little weight.
pub fn is_legal_form(token: &str) -> bool {
    matches!(
        token,
        "ltd"
            | "llc"
            | "jsc"
            | "plc"
            | "inc"
            | "corp"
            | "co"
            | "gmbh"
            | "ag"
            | "sa"
            | "sarl"
            | "srl"
            | "spa"
            | "sas"
            | "bv"
            | "nv"
            | "pty"
            | "kg"
            | "ab"
            | "oy"
            | "fze"
            | "est"
            | "tbk"
            | "holding"
    )
}

/// Words that carry almost no identifying information: articles, conjunctions, honorifics and
/// academic titles. Short words that are also common surnames somewhere ("Le", "Do", "Da",
/// "Di", "La" in Vietnamese, Portuguese, Italian names) are left out: IDF weighs them from the
/// data instead. They stay in the token list (so "Bank of Cuba" and "Cuba Bank" still differ
/// a little) but matching weighs them like legal forms.
pub fn is_stopword(token: &str) -> bool {
    matches!(
        token,
        "and"
            | "the"
            | "of"
            | "for"
            | "de"
            | "del"
            | "dos"
            | "das"
            | "les"
            | "los"
            | "y"
            | "et"
            | "und"
            | "mr"
            | "mrs"
            | "ms"
            | "miss"
            | "dr"
            | "prof"
            | "jr"
            | "sr"
            | "sir"
            | "beng"
            | "msc"
            | "bsc"
            | "phd"
            | "dipl"
            | "ing"
            | "mba"
            | "eng"
            | "sc"
            | "public"
    )
}

/// Every word of a legal form: the words of [`LEGAL_FORMS`]' phrases and the canonical forms,
/// sorted and without repeats.
pub fn legal_form_words() -> &'static [&'static str] {
    static WORDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: Vec<&'static str> = LEGAL_FORMS
            .iter()
            .flat_map(|(phrase, canon)| phrase.iter().copied().chain([*canon]))
            .collect();
        words.sort_unstable();
        words.dedup();
        words
    })
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e007f}'
            | '\u{e0100}'..='\u{e01ef}'
    )
}

/// The Latin letter a Cyrillic or Greek letter is mistaken for, if any. Capitals are read
/// before lower-casing, because some look like a different letter than their lower case
/// does: Greek capital eta `Η` looks like `H`, its lower case `η` like `n`.
fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic capitals
        'А' => 'a',
        'В' => 'b',
        'Е' | 'Ё' => 'e',
        'З' => 'z',
        'І' | 'Ї' | 'Ӏ' => 'i',
        'Ј' => 'j',
        'К' => 'k',
        'М' => 'm',
        'Н' => 'h',
        'О' => 'o',
        'Р' => 'p',
        'С' => 'c',
        'Т' => 't',
        'У' | 'Ү' => 'y',
        'Х' => 'x',
        'Ѕ' => 's',
        'Ԁ' => 'd',
        'Ԛ' => 'q',
        'Ԝ' => 'w',
        'Һ' => 'h',
        // Cyrillic lower case
        'а' => 'a',
        'в' => 'b',
        'е' | 'ё' => 'e',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' | 'ү' => 'y',
        'х' => 'x',
        'і' | 'ї' | 'ӏ' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'һ' => 'h',
        // Greek capitals
        'Α' | 'Ά' => 'a',
        'Β' => 'b',
        'Ε' | 'Έ' => 'e',
        'Ζ' => 'z',
        'Η' | 'Ή' => 'h',
        'Ι' | 'Ί' | 'Ϊ' => 'i',
        'Κ' => 'k',
        'Μ' => 'm',
        'Ν' => 'n',
        'Ο' | 'Ό' => 'o',
        'Ρ' => 'p',
        'Τ' => 't',
        'Υ' | 'Ύ' | 'Ϋ' => 'y',
        'Χ' => 'x',
        // Greek lower case
        'α' | 'ά' => 'a',
        'β' => 'b',
        'ε' | 'έ' => 'e',
        'η' => 'n',
        'ι' | 'ί' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' | 'ό' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' | 'ύ' => 'u',
        'χ' => 'x',
        'ζ' => 'z',
        _ => return None,
    })
}

fn is_cyrillic_or_greek(c: char) -> bool {
    matches!(c, '\u{0370}'..='\u{03ff}' | '\u{0400}'..='\u{052f}' | '\u{1f00}'..='\u{1fff}')
}

/// Reads look-alike letters as Latin in a word that mixes Latin with Cyrillic or Greek
/// letters, and in a word made wholly of look-alikes when another word of the name is Latin
/// (`latin_context`): "ВАNК" and "Huawei СОМ" are disguised Latin, while a name wholly in
/// Cyrillic is left to transliteration. Letters are lower-cased on the way out.
fn fold_lookalikes(word: &str, latin_context: bool, out: &mut String) {
    let has_latin = word.chars().any(|c| c.is_ascii_alphabetic());
    let has_other = word.chars().any(is_cyrillic_or_greek);
    let disguised = has_other
        && (has_latin
            || latin_context
                && word
                    .chars()
                    .all(|c| !c.is_alphabetic() || latin_lookalike(c).is_some()));
    for c in word.chars() {
        match latin_lookalike(c).filter(|_| disguised) {
            Some(l) => out.push(l),
            None => out.extend(c.to_lowercase()),
        }
    }
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

/// Whether a raw token is the legal-form word `word`. Long legal words tolerate a typo
/// ("COMPNY", "LIMTED", "JOINT SOCK COMPANY"), since writers misspell them like any word and
/// a misspelt legal form must not turn into a distinctive token; short ones ("co", "sa",
/// "ooo") must match exactly, or real words would be swallowed.
fn legal_word_eq(raw: &str, word: &str) -> bool {
    if raw == word {
        return true;
    }
    // "Holding" is one letter from surnames ("Golding"), so it must be spelt right.
    if word.starts_with("holding") {
        return false;
    }
    let allowed = match word.len() {
        0..=4 => return false,
        5..=8 => 1,
        _ => 2,
    };
    let (r, w) = (raw.as_bytes(), word.as_bytes());
    // One edit keeps the first or the last letter; checking that first skips the distance
    // computation for almost every word, which matters at index build time.
    let plausible = r.len() + allowed >= w.len()
        && r.len() <= w.len() + allowed
        && (allowed > 1 || r[0] == w[0] || r[r.len() - 1] == w[w.len() - 1]);
    plausible && strsim::osa_distance(raw, word) <= allowed
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
        // Not before a legal form ("al corporation"): the joined word would read as a
        // misspelt legal form the next time round ("alcorporation" is within two edits of
        // "corporation"), and normalizing must be idempotent.
        if (t == "al" || t == "el")
            && i + 1 < raw.len()
            && raw[i + 1].len() > 1
            && legal_form_at(&raw[i + 1..]).is_none()
        {
            out.push(format!("{t}{}", raw[i + 1]));
            i += 2;
            continue;
        }
        out.push(t.to_string());
        i += 1;
    }
    out
}

/// The legal-form phrase `raw` starts with: the number of raw tokens it spans and its
/// canonical token.
fn legal_form_at(raw: &[&str]) -> Option<(usize, &'static str)> {
    LEGAL_FORMS.iter().find_map(|(phrase, canon)| {
        let matches =
            raw.len() >= phrase.len() && raw.iter().zip(*phrase).all(|(r, w)| legal_word_eq(r, w));
        matches.then_some((phrase.len(), *canon))
    })
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

/// A token with common transliteration alternatives folded (`y`/`i`, `w`/`v`, `q`/`k`,
/// `ou`/`u`, `ee`/`i`, `kh`/`h`, `ph`/`f`, `sch`/`sh`, doubled letters), for comparing short
/// name parts whose spellings differ by convention rather than by typo ("Yun"/"Iun",
/// "Ya"/"Ia", "Youssef"/"Yusef").
pub fn translit_fold(token: &str) -> String {
    let b = token.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let (c, used) = if rest.starts_with(b"sch") {
            if !out.ends_with('s') {
                out.push('s');
            }
            ('h', 3)
        } else if rest.starts_with(b"kh") {
            ('h', 2)
        } else if rest.starts_with(b"ph") {
            ('f', 2)
        } else if rest.starts_with(b"ou") || rest.starts_with(b"oo") {
            ('u', 2)
        } else if rest.starts_with(b"ee") {
            ('i', 2)
        } else {
            let c = match rest[0] {
                b'y' => 'i',
                b'w' => 'v',
                b'q' => 'k',
                c => c as char,
            };
            (c, 1)
        };
        if !out.ends_with(c) {
            out.push(c);
        }
        i += used;
    }
    out
}

/// A coarse phonetic skeleton of a token, used to find transliteration variants that are too
/// far apart in edit distance ("mohamed"/"muhammad", "sharq"/"scharq", "yusuf"/"youssef"):
/// common digraphs are folded, vowels after the first letter dropped and doubled letters
/// collapsed. Tokens shorter than 4 letters have no skeleton (too many collisions).
pub fn skeleton(token: &str) -> Option<String> {
    if token.len() < 4 || !token.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let b = token.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut last = '\0';
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let (c, used) = if rest.starts_with(b"sch") {
            ('s', 3)
        } else if rest.len() >= 2 && rest[1] == b'h' && b"scktgpdz".contains(&rest[0]) {
            let c = match rest[0] {
                b's' => 's',
                b'c' => 'c',
                b'k' => 'h',
                b't' => 't',
                b'g' => 'g',
                b'p' => 'f',
                b'd' => 'd',
                _ => 'j',
            };
            (c, 2)
        } else if rest.starts_with(b"ck") {
            ('k', 2)
        } else {
            let c = match rest[0] {
                b'q' => 'k',
                b'w' => 'v',
                b'z' => 's',
                b'y' => 'i',
                c => c as char,
            };
            (c, 1)
        };
        let vowel = matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
        if i > 0 && vowel {
            last = c;
        } else {
            let c = if i == 0 && vowel { 'a' } else { c };
            if c != last {
                out.push(c);
            }
            last = c;
        }
        i += used;
    }
    (out.len() >= 2).then_some(out)
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
    fn skeletons_fold_transliteration_variants() {
        assert_eq!(skeleton("mohamed"), skeleton("muhamad"));
        assert_eq!(skeleton("scharq"), skeleton("sharq"));
        assert_eq!(skeleton("yusuf"), skeleton("yousouf"));
        assert_eq!(skeleton("abc"), None);
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
