//! Generic company words written more than one way: business abbreviations ("INTL", "MFG"),
//! plural and other forms of the same word ("TECHNOLOGIES", "SERVICIOS") and numbers written
//! as words ("FORTY-FOUR", "TWENTY-FIRST", "1ST"). Each becomes one form, so that the list's
//! spelling and the caller's meet.
//!
//! The rewrites are tables of whole words, not rules: a suffix-stripping stemmer would turn
//! surnames ("Jones", "Abbas", "Harris") into other words.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::edit::osa_within;

/// Abbreviations of common company words and the word each stands for (in the form
/// [`INFLECTIONS`] gives it). Left out: "IND" (India, Indian, independent), "DEV" (an Indian
/// given name and surname), "INT" (interior, intelligence), "PETRO" and "PHARMA" (words of
/// their own, used as such in names), "COMM" (commerce or communication).
///
/// "TECH" is also a word, but in a name it means technology ("Huawei Tech Investment" is one
/// of the Huawei Technologies companies), so it is read as `technology` on both sides.
/// "ASSOC" may stand for associates too ("Smith & Assoc."); it is read as `association`,
/// which it abbreviates more often, and either way it matched neither before.
pub const ABBREVIATIONS: &[(&str, &str)] = &[
    ("shpg", "shipping"),
    ("shipg", "shipping"),
    ("shpng", "shipping"),
    ("intl", "international"),
    ("intnl", "international"),
    ("internatl", "international"),
    ("mfg", "manufacturing"),
    ("mfrs", "manufacturer"),
    ("mgmt", "management"),
    ("mgt", "management"),
    ("svcs", "service"),
    ("svc", "service"),
    ("srvcs", "service"),
    ("trdg", "trading"),
    ("engg", "engineering"),
    ("tech", "technology"),
    ("techs", "technology"),
    ("inds", "industry"),
    ("natl", "national"),
    ("assn", "association"),
    ("assoc", "association"),
    ("bros", "brothers"),
    ("devt", "development"),
    ("grp", "group"),
    ("ctr", "center"),
    ("centre", "center"),
    ("centres", "center"),
    ("invt", "investment"),
    ("dept", "department"),
    ("bldg", "building"),
    ("eqpt", "equipment"),
    ("mktg", "marketing"),
    ("univ", "university"),
    ("chem", "chemical"),
];

/// Words that say what kind of organisation a name is ("institute", "foundation", Spanish
/// "comercializadora", a trading company), in the form the normalizer gives them, in the
/// languages of the lists. Legal forms ("co", "ltd") are read apart; these are words of the
/// name, but common to names of organisations in general, whatever their frequency in
/// ordinary text: "HARA INSTITUTE" is written for "HARA COMPANY", "AL-QUDS INTERNATIONAL
/// INSTITUTION" for "AL-QUDS INTERNATIONAL FOUNDATION". The index weighs them as the world's
/// commonest words (`index::build::world_weight`). Military and political units ("army",
/// "brigade", "front", "party") are left out: in those names they are what tells one
/// group from another.
pub const DESIGNATORS: &[&str] = &[
    // English.
    "administration",
    "agency",
    "association",
    "authority",
    "bureau",
    "center",
    "committee",
    "consortium",
    "cooperative",
    "council",
    "department",
    "directorate",
    "enterprise",
    "factory",
    "federation",
    "firm",
    "foundation",
    "fund",
    "group",
    "institute",
    "institution",
    "office",
    "organisation",
    "organization",
    "society",
    "syndicate",
    "union",
    // Spanish and Portuguese.
    "agencia",
    "asociacion",
    "associacao",
    "centro",
    "comercializadora",
    "constructora",
    "consorcio",
    "distribuidora",
    "empresa",
    "exportadora",
    "fundacao",
    "fundacion",
    "grupo",
    "importadora",
    "inmobiliaria",
    "instituto",
    "oficina",
    "organizacao",
    "organizacion",
    "sociedad",
    // French, Italian, German.
    "agence",
    "agenzia",
    "associazione",
    "fondation",
    "fondazione",
    "gesellschaft",
    "groupe",
    "gruppe",
    "gruppo",
    "institut",
    "istituto",
    "societa",
    "societe",
    "stiftung",
    "verband",
    "verein",
    // Russian and Ukrainian, as the normalizer transliterates them.
    "agentstvo",
    "fond",
    "kombinat",
    "kompaniya",
    "obedinenie",
    "obshchestvo",
    "tsentr",
    "upravlenie",
    "zavod",
];

/// Whether `token` is one of the [`DESIGNATORS`].
pub fn is_designator(token: &str) -> bool {
    DESIGNATORS.contains(&token)
}

/// Plural and other inflected forms of generic company words, and the one form each becomes:
/// the singular. English, then the Spanish, Portuguese and French plurals common in company
/// names. "Brothers" stays plural ("Brother" is a company of its own), "Industrial" stays apart
/// from "Industry" ("Industrial Bank" is not "Industry Bank").
pub const INFLECTIONS: &[(&str, &str)] = &[
    ("technologies", "technology"),
    ("industries", "industry"),
    ("services", "service"),
    ("systems", "system"),
    ("products", "product"),
    ("prods", "product"),
    ("solutions", "solution"),
    ("enterprises", "enterprise"),
    ("investments", "investment"),
    ("resources", "resource"),
    ("communications", "communication"),
    ("telecommunications", "telecommunication"),
    ("telecoms", "telecom"),
    ("networks", "network"),
    ("materials", "material"),
    ("partners", "partner"),
    ("ventures", "venture"),
    ("associates", "associate"),
    ("traders", "trader"),
    ("exports", "export"),
    ("exporters", "exporter"),
    ("imports", "import"),
    ("importers", "importer"),
    ("chemicals", "chemical"),
    ("petrochemicals", "petrochemical"),
    ("pharmaceuticals", "pharmaceutical"),
    ("metals", "metal"),
    ("minerals", "mineral"),
    ("engineers", "engineer"),
    ("consultants", "consultant"),
    ("contractors", "contractor"),
    ("builders", "builder"),
    ("developers", "developer"),
    ("distributors", "distributor"),
    ("suppliers", "supplier"),
    ("supplies", "supply"),
    ("manufacturers", "manufacturer"),
    ("laboratories", "laboratory"),
    ("labs", "lab"),
    ("markets", "market"),
    ("industrials", "industrial"),
    ("shippings", "shipping"),
    ("tradings", "trading"),
    ("logistic", "logistics"),
    ("electronics", "electronic"),
    ("plastics", "plastic"),
    ("textiles", "textile"),
    ("foods", "food"),
    ("motors", "motor"),
    ("airlines", "airline"),
    ("lines", "line"),
    ("agencies", "agency"),
    ("instruments", "instrument"),
    ("components", "component"),
    ("devices", "device"),
    ("equipments", "equipment"),
    ("machineries", "machinery"),
    ("projects", "project"),
    ("operations", "operation"),
    ("properties", "property"),
    ("securities", "security"),
    ("energies", "energy"),
    ("groups", "group"),
    ("centers", "center"),
    ("transports", "transport"),
    // Spanish and Portuguese.
    ("servicios", "servicio"),
    ("servicos", "servico"),
    ("industrias", "industria"),
    ("tecnologias", "tecnologia"),
    ("sistemas", "sistema"),
    ("productos", "producto"),
    ("produtos", "produto"),
    ("soluciones", "solucion"),
    ("solucoes", "solucao"),
    ("inversiones", "inversion"),
    ("investimentos", "investimento"),
    ("empresas", "empresa"),
    ("recursos", "recurso"),
    ("comunicaciones", "comunicacion"),
    ("materiales", "material"),
    ("minerales", "mineral"),
    ("metales", "metal"),
    ("quimicos", "quimico"),
    ("laboratorios", "laboratorio"),
    ("mercados", "mercado"),
    ("exportaciones", "exportacion"),
    ("importaciones", "importacion"),
    ("ingenieros", "ingeniero"),
    ("consultores", "consultor"),
    ("asociados", "asociado"),
    ("transportes", "transporte"),
    ("construcciones", "construccion"),
    ("negocios", "negocio"),
    ("comerciales", "comercial"),
    ("industriales", "industrial"),
    // French.
    ("systemes", "systeme"),
    ("produits", "produit"),
    ("entreprises", "entreprise"),
    ("investissements", "investissement"),
    ("ressources", "ressource"),
    ("laboratoires", "laboratoire"),
];

/// The one form of the inflected company word that `token` misspells: a plural in
/// [`INFLECTIONS`] written with one typo ("TECHNOLGIES", "SERVCES"), or two in a word of ten
/// letters or more. The index holds such words in their one form, which a typo plus the
/// plural ending puts beyond the edit budget of the word itself ("servces" is two edits from
/// "service" but one from "services"). Only words of seven letters or more that end in "s",
/// as every plural in the table does (a shorter word is as likely another word: "medals" is
/// one letter from "metals"); `None` for a word in the table itself (which `rewrite` reads).
pub fn near_inflection(token: &str) -> Option<&'static str> {
    if token.len() < 7 || !token.ends_with('s') || !token.is_ascii() || rewrite(token).is_some() {
        return None;
    }
    let budget = if token.len() >= 10 { 2 } else { 1 };
    INFLECTIONS
        .iter()
        .filter(|(plural, _)| plural.len() >= 7 && plural.len().abs_diff(token.len()) <= budget)
        .filter_map(|&(plural, one)| {
            Some((
                osa_within(plural.as_bytes(), token.as_bytes(), budget)?,
                one,
            ))
        })
        .filter(|&(d, _)| d > 0)
        .min_by_key(|&(d, _)| d)
        .map(|(_, one)| one)
}

/// The one form of a generic company word, if `token` is another form of one.
pub(super) fn rewrite(token: &str) -> Option<&'static str> {
    static MAP: OnceLock<FxHashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| ABBREVIATIONS.iter().chain(INFLECTIONS).copied().collect())
        .get(token)
        .copied()
}

/// Whether `token` is one of the [`ABBREVIATIONS`].
pub(super) fn is_abbreviation(token: &str) -> bool {
    ABBREVIATIONS.iter().any(|&(a, _)| a == token)
}

/// What a number word contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    /// zero to nineteen (`ordinal`: "first" to "nineteenth").
    Small {
        value: u64,
        ordinal: bool,
    },
    /// twenty to ninety.
    Tens {
        value: u64,
        ordinal: bool,
    },
    Hundred {
        ordinal: bool,
    },
    Thousand {
        ordinal: bool,
    },
}

/// English number words, cardinal and ordinal. Other languages' number words are left out:
/// many are ordinary name words elsewhere ("dos", "tres", "cinco", "mil").
pub const NUMBER_WORDS: &[(&str, u64, bool)] = &[
    ("zero", 0, false),
    ("one", 1, false),
    ("two", 2, false),
    ("three", 3, false),
    ("four", 4, false),
    ("five", 5, false),
    ("six", 6, false),
    ("seven", 7, false),
    ("eight", 8, false),
    ("nine", 9, false),
    ("ten", 10, false),
    ("eleven", 11, false),
    ("twelve", 12, false),
    ("thirteen", 13, false),
    ("fourteen", 14, false),
    ("fifteen", 15, false),
    ("sixteen", 16, false),
    ("seventeen", 17, false),
    ("eighteen", 18, false),
    ("nineteen", 19, false),
    ("twenty", 20, false),
    ("thirty", 30, false),
    ("forty", 40, false),
    ("fifty", 50, false),
    ("sixty", 60, false),
    ("seventy", 70, false),
    ("eighty", 80, false),
    ("ninety", 90, false),
    ("hundred", 100, false),
    ("thousand", 1000, false),
    ("first", 1, true),
    ("second", 2, true),
    ("third", 3, true),
    ("fourth", 4, true),
    ("fifth", 5, true),
    ("sixth", 6, true),
    ("seventh", 7, true),
    ("eighth", 8, true),
    ("ninth", 9, true),
    ("tenth", 10, true),
    ("eleventh", 11, true),
    ("twelfth", 12, true),
    ("thirteenth", 13, true),
    ("fourteenth", 14, true),
    ("fifteenth", 15, true),
    ("sixteenth", 16, true),
    ("seventeenth", 17, true),
    ("eighteenth", 18, true),
    ("nineteenth", 19, true),
    ("twentieth", 20, true),
    ("thirtieth", 30, true),
    ("fortieth", 40, true),
    ("fiftieth", 50, true),
    ("sixtieth", 60, true),
    ("seventieth", 70, true),
    ("eightieth", 80, true),
    ("ninetieth", 90, true),
    ("hundredth", 100, true),
    ("thousandth", 1000, true),
];

fn number_word(token: &str) -> Option<Word> {
    static MAP: OnceLock<FxHashMap<&'static str, Word>> = OnceLock::new();
    MAP.get_or_init(|| {
        NUMBER_WORDS
            .iter()
            .map(|&(w, value, ordinal)| {
                let word = match value {
                    0..=19 => Word::Small { value, ordinal },
                    100 => Word::Hundred { ordinal },
                    1000 => Word::Thousand { ordinal },
                    _ => Word::Tens { value, ordinal },
                };
                (w, word)
            })
            .collect()
    })
    .get(token)
    .copied()
}

/// Whether a token starts a number: digits or a number word.
pub(super) fn is_number(token: &str) -> bool {
    token.bytes().all(|b| b.is_ascii_digit()) || number_word(token).is_some()
}

/// The ordinal suffix English writes after a number ending in these digits: 1st, 2nd, 3rd,
/// 11th, 12th, 13th, 21st, 4th.
fn suffix(last_two: u64) -> &'static str {
    match (last_two % 100, last_two % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    }
}

/// A number starting at raw token `i`.
pub(super) enum Number {
    /// Digits, with their ordinal suffix after them ("1 st", as the tokenizer splits "1ST"):
    /// the digits token stands for the `usize` tokens.
    Digits(usize),
    /// Number words: their value and the tokens they span ("forty four", "twenty first st").
    Value(u64, usize),
}

/// The number written at raw token `i`, if it is written other than as bare digits.
pub(super) fn number_at(raw: &[&str], i: usize) -> Option<Number> {
    let first = raw[i];
    let suffix_after = |value: u64, end: usize| raw.get(end) == Some(&suffix(value));
    if first.bytes().all(|b| b.is_ascii_digit()) {
        // The last two digits decide the suffix; a longer number has no smaller value.
        let tail = &first[first.len().saturating_sub(2)..];
        let value = tail.parse::<u64>().ok()?;
        return suffix_after(value, i + 1).then_some(Number::Digits(2));
    }
    number_word(first)?;
    // An English cardinal or ordinal below a million: [[small|tens [unit]] hundred [and]]
    // [tens [unit] | small], optionally times thousand and followed by the same again.
    #[derive(PartialEq)]
    enum Last {
        Start,
        Small,
        Tens,
        Hundred,
        Thousand,
        And,
    }
    let (mut total, mut current) = (0u64, 0u64);
    let mut last = Last::Start;
    let mut end = i;
    while let Some(&token) = raw.get(end) {
        if token == "and" && matches!(last, Last::Hundred | Last::Thousand) {
            // "one hundred and one": only when a number word follows.
            let next = raw.get(end + 1).and_then(|t| number_word(t));
            if matches!(next, Some(Word::Small { value, .. }) if value > 0)
                || matches!(next, Some(Word::Tens { .. }))
            {
                last = Last::And;
                end += 1;
                continue;
            }
            break;
        }
        let Some(word) = number_word(token) else {
            break;
        };
        let open = matches!(
            last,
            Last::Start | Last::Hundred | Last::Thousand | Last::And
        );
        let ordinal = match word {
            Word::Small { value, ordinal } => {
                let after_tens =
                    last == Last::Tens && current % 10 == 0 && (1..=9).contains(&value);
                if !(after_tens || open && (value > 0 || last == Last::Start)) {
                    break;
                }
                current += value;
                last = Last::Small;
                ordinal
            }
            Word::Tens { value, ordinal } => {
                if !open {
                    break;
                }
                current += value;
                last = Last::Tens;
                ordinal
            }
            Word::Hundred { ordinal } => {
                if !(last == Last::Start || last == Last::Small && (1..100).contains(&current)) {
                    break;
                }
                current = current.max(1) * 100;
                last = Last::Hundred;
                ordinal
            }
            Word::Thousand { ordinal } => {
                if total > 0 || last == Last::And {
                    break;
                }
                total = (current.max(1)) * 1000;
                current = 0;
                last = Last::Thousand;
                ordinal
            }
        };
        end += 1;
        if ordinal {
            break;
        }
    }
    let value = total + current;
    if suffix_after(value, end) {
        end += 1;
    }
    Some(Number::Value(value, end - i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::normalize::legal::{legal_form_at, Raw};

    #[test]
    fn designators_are_normalized_words_that_are_no_legal_form() {
        for &d in DESIGNATORS {
            assert_eq!(crate::engine::normalize::tokens(d), [d], "{d}");
            assert!(!is_legal(d), "{d}");
        }
        // They weigh as the world's commonest words, however rare in ordinary text.
        use crate::engine::index::build::{world_weight, DESIGNATOR_WEIGHT};
        assert_eq!(world_weight("comercializadora"), Some(DESIGNATOR_WEIGHT));
        assert_eq!(world_weight("institute"), Some(DESIGNATOR_WEIGHT));
        assert!(world_weight("garden").unwrap() > DESIGNATOR_WEIGHT);
    }

    fn is_legal(word: &str) -> bool {
        let words = ["x", word];
        legal_form_at(
            Raw {
                words: &words,
                glued: &[],
            },
            1,
            false,
        )
        .is_some()
    }

    #[test]
    fn rewrites_end_in_a_word_that_stays() {
        for &(from, to) in ABBREVIATIONS.iter().chain(INFLECTIONS) {
            assert_eq!(rewrite(from), Some(to), "{from}");
            assert_eq!(rewrite(to), None, "{to} is rewritten again");
            // A legal form would take the word first, or change after it.
            assert!(!is_legal(from) && !is_legal(to), "{from} / {to}");
            assert!(!is_number(from) && !is_number(to), "{from} / {to}");
        }
        let mut sources: Vec<&str> = ABBREVIATIONS
            .iter()
            .chain(INFLECTIONS)
            .map(|&(f, _)| f)
            .collect();
        sources.sort_unstable();
        let n = sources.len();
        sources.dedup();
        assert_eq!(sources.len(), n, "a word is listed twice");
    }

    #[test]
    fn number_words_are_no_legal_forms() {
        for &(word, _, _) in NUMBER_WORDS {
            assert!(!is_legal(word) && rewrite(word).is_none(), "{word}");
        }
    }

    #[test]
    fn misspelt_plurals_find_their_one_form() {
        assert_eq!(near_inflection("technolgies"), Some("technology"));
        assert_eq!(near_inflection("technolgogies"), Some("technology"));
        assert_eq!(near_inflection("servces"), Some("service"));
        assert_eq!(near_inflection("consrtucciones"), Some("construccion"));
        // The table's own words are rewritten by `rewrite`, not here; short words, words
        // that are no plural, and words two typos off in a short word are left alone.
        assert_eq!(near_inflection("services"), None);
        assert_eq!(near_inflection("lanes"), None);
        assert_eq!(near_inflection("serbian"), None);
        assert_eq!(near_inflection("sorvces"), None);
        // Surnames that look like plurals are not in the table's reach.
        assert_eq!(near_inflection("harris"), None);
        assert_eq!(near_inflection("medals"), None);
        assert_eq!(near_inflection("jones"), None);
    }

    #[test]
    fn surnames_and_ordinary_plurals_are_not_rewritten() {
        for word in [
            "jones",
            "abbas",
            "harris",
            "williams",
            "adams",
            "thomas",
            "mills",
            "james",
            "dev",
            "ind",
            "petro",
            "pharma",
            "sciences",
            "news",
            "brothers",
            "industrial",
        ] {
            assert_eq!(rewrite(word), None, "{word}");
        }
    }

    fn value(words: &[&str]) -> Option<(u64, usize)> {
        match number_at(words, 0)? {
            Number::Value(v, n) => Some((v, n)),
            Number::Digits(n) => Some((words[0].parse().unwrap(), n)),
        }
    }

    #[test]
    fn numbers() {
        type Case<'a> = (&'a [&'a str], Option<(u64, usize)>);
        let cases: &[Case] = &[
            (&["five"], Some((5, 1))),
            (&["fourteen"], Some((14, 1))),
            (&["forty", "four"], Some((44, 2))),
            (&["one", "hundred"], Some((100, 2))),
            (&["hundred"], Some((100, 1))),
            (&["one", "hundred", "and", "five"], Some((105, 4))),
            (&["one", "hundred", "and", "co"], Some((100, 2))),
            (&["nine", "hundred", "ninety", "nine"], Some((999, 4))),
            (&["twenty", "one", "hundred"], Some((2100, 3))),
            (&["one", "hundred", "five", "hundred"], Some((105, 3))),
            (&["two", "thousand", "twenty", "four"], Some((2024, 4))),
            (&["first"], Some((1, 1))),
            (&["twenty", "first"], Some((21, 2))),
            (&["twenty", "first", "st"], Some((21, 3))),
            (&["first", "st"], Some((1, 2))),
            (&["one", "hundredth"], Some((100, 2))),
            (&["1", "st"], Some((1, 2))),
            (&["2", "nd"], Some((2, 2))),
            (&["3", "rd"], Some((3, 2))),
            (&["11", "th"], Some((11, 2))),
            (&["12", "th"], Some((12, 2))),
            (&["113", "th"], Some((113, 2))),
            (&["21", "st"], Some((21, 2))),
            (&["5", "st"], None),
            (&["11", "st"], None),
            (&["5"], None),
            (&["one", "one"], Some((1, 1))),
            (&["twenty", "ten"], Some((20, 1))),
            (&["zero", "one"], Some((0, 1))),
            (&["st"], None),
            (&["and", "one"], None),
        ];
        for &(words, want) in cases {
            assert_eq!(value(words), want, "{words:?}");
        }
    }
}
