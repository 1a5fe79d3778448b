//! Acronyms of organisations' names. Callers write "RFA BANK" for "RUSSIAN FINANCIAL
//! ALLIANCE BANK" and "NICO" for "NAFTIRAN INTERTRADE CO. (NICO) SARL"; such a query shares
//! no word with the name distinctive enough to be voted for, so the index keys the initials of
//! each organisation's first words in its whole-name FST ([`acronym_keys`]), and an acronym a
//! name gives itself in parentheses becomes a weak alias ([`parenthesised_acronym`]).

/// Marks an acronym key in the whole-name FST; normalized tokens never hold it.
pub(crate) const ACRONYM_MARK: char = '^';

/// Longest acronym indexed: a query word of more letters is read as a word.
pub(crate) const MAX_ACRONYM: usize = 5;

/// The acronym keys of an organisation's name for the whole-name FST: the initials of its
/// first two to [`MAX_ACRONYM`] words, stopwords and legal forms skipped ("RUSSIAN FINANCIAL
/// ALLIANCE BANK" gives "rf", "rfa", "rfab"), so that a query written with the acronym ("RFA
/// BANK", "IRGC MISSILE COMMAND") reaches the name, which shares no other word distinctive
/// enough to be voted for. Initials (one-letter tokens) and numbers end the run.
pub(crate) fn acronym_keys(tokens: &[String]) -> Vec<String> {
    let mut initials = String::new();
    let mut keys = Vec::new();
    for t in tokens
        .iter()
        .filter(|t| !crate::engine::normalize::is_filler(t))
    {
        match t.as_bytes().first() {
            Some(&first) if t.len() >= 2 && first.is_ascii_lowercase() => {
                if initials.len() == MAX_ACRONYM {
                    break;
                }
                initials.push(first as char);
            }
            _ => break,
        }
        if initials.len() >= 2 {
            keys.push(acronym_key(&initials));
        }
    }
    keys
}

/// The acronym an organisation's name gives itself in parentheses ("NAFTIRAN INTERTRADE CO.
/// (NICO) SARL", "ISLAMIC JIHAD UNION (IJU)"), normalized, when it reads as one: one word of
/// three to eight letters, beginning with the name's first letter and spelling, in order,
/// letters of the words before it. Callers write the acronym alone, and the rest of the name
/// then weighs down a match on it. A parenthesised place ("(HONG KONG)", "(IRAN)") or former
/// name is no acronym.
pub(crate) fn parenthesised_acronym(raw: &str, tokens: &[String]) -> Option<String> {
    let open = raw.find('(')?;
    let close = open + raw[open..].find(')')?;
    let inner = crate::engine::normalize::tokens(&raw[open + 1..close]);
    let [acronym] = inner.as_slice() else {
        return None;
    };
    let before = crate::engine::normalize::tokens(&raw[..open]);
    let first = before.first()?;
    let letters = acronym.as_bytes();
    if !(3..=8).contains(&letters.len())
        || !letters.iter().all(u8::is_ascii_lowercase)
        || letters[0] != first.as_bytes()[0]
        || tokens.len() < 2
        || crate::engine::countries::to_iso2(acronym).is_some()
    {
        return None;
    }
    let mut spelt = before.iter().flat_map(|t| t.bytes());
    letters
        .iter()
        .all(|l| spelt.any(|b| b == *l))
        .then(|| acronym.clone())
}

/// The whole-name FST key under which names with the acronym `word` are found.
pub(crate) fn acronym_key(word: &str) -> String {
    format!("{ACRONYM_MARK}{word}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        crate::engine::normalize::tokens(s)
    }

    #[test]
    fn an_organisations_first_words_give_its_acronyms() {
        let keys = acronym_keys(&toks("Russian Financial Alliance Bank"));
        assert_eq!(keys, ["^rf", "^rfa", "^rfab"]);
        // Stopwords and legal forms are skipped; at most five letters.
        let keys = acronym_keys(&toks(
            "Bank of Industry and Mine Trading Co. Ltd Sepah Melli",
        ));
        assert_eq!(keys.last().map(String::as_str), Some("^bimts"));
        assert!(!keys.iter().any(|k| k.contains('o')), "{keys:?}");
        // An initial or a number ends the run; a one-word name has none.
        assert_eq!(
            acronym_keys(&toks("Tikhomirov V. Institute")),
            Vec::<String>::new()
        );
        assert_eq!(acronym_keys(&toks("Rosneft")), Vec::<String>::new());
        assert_eq!(acronym_key("rfa"), "^rfa");
    }

    #[test]
    fn a_parenthesised_acronym_is_read_only_when_it_spells_the_name() {
        let read = |raw: &str| parenthesised_acronym(raw, &toks(raw));
        assert_eq!(
            read("NAFTIRAN INTERTRADE CO. (NICO) SARL").as_deref(),
            Some("nico")
        );
        assert_eq!(read("ISLAMIC JIHAD UNION (IJU)").as_deref(), Some("iju"));
        // A place, a former name, letters out of order, or another first letter: none.
        assert_eq!(read("GREEN INDUSTRIES (HONG KONG) LIMITED"), None);
        assert_eq!(read("IRAN KHODRO (IRAN)"), None);
        assert_eq!(read("ISLAMIC JIHAD UNION (UIJ)"), None);
        assert_eq!(read("ISLAMIC JIHAD UNION (JIU)"), None);
        assert_eq!(read("ISLAMIC JIHAD UNION (IJ)"), None);
        assert_eq!(read("ALPHA TRADING (BETA TRADING)"), None);
        assert_eq!(read("ALPHA TRADING"), None);
    }
}
