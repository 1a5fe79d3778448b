//! Legal forms and stopwords: the words of a name that say what kind of body it is, or
//! nothing at all, rather than which one. They are canonicalised (`Co., Ltd.` and `Company
//! Limited` become `ltd`, `EOOD` and `D.O.O.` become `llc`) and weighed low by matching.
//!
//! Forms are grouped by meaning, not by country: a canonical token stands for every form that
//! means the same (`jsc` for Russian AO, Bulgarian AD, Czech a.s., Turkish A.Ş., Japanese
//! K.K.). A short abbreviation that is also a word or a name part somewhere folds only where a
//! legal form stands (see [`Place`]); its canonical token is always another word, so where it
//! does not fold it stays a distinctive name word.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use Place::{Any, Edge, End, Start};

/// Where in a name a legal-form phrase is read as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Anywhere: the phrase is no word of any language.
    Any,
    /// First, or after other legal forms only ("PT", "CONG TY" precede the name).
    Start,
    /// Last, or before other legal forms only ("VTB BANKA AD", "Agroplast, a.s.",
    /// "ASCOTEC JAPAN K.K."): an Arabic article ("as-Somali", "ad-Dawa") or a name part
    /// ("KK International Traders") never ends a name.
    End,
    /// First or last: forms written on either side of the name ("PT. Kuantum", "Huawei Tech
    /// Investment, PT"; "AO Kalashnikov", "Okeanos, AO").
    Edge,
}

/// A legal-form phrase (as tokenised), the canonical token it becomes and where it may stand.
pub type LegalForm = (&'static [&'static str], &'static str, Place);

/// Legal-form phrases and their canonical tokens. When several phrases match at one position,
/// the one spanning the most tokens wins (`public joint stock company` over `joint stock
/// company`), then the earlier one.
///
/// Matching is forgiving in three ways (see `legal_form_at`): words of five letters or more
/// tolerate a typo ("COMPNY", "LIMTED"); a word may be split by punctuation ("LIMI.TED",
/// "L-T-D"); and a word of a longer phrase, or a single word of three letters or more, may be
/// spelt as separate letters ("S. DE R. L.", "L L C"). Dotted initials ("S.A.P.I.", "D.O.O.")
/// are already joined by the tokenizer.
///
/// Choices for words that are also ordinary words or name parts:
/// - `as`, `ad`, `dd`, `ks`, `sl`, `kk`, `yk`, `gk`, `ug`, `eu`, `lp`, `ca`, `asa`, `aps`,
///   `sau`, `sae`, `sal`, `sti`, `scs`, `snc`, `psc`, `ksc`, `pat`, `dp` fold only at the end: that
///   is where their countries write them, while the Arabic articles `as-`/`ad-` come before a
///   noun, "SNC-Lavalin", "KK International" and "DP World" start with theirs, and "Pat" is a
///   given name that queries write first.
/// - `sherkat` (Persian "company") folds only at the start, where Iranian names carry it.
/// - `pt`, `cv`, `too`, `prat` fold at either edge: Indonesian, Kazakh and Ukrainian names
///   carry them before or after the name; inside a name ("NPP PT OKEANOS") they are name
///   words.
/// - A name made only of such a word and other legal forms ("PAT", "SL", "S.A.S. E.U." as
///   aliases) keeps it: there it is the name.
/// - `cong ty` folds only at the start, where Vietnamese names carry it ("Cong" and "Ty" are
///   also given names).
/// - `ab`, `ag`, `kg`, `oy`, `spa`, `sas`, `doo`, `ao` fold anywhere: the canonical token of
///   the first six is themselves (so no position rule could keep them distinctive), and the
///   lists write `doo` before the town ("ARANEKS DOO BEOGRAD") and `ao` inside Russian names
///   ("OZ Vega Filial AO TSS Zvezdochka") more often than either is a name part ("Ling Ao").
/// - `tov` ("Siman Tov") keeps folding anywhere as before.
///
/// A surname-first list name whose given name is one of the end-only words ("SMITH, Pat")
/// folds it too; no such name is on the shared lists.
pub const LEGAL_FORMS: &[LegalForm] = &[
    // Limited and limited-liability companies, English and generic.
    (&["limited", "liability", "company"], "llc", Any),
    (&["limited", "liability", "partnership"], "llc", Any),
    (&["with", "limited", "liability"], "llc", Any),
    (&["public", "limited", "company"], "plc", Any),
    (&["public", "company", "limited"], "plc", Any),
    (&["private", "limited", "company"], "ltd", Any),
    (&["limited", "company"], "ltd", Any),
    (&["limited", "partnership"], "kg", Any),
    (&["company", "limited"], "ltd", Any),
    (&["co", "limited"], "ltd", Any),
    (&["co", "ltd"], "ltd", Any),
    (&["coltd"], "ltd", Any),
    (&["pte", "ltd"], "ltd", Any),
    (&["pvt", "ltd"], "ltd", Any),
    (&["pvt", "limited"], "ltd", Any),
    (&["pte", "limited"], "ltd", Any),
    (&["private", "ltd"], "ltd", Any),
    (&["private", "limited"], "ltd", Any),
    (&["pty", "ltd"], "ltd", Any),
    (&["limited"], "ltd", Any),
    (&["ltd"], "ltd", Any),
    (&["pte"], "ltd", Any),
    (&["pvt"], "ltd", Any),
    (&["llc"], "llc", Any),
    (&["l", "l", "c"], "llc", Any),
    (&["llp"], "llc", Any),
    (&["lp"], "kg", End),
    (&["plc"], "plc", Any),
    (&["pcl"], "plc", Any),
    (&["pty"], "pty", Any),
    (&["incorporated"], "inc", Any),
    (&["inc"], "inc", Any),
    (&["corporation"], "corp", Any),
    (&["corp"], "corp", Any),
    (&["company"], "co", Any),
    (&["companies"], "co", Any),
    (&["co"], "co", Any),
    (&["holdings"], "holding", Any),
    (&["holding"], "holding", Any),
    (&["hldgs"], "holding", Any),
    (&["hldg"], "holding", Any),
    (&["est"], "est", Any),
    (&["establishment"], "est", Any),
    // Russia, Kazakhstan, Ukraine.
    (
        &["obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"],
        "llc",
        Any,
    ),
    (
        &["obshchestvo", "s", "ogranichennoi", "otvetstvennostiu"],
        "llc",
        Any,
    ),
    (
        &["tovarishchestvo", "s", "ogranichennoy", "otvetstvennostyu"],
        "llc",
        Any,
    ),
    (
        &["tovarystvo", "z", "obmezhenoiu", "vidpovidalnistiu"],
        "llc",
        Any,
    ),
    (
        &["tovarystvo", "z", "obmezhenoyu", "vidpovidalnistyu"],
        "llc",
        Any,
    ),
    (&["public", "joint", "stock", "company"], "jsc", Any),
    (&["closed", "joint", "stock", "company"], "jsc", Any),
    (&["open", "joint", "stock", "company"], "jsc", Any),
    (&["joint", "stock", "company"], "jsc", Any),
    (&["zakrytoe", "aktsionernoe", "obshchestvo"], "jsc", Any),
    (&["otkrytoe", "aktsionernoe", "obshchestvo"], "jsc", Any),
    (&["publichnoe", "aktsionernoe", "obshchestvo"], "jsc", Any),
    (&["aktsionernoe", "obshchestvo"], "jsc", Any),
    (&["pryvatne", "aktsionerne", "tovarystvo"], "jsc", Any),
    (&["publichne", "aktsionerne", "tovarystvo"], "jsc", Any),
    (&["aktsionerne", "tovarystvo"], "jsc", Any),
    (&["ooo"], "llc", Any),
    (&["tov"], "llc", Any),
    (&["too"], "llc", Edge),
    (&["jsc"], "jsc", Any),
    (&["ojsc"], "jsc", Any),
    (&["cjsc"], "jsc", Any),
    (&["pjsc"], "jsc", Any),
    (&["ao"], "jsc", Any),
    (&["oao"], "jsc", Any),
    (&["zao"], "jsc", Any),
    (&["pao"], "jsc", Any),
    (&["prat"], "jsc", Edge),
    (&["pat"], "jsc", End),
    // State (unitary) enterprises: Russian ГУП/ФГУП, Ukrainian ДП (державне підприємство).
    (
        &["federalnoe", "gosudarstvennoe", "unitarnoe", "predpriyatie"],
        "gup",
        Any,
    ),
    (
        &["gosudarstvennoe", "unitarnoe", "predpriyatie"],
        "gup",
        Any,
    ),
    (&["federal", "state", "unitary", "enterprise"], "gup", Any),
    (&["state", "unitary", "enterprise"], "gup", Any),
    (&["derzhavne", "pidpryemstvo"], "gup", Any),
    (&["derzhavne", "pidpryiemstvo"], "gup", Any),
    (&["state", "enterprise"], "gup", Any),
    (&["fgup"], "gup", Any),
    (&["gup"], "gup", Any),
    (&["dp"], "gup", End),
    // Bulgaria, the former Yugoslavia.
    (
        &[
            "ednolichno",
            "druzhestvo",
            "s",
            "ogranichena",
            "otgovornost",
        ],
        "llc",
        Any,
    ),
    (
        &["druzhestvo", "s", "ogranichena", "otgovornost"],
        "llc",
        Any,
    ),
    (
        &["drustvo", "sa", "ogranicenom", "odgovornoscu"],
        "llc",
        Any,
    ),
    (&["drustvo", "s", "ogranicenom", "odgovornoscu"], "llc", Any),
    (&["druzba", "z", "omejeno", "odgovornostjo"], "llc", Any),
    (&["ednolichno", "aktsionerno", "druzhestvo"], "jsc", Any),
    (&["aktsionerno", "druzhestvo"], "jsc", Any),
    (&["akcionarsko", "drustvo"], "jsc", Any),
    (&["dionicko", "drustvo"], "jsc", Any),
    (&["delniska", "druzba"], "jsc", Any),
    (&["eood"], "llc", Any),
    (&["ood"], "llc", Any),
    (&["doo"], "llc", Any),
    (&["ead"], "jsc", Any),
    (&["ad"], "jsc", End),
    (&["dd"], "jsc", End),
    // Poland, Czechia, Slovakia, Hungary.
    (
        &["spolka", "z", "ograniczona", "odpowiedzialnoscia"],
        "llc",
        Any,
    ),
    (&["spolecnost", "s", "rucenim", "omezenym"], "llc", Any),
    (&["sp", "z", "oo"], "llc", Any),
    (&["spol", "s", "ro"], "llc", Any),
    (&["spolka", "akcyjna"], "sa", Any),
    (&["akciova", "spolecnost"], "jsc", Any),
    (&["komanditni", "spolecnost"], "kg", Any),
    (&["korlatolt", "felelossegu", "tarsasag"], "llc", Any),
    (&["zartkoruen", "mukodo", "reszvenytarsasag"], "jsc", Any),
    (&["nyilvanosan", "mukodo", "reszvenytarsasag"], "jsc", Any),
    (&["sro"], "llc", Any),
    (&["as"], "jsc", End),
    (&["ks"], "kg", End),
    (&["kft"], "llc", Any),
    (&["zrt"], "jsc", Any),
    (&["nyrt"], "jsc", Any),
    // The Nordic and Baltic countries.
    (&["julkinen", "osakeyhtio"], "oy", Any),
    (&["ab", "publ"], "ab", Any),
    (&["aktiebolag"], "ab", Any),
    (&["aktiebolaget"], "ab", Any),
    (&["ab"], "ab", Any),
    (&["osakeyhtio"], "oy", Any),
    (&["oyj"], "oy", Any),
    (&["oy"], "oy", Any),
    (&["aksjeselskap"], "jsc", Any),
    (&["aktieselskab"], "jsc", Any),
    (&["aktsiaselts"], "jsc", Any),
    (&["allmennaksjeselskap"], "plc", Any),
    (&["asa"], "plc", End),
    (&["anpartsselskab"], "ltd", Any),
    (&["aps"], "ltd", End),
    // The Netherlands, Belgium.
    (
        &[
            "besloten",
            "vennootschap",
            "met",
            "beperkte",
            "aansprakelijkheid",
        ],
        "bv",
        Any,
    ),
    (&["besloten", "vennootschap"], "bv", Any),
    (&["naamloze", "vennootschap"], "nv", Any),
    (&["commanditaire", "vennootschap"], "kg", Any),
    (&["bv"], "bv", Any),
    (&["bvba"], "bv", Any),
    (&["sprl"], "bv", Any),
    (&["nv"], "nv", Any),
    (&["cv"], "kg", Edge),
    // Germany, Austria, Switzerland.
    (
        &["gesellschaft", "mit", "beschrankter", "haftung"],
        "gmbh",
        Any,
    ),
    (&["gmbh", "and", "co", "kg"], "kg", Any),
    (&["gmbh", "u", "co", "kg"], "kg", Any),
    (&["gmbh", "co", "kg"], "kg", Any),
    (&["ag", "and", "co", "kg"], "kg", Any),
    (&["ug", "haftungsbeschrankt"], "gmbh", Any),
    (&["offene", "handelsgesellschaft"], "ohg", Any),
    (&["gesellschaft", "mbh"], "gmbh", Any),
    (&["ges", "mbh"], "gmbh", Any),
    (&["gmbh"], "gmbh", Any),
    (&["gesmbh"], "gmbh", Any),
    (&["mbh"], "gmbh", Any),
    (&["ug"], "gmbh", End),
    (&["aktiengesellschaft"], "ag", Any),
    (&["ag"], "ag", Any),
    (&["kommanditgesellschaft"], "kg", Any),
    (&["kgaa"], "kg", Any),
    (&["kg"], "kg", Any),
    (&["ohg"], "ohg", Any),
    // France, Italy, Spain, Portugal, Latin America.
    (&["societe", "a", "responsabilite", "limitee"], "sarl", Any),
    (&["societe", "par", "actions", "simplifiee"], "sas", Any),
    (&["societe", "en", "nom", "collectif"], "ohg", Any),
    (&["societa", "a", "responsabilita", "limitata"], "srl", Any),
    (&["societa", "per", "azioni"], "spa", Any),
    (
        &[
            "sociedad",
            "de",
            "responsabilidad",
            "limitada",
            "de",
            "capital",
            "variable",
        ],
        "srl",
        Any,
    ),
    (
        &["sociedad", "de", "responsabilidad", "limitada"],
        "srl",
        Any,
    ),
    (&["sociedad", "limitada", "unipersonal"], "ltd", Any),
    (&["sociedad", "limitada"], "ltd", Any),
    (&["sociedad", "anonima"], "sa", Any),
    (&["sociedad", "civil"], "sc", Any),
    (&["societe", "anonyme"], "sa", Any),
    (&["sociedade", "anonima"], "sa", Any),
    (
        &[
            "empresa",
            "individual",
            "de",
            "responsabilidade",
            "limitada",
        ],
        "ltd",
        Any,
    ),
    (&["empresa", "unipersonal"], "llc", Any),
    // Mexico: S. DE R.L. (DE C.V.), S. DE P.R. DE R.L., S.A. (P.I., B.) DE C.V.
    (&["s", "de", "pr", "de", "rl", "de", "cv"], "srl", Any),
    (&["s", "de", "pr", "de", "rl"], "srl", Any),
    (&["spr", "de", "rl", "de", "cv"], "srl", Any),
    (&["sc", "de", "rl", "de", "cv"], "srl", Any),
    (&["s", "de", "rl", "de", "cv"], "srl", Any),
    (&["spr", "de", "rl"], "srl", Any),
    (&["sc", "de", "rl"], "srl", Any),
    (&["srl", "de", "cv"], "srl", Any),
    (&["s", "de", "rl"], "srl", Any),
    (&["s", "a", "de", "c", "v"], "sa", Any),
    (&["sapi", "de", "cv"], "sa", Any),
    (&["sab", "de", "cv"], "sa", Any),
    (&["sa", "de", "cv"], "sa", Any),
    (&["cia", "ltda"], "ltd", Any),
    // Colombia, Venezuela: sociedad en comandita (simple), compania anonima.
    (&["s", "en", "c"], "kg", Any),
    (&["sc"], "sc", Any),
    (&["scs"], "kg", End),
    (&["ca"], "sa", End),
    (&["s", "a"], "sa", Any),
    (&["sa"], "sa", Any),
    (&["sau"], "sa", End),
    (&["sarl"], "sarl", Any),
    (&["eurl"], "sarl", Any),
    (&["srl"], "srl", Any),
    (&["srls"], "srl", Any),
    (&["spa"], "spa", Any),
    (&["sas"], "sas", Any),
    (&["sasu"], "sas", Any),
    (&["snc"], "ohg", End),
    (&["sl"], "ltd", End),
    (&["slu"], "ltd", Any),
    (&["ltda"], "ltd", Any),
    (&["limitada"], "ltd", Any),
    (&["eireli"], "ltd", Any),
    (&["eu"], "llc", End),
    (&["cia"], "co", Any),
    (&["cie"], "co", Any),
    (&["compania"], "co", Any),
    (&["compagnie"], "co", Any),
    (&["compagnia"], "co", Any),
    (&["companhia"], "co", Any),
    // Turkey.
    (&["anonim", "sirketi"], "jsc", Any),
    (&["anonim", "sirket"], "jsc", Any),
    (&["limited", "sirketi"], "ltd", Any),
    (&["ltd", "sirketi"], "ltd", Any),
    (&["ltd", "sti"], "ltd", Any),
    (&["sti"], "ltd", End),
    // Japan, Korea.
    (&["kabushiki", "kaisha"], "jsc", Any),
    (&["kabushiki", "gaisha"], "jsc", Any),
    (&["kabushikikaisha"], "jsc", Any),
    (&["kabushikigaisha"], "jsc", Any),
    (&["yugen", "kaisha"], "ltd", Any),
    (&["yugen", "gaisha"], "ltd", Any),
    (&["godo", "kaisha"], "llc", Any),
    (&["godo", "gaisha"], "llc", Any),
    (&["kk"], "jsc", End),
    (&["yk"], "ltd", End),
    (&["gk"], "llc", End),
    (&["jusik", "hoesa"], "jsc", Any),
    (&["chusik", "hoesa"], "jsc", Any),
    // China (pinyin), Vietnam.
    (&["gufen", "youxian", "gongsi"], "jsc", Any),
    (&["youxian", "zeren", "gongsi"], "llc", Any),
    (&["you", "xian", "gong", "si"], "ltd", Any),
    (&["youxian", "gongsi"], "ltd", Any),
    (&["gufen", "gongsi"], "jsc", Any),
    (&["gufenyouxiangongsi"], "jsc", Any),
    (&["youxianzerengongsi"], "llc", Any),
    (&["youxiangongsi"], "ltd", Any),
    (&["gongsi"], "co", Any),
    (
        &[
            "cong", "ty", "trach", "nhiem", "huu", "han", "mot", "thanh", "vien",
        ],
        "ltd",
        Any,
    ),
    (&["cong", "ty", "tnhh", "mot", "thanh", "vien"], "ltd", Any),
    (&["cong", "ty", "trach", "nhiem", "huu", "han"], "ltd", Any),
    (&["trach", "nhiem", "huu", "han"], "ltd", Any),
    (&["tnhh", "mot", "thanh", "vien"], "ltd", Any),
    (&["cong", "ty", "co", "phan"], "jsc", Any),
    (&["cong", "ty", "tnhh"], "ltd", Any),
    (&["tnhh", "mtv"], "ltd", Any),
    (&["cong", "ty"], "co", Start),
    (&["tnhh"], "ltd", Any),
    (&["ctcp"], "jsc", Any),
    // Indonesia, Malaysia.
    (&["perseroan", "terbatas"], "ltd", Any),
    (&["sendirian", "berhad"], "ltd", Any),
    (&["sdn", "bhd"], "ltd", Any),
    (&["berhad"], "ltd", Any),
    (&["bhd"], "ltd", Any),
    (&["pt"], "ltd", Edge),
    (&["tbk"], "tbk", Any),
    (&["terbuka"], "tbk", Any),
    // The Gulf, the Levant, Egypt; free zones.
    (&["wll"], "llc", Any),
    (&["saog"], "sa", Any),
    (&["saoc"], "sa", Any),
    (&["sae"], "sa", End),
    (&["sal"], "sa", End),
    (&["qsc"], "jsc", Any),
    (&["qpsc"], "jsc", Any),
    (&["qcsc"], "jsc", Any),
    (&["kscc"], "jsc", Any),
    (&["kscp"], "jsc", Any),
    (&["ksc"], "jsc", End),
    (&["psc"], "jsc", End),
    // Iran: sherkat-e sahami-ye khass/aam, the private and public joint-stock company; a
    // name's leading sherkat ("company") alone.
    (&["sherkat", "sahami", "khass"], "jsc", Any),
    (&["sherkat", "sahami", "khas"], "jsc", Any),
    (&["sherkate", "sahami", "khass"], "jsc", Any),
    (&["sherkate", "sahamie", "khass"], "jsc", Any),
    (&["sherkat", "sahami", "aam"], "jsc", Any),
    (&["sahami", "khass"], "jsc", Any),
    (&["sahami", "aam"], "jsc", Any),
    (&["pjs"], "jsc", Any),
    (&["sherkat", "e"], "co", Start),
    (&["sherkate"], "co", Start),
    (&["sherkat"], "co", Start),
    (&["shirkat"], "co", Start),
    (&["sharikat"], "co", Start),
    (&["fz", "llc"], "fze", Any),
    (&["fze"], "fze", Any),
    (&["fzco"], "fze", Any),
    (&["fzc"], "fze", Any),
    (&["fzllc"], "fze", Any),
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
            | "ohg"
            | "ab"
            | "oy"
            | "fze"
            | "est"
            | "tbk"
            | "holding"
            | "gup"
            | "sc"
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
            | "public"
    )
}

/// Every word of a legal form: the words of [`LEGAL_FORMS`]' phrases and the canonical forms,
/// sorted and without repeats.
pub fn legal_form_words() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: Vec<&'static str> = LEGAL_FORMS
            .iter()
            .flat_map(|(phrase, canon, _)| phrase.iter().copied().chain([*canon]))
            .collect();
        words.sort_unstable();
        words.dedup();
        words
    })
}

/// How many typos a legal-form word tolerates. Long legal words tolerate a typo ("COMPNY",
/// "LIMTED", "JOINT SOCK COMPANY"), since writers misspell them like any word and a misspelt
/// legal form must not turn into a distinctive token; short ones ("co", "sa", "ooo") must
/// match exactly, or real words would be swallowed. So must the few legal words one typo away
/// from a name or a common word.
fn typos_allowed(word: &str) -> usize {
    // "Holding" is one letter from "Golding", "berhad" one transposition from "Behrad",
    // "compagnie" two edits from "campagne", "companies" from "companion", "coltd" one
    // from "cold", "sharikat" one from the name "Shariat"; abbreviations and the rest are
    // always spelt alike.
    if word.starts_with("holding")
        || matches!(
            word,
            "sherkat"
                | "sherkate"
                | "shirkat"
                | "sharikat"
                | "sahami"
                | "sahamie"
                | "khass"
                | "berhad"
                | "compagnie"
                | "compagnia"
                | "companhia"
                | "companies"
                | "terbuka"
                | "gongsi"
                | "eireli"
                | "coltd"
                | "gesmbh"
                | "kgaa"
        )
    {
        return 0;
    }
    match word.len() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Which of the 26 letters a word holds: an edit changes at most two bits, so words whose
/// masks differ in more bits than twice the edit budget need no distance computation.
fn letters(word: &str) -> u32 {
    word.bytes()
        .filter(u8::is_ascii_lowercase)
        .fold(0, |m, b| m | 1 << (b - b'a'))
}

/// Whether a raw token is the legal-form word `word`, allowing its typos.
fn legal_word_eq(raw: &str, word: &str) -> bool {
    if raw == word {
        return true;
    }
    let allowed = typos_allowed(word);
    allowed > 0 && within_typos(raw, letters(raw), word, letters(word), allowed)
}

fn within_typos(
    raw: &str,
    raw_letters: u32,
    word: &str,
    word_letters: u32,
    allowed: usize,
) -> bool {
    let (r, w) = (raw.as_bytes(), word.as_bytes());
    // One edit keeps the first or the last letter; checking the cheap conditions first skips
    // the distance computation for almost every word, which matters at index build time.
    let plausible = !r.is_empty()
        && r.len() + allowed >= w.len()
        && r.len() <= w.len() + allowed
        && (allowed > 1 || r[0] == w[0] || r[r.len() - 1] == w[w.len() - 1])
        && (raw_letters ^ word_letters).count_ones() as usize <= 2 * allowed;
    plausible && super::edit::osa_within(r, w, allowed).is_some()
}

/// The raw tokens of a name as the legal-form matcher sees them.
#[derive(Clone, Copy)]
pub(super) struct Raw<'r, 'a> {
    pub words: &'r [&'a str],
    /// `glued[i]`: token `i` followed token `i - 1` with punctuation but no space between
    /// ("LIMI.TED", "A/S"). Empty when nothing is glued.
    pub glued: &'r [bool],
}

impl Raw<'_, '_> {
    fn glued(&self, i: usize) -> bool {
        self.glued.get(i).copied().unwrap_or(false)
    }
}

/// The phrases of [`LEGAL_FORMS`] by first word, longest phrases first.
struct Table {
    by_first: FxHashMap<&'static str, Vec<u16>>,
    /// First words that tolerate typos, with their letter masks and budgets, by length.
    tolerant: Vec<Vec<(&'static str, u32, usize)>>,
    /// The longest first word, in bytes.
    longest: usize,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut by_first: FxHashMap<&'static str, Vec<u16>> = FxHashMap::default();
        let mut tolerant: Vec<Vec<(&'static str, u32, usize)>> = Vec::new();
        let mut longest = 0;
        for (n, (phrase, _, _)) in LEGAL_FORMS.iter().enumerate() {
            let first = phrase[0];
            longest = longest.max(first.len());
            let entry = by_first.entry(first).or_default();
            entry.push(n as u16);
            if entry.len() == 1 && typos_allowed(first) > 0 {
                if tolerant.len() <= first.len() {
                    tolerant.resize(first.len() + 1, Vec::new());
                }
                tolerant[first.len()].push((first, letters(first), typos_allowed(first)));
            }
        }
        for phrases in by_first.values_mut() {
            phrases.sort_by_key(|&n| std::cmp::Reverse(LEGAL_FORMS[n as usize].0.len()));
        }
        Table {
            by_first,
            tolerant,
            longest,
        }
    })
}

/// Calls `f` with the index of every phrase whose first word could start at `raw.words[i]`:
/// spelt as the token, with a typo, or split into several tokens.
fn candidates(raw: Raw, i: usize, mut f: impl FnMut(u16)) {
    let t = table();
    let word = raw.words[i];
    if let Some(phrases) = t.by_first.get(word) {
        phrases.iter().copied().for_each(&mut f);
    }
    if word.len() >= 4 {
        let mask = letters(word);
        let lo = word.len().saturating_sub(2);
        for bucket in t.tolerant.iter().take(word.len() + 3).skip(lo) {
            for &(first, first_letters, allowed) in bucket {
                if first != word && within_typos(word, mask, first, first_letters, allowed) {
                    t.by_first[first].iter().copied().for_each(&mut f);
                }
            }
        }
    }
    // Several tokens making up the first word: single letters ("L L C", "S. DE R. L.") or
    // pieces glued by punctuation ("LIMI.TED").
    let letters_run = word.len() == 1;
    if i + 1 < raw.words.len() && (letters_run || raw.glued(i + 1)) {
        let mut joined = String::from(word);
        for j in i + 1..raw.words.len() {
            let piece = raw.words[j];
            let continues = if letters_run {
                piece.len() == 1
            } else {
                raw.glued(j)
            };
            if !continues || joined.len() + piece.len() > t.longest {
                break;
            }
            joined.push_str(piece);
            if let Some(phrases) = t.by_first.get(joined.as_str()) {
                phrases.iter().copied().for_each(&mut f);
            }
        }
    }
}

/// The end of the tokens from `j` that spell the phrase `words` (`whole` is the phrase's word
/// count), if they do.
fn match_words(raw: Raw, j: usize, words: &[&str], whole: usize) -> Option<usize> {
    let Some((&w, rest)) = words.split_first() else {
        return Some(j);
    };
    let n = raw.words.len();
    if j >= n {
        return None;
    }
    if legal_word_eq(raw.words[j], w) {
        if let Some(end) = match_words(raw, j + 1, rest, whole) {
            return Some(end);
        }
    }
    // Spelt letter by letter: any word of a longer phrase ("S. DE R. L."), a lone word only
    // from three letters ("L T D"), so that two initials ("A. S. Rahman") stay initials.
    let len = w.len();
    if len >= 2
        && (whole > 1 || len >= 3)
        && j + len <= n
        && raw.words[j..j + len]
            .iter()
            .zip(w.bytes())
            .all(|(r, b)| r.len() == 1 && r.as_bytes()[0] == b)
    {
        if let Some(end) = match_words(raw, j + len, rest, whole) {
            return Some(end);
        }
    }
    // Split by punctuation ("LIMI.TED", "A/S").
    let mut at = 0;
    let mut k = j;
    while k < n && (k == j || raw.glued(k)) {
        let piece = raw.words[k];
        if !w[at..].starts_with(piece) {
            break;
        }
        at += piece.len();
        k += 1;
        if at == len {
            return if k - j > 1 {
                match_words(raw, k, rest, whole)
            } else {
                None
            };
        }
    }
    None
}

/// The legal-form phrase starting at raw token `i`: the number of tokens it spans and its
/// canonical token. `at_start` says whether only legal forms come before it.
pub(super) fn legal_form_at(raw: Raw, i: usize, at_start: bool) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, u16)> = None;
    candidates(raw, i, |n| {
        let (phrase, _, place) = LEGAL_FORMS[n as usize];
        let Some(end) = match_words(raw, i, phrase, phrase.len()) else {
            return;
        };
        // A run of single letters is read whole: "S I M A T O V I C" spelt out holds "t o v"
        // but no legal form, and "S A L E M" no "s a".
        let letter = |j: usize| {
            raw.words
                .get(j)
                .is_some_and(|w| w.len() == 1 && w.as_bytes()[0].is_ascii_alphabetic())
        };
        if letter(i) && i > 0 && letter(i - 1) || letter(end - 1) && letter(end) {
            return;
        }
        let span = end - i;
        if best.is_some_and(|(s, b)| s > span || s == span && b < n) {
            return;
        }
        // A name made of nothing else ("PAT", "SL" as aliases) is a name, not a legal form.
        let placed = match place {
            Any => true,
            Start => at_start && !at_end(raw, end),
            End => !at_start && at_end(raw, end),
            Edge => at_start != at_end(raw, end),
        };
        if placed {
            best = Some((span, n));
        }
    });
    best.map(|(span, n)| (span, LEGAL_FORMS[n as usize].1))
}

/// Whether only legal forms follow raw token `j`.
fn at_end(raw: Raw, j: usize) -> bool {
    j == raw.words.len() || legal_form_at(raw, j, false).is_some_and(|(n, _)| at_end(raw, j + n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold_alone(words: &[&str]) -> Option<(usize, &'static str)> {
        legal_form_at(Raw { words, glued: &[] }, 0, false)
    }

    #[test]
    fn canonical_tokens_are_legal_forms_that_fold_to_themselves_anywhere() {
        for &(phrase, canon, _) in LEGAL_FORMS {
            assert!(is_legal_form(canon), "{canon:?} (from {phrase:?})");
            // In the middle of a name, after a word and before one.
            let words = ["x", canon, "y"];
            let raw = Raw {
                words: &words,
                glued: &[],
            };
            assert_eq!(legal_form_at(raw, 1, false), Some((1, canon)), "{canon:?}");
        }
    }

    #[test]
    fn placed_forms_become_another_word() {
        // Otherwise the raw word would weigh as a legal form wherever it stands, and its
        // place would not matter.
        for &(phrase, canon, place) in LEGAL_FORMS {
            if place != Any {
                assert!(phrase.len() > 1 || phrase[0] != canon, "{phrase:?}");
                assert!(!is_legal_form(phrase[0]), "{phrase:?}");
            }
        }
    }

    #[test]
    fn every_phrase_matches_itself() {
        for (n, &(phrase, canon, place)) in LEGAL_FORMS.iter().enumerate() {
            let mut words = vec!["xy"];
            if place == Start {
                words.insert(0, phrase[0]);
                words.truncate(1);
                words.extend(&phrase[1..]);
                words.push("xy");
            } else {
                words.extend(phrase);
            }
            let at = usize::from(place != Start);
            let raw = Raw {
                words: &words,
                glued: &[],
            };
            assert_eq!(
                legal_form_at(raw, at, place == Start),
                Some((phrase.len(), canon)),
                "entry {n}: {phrase:?}"
            );
        }
    }

    #[test]
    fn places() {
        let check = |words: &[&str], at: usize, at_start: bool, want: Option<&str>| {
            let raw = Raw { words, glued: &[] };
            assert_eq!(
                legal_form_at(raw, at, at_start).map(|(_, c)| c),
                want,
                "{words:?} at {at}"
            );
        };
        // End: last, or before legal forms only; not alone.
        check(&["agroplast", "as"], 1, false, Some("jsc"));
        check(
            &["agroplast", "as", "holding", "co", "ltd"],
            1,
            false,
            Some("jsc"),
        );
        check(&["abu", "as", "somali"], 1, false, None);
        check(&["as"], 0, true, None);
        check(&["as", "ltd"], 0, true, None);
        // Edge: first or last, not in the middle, not alone.
        check(&["pt", "kuantum"], 0, true, Some("ltd"));
        check(&["huawei", "pt"], 1, false, Some("ltd"));
        check(&["npp", "pt", "okeanos"], 1, false, None);
        check(&["pt"], 0, true, None);
        // Start only.
        check(&["cong", "ty", "hoa", "binh"], 0, true, Some("co"));
        check(&["nguyen", "cong", "ty"], 1, false, None);
        check(&["sherkat", "e", "dey"], 0, true, Some("co"));
        check(&["dey", "sherkat"], 1, false, None);
        // Spelt as written only: "Shariat" is a name, one letter from "sharikat".
        check(&["shariat", "seyed", "hossein"], 0, true, None);
        // Ukrainian ДП ends a name; "DP World" starts with a name word.
        check(&["zavod", "novy", "svit", "dp"], 3, false, Some("gup"));
        check(&["dp", "world"], 0, true, None);
    }

    #[test]
    fn one_kind_of_company_in_several_languages() {
        // A state enterprise in Ukrainian, Russian and English; a Mexican sociedad civil
        // and its abbreviation (the tokenizer joins "S.C."); the Iranian private joint-stock company.
        for (words, canon) in [
            (&["derzhavne", "pidpryemstvo"][..], "gup"),
            (&["gosudarstvennoe", "unitarnoe", "predpriyatie"], "gup"),
            (&["state", "enterprise"], "gup"),
            (&["sociedad", "civil"], "sc"),
            (&["sc"], "sc"),
            (&["sherkat", "sahami", "khass"], "jsc"),
        ] {
            assert_eq!(fold_alone(words), Some((words.len(), canon)), "{words:?}");
        }
    }

    #[test]
    fn split_and_spelt_words() {
        let glued = |words: &[&str], glued: &[bool]| legal_form_at(Raw { words, glued }, 0, false);
        assert_eq!(glued(&["limi", "ted"], &[false, true]), Some((2, "ltd")));
        assert_eq!(glued(&["limi", "ted"], &[]), None);
        assert_eq!(glued(&["l", "t", "d"], &[]), Some((3, "ltd")));
        assert_eq!(glued(&["d", "o", "o"], &[]), Some((3, "llc")));
        // Two letters alone are initials unless glued ("A/S").
        assert_eq!(glued(&["a", "s"], &[]), None);
        // Letters inside a longer run of letters are not read on their own.
        let words = ["s", "i", "m", "a", "t", "o", "v", "i", "c"];
        let raw = Raw {
            words: &words,
            glued: &[],
        };
        assert!((0..words.len()).all(|i| legal_form_at(raw, i, false).is_none()));
        assert_eq!(fold_alone(&["s", "a", "l", "e", "m"]), None);
        assert_eq!(fold_alone(&["s", "a", "de", "c", "v"]), Some((5, "sa")));
        assert_eq!(
            fold_alone(&["s", "de", "r", "l", "de", "c", "v"]),
            Some((7, "srl"))
        );
    }

    #[test]
    fn typos_are_forgiven_in_long_words_only() {
        assert_eq!(fold_alone(&["lmited"]), Some((1, "ltd")));
        assert_eq!(fold_alone(&["corporatoin"]), Some((1, "corp")));
        assert_eq!(fold_alone(&["aktiengesellshaft"]), Some((1, "ag")));
        for word in [
            "golding",
            "behrad",
            "campagne",
            "companion",
            "cold",
            "society",
        ] {
            assert_eq!(fold_alone(&[word]), None, "{word}");
        }
    }
}
