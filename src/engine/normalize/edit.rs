//! Edit distance and Jaro-Winkler similarity between words: the inner loops of candidate
//! search and scoring, computed over bytes on the stack for the ASCII words most tokens are.

/// The optimal-string-alignment distance between `a` and `b` if it is at most `bound`.
///
/// This is the hot loop of scoring. `strsim::osa_distance` computes the same distance but
/// allocates its rows on the heap and always finishes the table; for words up to 32 bytes we
/// keep three rows on the stack and stop as soon as a whole row exceeds the bound. Longer
/// words fall back to strsim.
pub fn osa_within(a: &[u8], b: &[u8], bound: usize) -> Option<usize> {
    const MAX: usize = 32;
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    if a.len() > MAX || b.len() > MAX {
        let (a, b) = (std::str::from_utf8(a).ok()?, std::str::from_utf8(b).ok()?);
        let d = strsim::osa_distance(a, b);
        return (d <= bound).then_some(d);
    }
    let m = b.len();
    // Distances within 32-byte words fit a byte: three rows of 33 bytes, cheap to rotate.
    let mut two_back = [0u8; MAX + 1];
    let mut prev = [0u8; MAX + 1];
    let mut cur = [0u8; MAX + 1];
    for (j, p) in prev.iter_mut().enumerate().take(m + 1) {
        *p = j as u8;
    }
    for i in 1..=a.len() {
        cur[0] = i as u8;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(two_back[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if usize::from(row_min) > bound {
            return None;
        }
        two_back = prev;
        prev = cur;
    }
    let d = usize::from(prev[m]);
    (d <= bound).then_some(d)
}

/// Jaro-Winkler similarity of two words, as `strsim::jaro_winkler` computes it. For ASCII
/// words up to 64 bytes (class spellings, romanized names) over bytes, with the match flags on
/// the stack and each letter compared only within the match window; `strsim` decodes
/// characters, allocates the flags and walks the other word from its start for every letter.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    const MAX: usize = 64;
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !a.is_ascii() || !b.is_ascii() || x.len() > MAX || y.len() > MAX {
        return strsim::jaro_winkler(a, b);
    }
    let sim = jaro_bytes(x, y, &mut [false; MAX], &mut [false; MAX]);
    if sim > 0.7 {
        let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

fn jaro_bytes(a: &[u8], b: &[u8], a_flags: &mut [bool], b_flags: &mut [bool]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    } else if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let range = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut matches = 0usize;
    for (i, &c) in a.iter().enumerate() {
        let (lo, hi) = (i.saturating_sub(range), b.len().min(i + range + 1));
        for j in lo..hi {
            if b[j] == c && !b_flags[j] {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut matched_b = b
        .iter()
        .zip(b_flags.iter())
        .filter(|(_, &f)| f)
        .map(|(c, _)| c);
    for (c, _) in a.iter().zip(a_flags.iter()).filter(|(_, &f)| f) {
        if matched_b.next() != Some(c) {
            transpositions += 1;
        }
    }
    transpositions /= 2;
    let m = matches as f64;
    ((m / a.len() as f64) + (m / b.len() as f64) + ((matches - transpositions) as f64 / m)) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn bounded_osa_agrees_with_strsim(a in "[a-e]{0,12}", b in "[a-e]{0,12}", bound in 0usize..4) {
            let full = strsim::osa_distance(&a, &b);
            let want = (full <= bound).then_some(full);
            proptest::prop_assert_eq!(osa_within(a.as_bytes(), b.as_bytes(), bound), want);
        }
    }

    proptest::proptest! {
        #[test]
        fn byte_jaro_winkler_agrees_with_strsim(a in "[a-f]{0,14}", b in "[a-f]{0,14}") {
            proptest::prop_assert_eq!(jaro_winkler(&a, &b), strsim::jaro_winkler(&a, &b));
        }
    }
}
