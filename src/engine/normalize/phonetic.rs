//! The transliteration fold: a token with the spelling conventions that differ between
//! publishers for the same short name part folded away. (Romanization keys, for longer words
//! and whole families of conventions, are in `romanize.rs`.)

/// A token with common transliteration alternatives folded (`y`/`i`, `w`/`v`, `q`/`k`,
/// `ou`/`u`, `ee`/`i`, `kh`/`h`, `ph`/`f`, `sch`/`sh`, Russian `ye`/`e`, doubled letters),
/// for comparing short name parts whose spellings differ by convention rather than by typo
/// ("Yun"/"Iun", "Ya"/"Ia", "Youssef"/"Yusef", "Klyuyev"/"Klyuev").
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
        } else if rest.starts_with(b"ye") && ye_is_e(b, i) {
            ('e', 2)
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

/// Whether the "ye" at `i` of `word` is the Russian letter е where one romanization writes
/// "ye" and another "e": after a vowel ("Klyuyev"/"Klyuev", "Aliyev"/"Aliev") and at the start
/// of a word before a consonant ("Yelena"/"Elena", "Yevgeny"/"Evgeny"). Not before a vowel
/// ("Yeon", a Korean syllable of its own).
fn ye_is_e(word: &[u8], i: usize) -> bool {
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    match i.checked_sub(1) {
        Some(prev) => vowel(word[prev]),
        None => word
            .get(2)
            .is_some_and(|&c| c.is_ascii_lowercase() && !vowel(c) && c != b'y'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_ye_folds_with_e_where_romanizations_differ() {
        for (a, b) in [
            ("klyuyev", "klyuev"),
            ("aliyev", "aliev"),
            ("yelena", "elena"),
            ("yevgeny", "evgeny"),
            ("youssef", "yusef"),
        ] {
            assert_eq!(translit_fold(a), translit_fold(b), "{a}/{b}");
        }
        // A "ye" before a vowel is a syllable of its own, and "e" alone is no "ye".
        assert_ne!(translit_fold("yeon"), translit_fold("eon"));
        assert_ne!(translit_fold("yemen"), translit_fold("men"));
    }
}
