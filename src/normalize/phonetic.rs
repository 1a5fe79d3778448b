//! Coarse spellings of a token for finding transliteration variants: the transliteration fold
//! and the phonetic skeleton.

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
