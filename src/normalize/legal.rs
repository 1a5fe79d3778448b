//! Legal forms and stopwords: the words of a name that say what kind of body it is, or
//! nothing at all, rather than which one. They are canonicalised (`Co., Ltd.` and `Company
//! Limited` become `ltd`) and weighed low by matching.

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

/// The legal-form phrase `raw` starts with: the number of raw tokens it spans and its
/// canonical token.
pub(super) fn legal_form_at(raw: &[&str]) -> Option<(usize, &'static str)> {
    LEGAL_FORMS.iter().find_map(|(phrase, canon)| {
        let matches =
            raw.len() >= phrase.len() && raw.iter().zip(*phrase).all(|(r, w)| legal_word_eq(r, w));
        matches.then_some((phrase.len(), *canon))
    })
}
