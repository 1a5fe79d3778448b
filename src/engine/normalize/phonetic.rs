//! The transliteration fold: a token with the spelling conventions that differ between
//! publishers for the same short name part folded away. (Romanization keys, for longer words
//! and whole families of conventions, are in `romanize.rs`.)

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
