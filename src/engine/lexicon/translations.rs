//! The words of organisations' names that the lists write in translation: OFAC gives a
//! Russian company as "GAZPROM BURENIE" and as "GAZPROM DRILLING", an Iranian one as "BANK
//! MELLI" and as "NATIONAL BANK", a North Korean one under "CHOSUN" and under "KOREA".
//!
//! Each group is one meaning: its English word and the forms the lists and their callers use
//! for it in Russian and Ukrainian (as the normalizer transliterates Cyrillic), Persian,
//! Arabic, Turkish, Korean and the Romance and Germanic languages, in the normalizer's
//! spelling (lower-case ASCII, the plural of a generic company word already made singular).
//! The meanings are the generic words of trade, industry, government and armed groups, which
//! names combine with a distinctive word; a distinctive word is never translated ("Khatam
//! al-Anbiya" stays as it is). No published data set gives this vocabulary across these
//! languages, so it is written here from dictionaries. Words that are also common given
//! names or short words of other languages are left out ("dom" for house, "more" for sea,
//! "mir" for peace).
//!
//! A word may belong to two groups ("razvedka" is exploration and intelligence): the relation
//! is symmetric but not transitive, like that of given names.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// One meaning per line, its English word first.
pub const MEANINGS: &[&[&str]] = &[
    // Trade and industry.
    &[
        "oil",
        "neft",
        "naft",
        "petroleum",
        "petroleo",
        "petrole",
        "petrolio",
        "erdol",
        "nafta",
    ],
    &["gas", "gaz"],
    &[
        "drilling",
        "burenie",
        "bureniye",
        "burenia",
        "perforacion",
        "forage",
        "sondaj",
    ],
    &[
        "exploration",
        "razvedka",
        "razvedki",
        "exploracion",
        "ekteshaf",
        "ektesaf",
    ],
    &[
        "refinery",
        "palayesh",
        "palayeshgah",
        "palaeshgah",
        "refineria",
        "raffinerie",
    ],
    &[
        "trading",
        "trade",
        "torgovy",
        "torgovyi",
        "torgovyy",
        "torgovaya",
        "torgovli",
        "torgovlya",
        "tejarat",
        "tejarati",
        "tijara",
        "tijarat",
        "tijaria",
        "bazargani",
        "ticaret",
        "handel",
        "comercio",
        "commerce",
    ],
    &[
        "commercial",
        "kommercheskiy",
        "kommercheskii",
        "tejari",
        "tijari",
        "tijariya",
        "comercial",
    ],
    &[
        "construction",
        "stroitelstvo",
        "stroitelnaya",
        "stroitelny",
        "sazandegi",
        "sakhtemani",
        "construccion",
        "costruzioni",
        "insaat",
    ],
    &[
        "industry",
        "promyshlennost",
        "promyshlennaya",
        "sanat",
        "sanaye",
        "sanayi",
        "sanaat",
    ],
    &[
        "production",
        "proizvodstvo",
        "proizvodstvennoe",
        "tolid",
        "towlid",
        "produccion",
    ],
    &[
        "tool",
        "abzar",
        "instrument",
        "herramienta",
        "outil",
        "werkzeug",
    ],
    &[
        "equipment",
        "oborudovanie",
        "tajhizat",
        "equipo",
        "equipamento",
        "equipement",
    ],
    &[
        "technology",
        "tekhnologiya",
        "tekhnologii",
        "fanavari",
        "teknoloji",
    ],
    &["service", "khadamat", "khedmat", "uslugi", "servizi"],
    &[
        "engineering",
        "inzhiniring",
        "mohandesi",
        "muhandesi",
        "ingenieria",
        "ingenierie",
    ],
    &[
        "development",
        "razvitie",
        "razvitiya",
        "tosee",
        "toseh",
        "desarrollo",
        "developpement",
    ],
    &[
        "investment",
        "investitsii",
        "investitsionnaya",
        "sarmayegozari",
        "inversion",
    ],
    &[
        "insurance",
        "bimeh",
        "bima",
        "strakhovaya",
        "strakhovanie",
        "seguro",
        "assurance",
    ],
    &[
        "finance",
        "financial",
        "finansovaya",
        "finansovy",
        "financiera",
        "financiero",
    ],
    &[
        "exchange", "sarafi", "sarrafi", "sarraf", "cambio", "hawala",
    ],
    &["money", "currency"],
    &["export", "eksport", "saderat", "sadirat", "exportacion"],
    &[
        "chemical",
        "khimiya",
        "khimicheskiy",
        "kimiya",
        "shimi",
        "quimica",
        "quimico",
    ],
    &[
        "steel", "stal", "foulad", "fulad", "acero", "acier", "stahl", "celik",
    ],
    &["gold", "zoloto", "zolotaya"],
    &["diamond", "almaz", "almazy", "diamant", "diamante"],
    &[
        "pharmaceutical",
        "farmatsevticheskaya",
        "darou",
        "darupakhsh",
        "farmaceutica",
    ],
    &[
        "agriculture",
        "agricultural",
        "keshavarzi",
        "selskokhozyaystvennaya",
        "agricola",
    ],
    &[
        "research",
        "issledovatelskiy",
        "issledovatelsky",
        "pazhuhesh",
        "pajouhesh",
        "recherche",
    ],
    &[
        "scientific",
        "science",
        "nauchno",
        "nauchny",
        "nauchnyy",
        "elmi",
        "cientifica",
    ],
    &[
        "university",
        "universitet",
        "daneshgah",
        "universidad",
        "universite",
        "universitat",
    ],
    &["academy", "akademiya", "academia", "akademie"],
    &[
        "nuclear", "atomic", "atomnaya", "atomny", "hastei", "hastehei",
    ],
    // Transport.
    &[
        "shipping",
        "sudokhodnaya",
        "sudokhodstvo",
        "kashtirani",
        "kashtiranii",
        "keshtirani",
        "naviera",
    ],
    &[
        "maritime", "morskoy", "morskaya", "daryaei", "daryayi", "maritima",
    ],
    &["sea", "darya", "bahr", "deniz"],
    &["coast", "coastal", "sahel", "sahil", "sahili"],
    &["freight", "fret", "fracht"],
    &[
        "transport",
        "transportation",
        "transporte",
        "trasporti",
        "perevozki",
    ],
    &["aviation", "air", "avia", "hava", "havapeymayi"],
    &[
        "airline",
        "aviakompaniya",
        "aircompany",
        "aerolinea",
        "havayollari",
    ],
    // Government, security and armed groups.
    &[
        "ministry",
        "ministerstvo",
        "vezarat",
        "wizarat",
        "wizara",
        "ministerio",
        "ministere",
    ],
    &[
        "main", "glavnoe", "glavnoye", "glavny", "glavnyy", "glavnaya",
    ],
    &[
        "central",
        "markazi",
        "tsentralny",
        "tsentralnaya",
        "tsentralnyy",
    ],
    &[
        "intelligence",
        "razvedyvatelnoe",
        "razvedka",
        "ettelaat",
        "mukhabarat",
        "istikhbarat",
    ],
    &[
        "security",
        "bezopasnosti",
        "bezopasnost",
        "amniyat",
        "seguridad",
        "securite",
    ],
    &[
        "defense", "defence", "oborony", "oborona", "defa", "difa", "defensa",
    ],
    &[
        "military",
        "voennaya",
        "voenny",
        "voennyy",
        "nezami",
        "askari",
        "militar",
        "militaire",
    ],
    &["police", "politsiya", "shurta", "policia", "polizei"],
    &["army", "jaish", "jaysh", "ejercito", "armee"],
    &["soldier", "soldiers", "jund", "junud"],
    &["brigade", "brigades", "kataib", "katiba", "katibat", "liwa"],
    &["front", "jabhat", "jabha", "jebhe"],
    &[
        "movement",
        "harakat",
        "haraka",
        "harakah",
        "jonbesh",
        "hareket",
        "movimiento",
    ],
    &["party", "hizb", "hezb", "partido", "partiya"],
    &["state", "dawla", "dawlat", "dowlat"],
    &[
        "resistance",
        "moqavemat",
        "muqawama",
        "muqawamah",
        "soprotivlenie",
    ],
    &["martyr", "martyrs", "shahid", "shuhada", "shohada"],
    &[
        "people",
        "popular",
        "narodny",
        "narodnaya",
        "mardom",
        "shaabi",
        "shabi",
        "halk",
    ],
    &[
        "republic",
        "jomhuri",
        "jumhuriya",
        "jumhuriyah",
        "respublika",
        "republica",
        "cumhuriyet",
    ],
    &[
        "national",
        "milli",
        "melli",
        "natsionalny",
        "natsionalnaya",
        "nacional",
    ],
    &[
        "international",
        "mezhdunarodny",
        "mezhdunarodnaya",
        "beynolmelal",
        "beinolmelal",
    ],
    &[
        "new", "novy", "novaya", "novoye", "jadid", "nuevo", "nueva", "nouveau", "yeni",
    ],
    &[
        "east",
        "eastern",
        "vostok",
        "vostochny",
        "vostochnaya",
        "iztok",
        "shargh",
        "sharq",
    ],
    &[
        "west",
        "western",
        "zapad",
        "zapadny",
        "zapadnaya",
        "gharb",
        "gharbi",
        "occidente",
    ],
    &[
        "north",
        "northern",
        "sever",
        "severny",
        "severnaya",
        "shomal",
        "shamal",
        "norte",
    ],
    &[
        "south", "southern", "yug", "yuzhny", "yuzhnaya", "jonub", "janub",
    ],
    // Charity and relief.
    &[
        "charity",
        "charitable",
        "khairiya",
        "khayriya",
        "khairia",
        "khairiyah",
        "benevolent",
    ],
    &["relief", "aid", "ighatha", "ighasa", "secours", "hilfe"],
    &[
        "humanitarian",
        "insani",
        "insaniya",
        "humanitaire",
        "humanitare",
        "humanitaria",
    ],
    // Countries and their adjectives, where lists write one for the other.
    &["korea", "korean", "chosun", "choson", "joson"],
    &["iran", "iranian", "irani"],
    &["syria", "syrian", "suriya", "souria"],
    &["iraq", "iraqi"],
    &[
        "russia",
        "russian",
        "rossiya",
        "rossiyskaya",
        "rossiyskiy",
        "rossiiskaya",
        "russkiy",
    ],
    &[
        "palestine",
        "palestinian",
        "filistin",
        "filastin",
        "filistini",
        "filastini",
    ],
    &["lebanon", "lebanese", "lubnan", "lubnani"],
    &["yemen", "yemeni", "yamani"],
    &["belarus", "belarusian", "belorusskaya", "belarusskaya"],
    &["libya", "libyan"],
    &["cuba", "cuban"],
];

/// Each word's meanings, as indices into [`MEANINGS`].
pub fn meanings_of(word: &str) -> &'static [u16] {
    static MAP: OnceLock<FxHashMap<&'static str, Vec<u16>>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut map: FxHashMap<&'static str, Vec<u16>> = FxHashMap::default();
        for (i, group) in MEANINGS.iter().enumerate() {
            for &w in group.iter() {
                let ids = map.entry(w).or_default();
                if !ids.contains(&(i as u16)) {
                    ids.push(i as u16);
                }
            }
        }
        map
    });
    match map.get(word) {
        Some(ids) => ids,
        // "alsahel": the Arabic article joined by the normalizer.
        None => word
            .strip_prefix("al")
            .filter(|rest| rest.len() >= 4)
            .and_then(|rest| map.get(rest))
            .map_or(&[], Vec::as_slice),
    }
}

/// Whether a normalized word has a translation in the table.
pub fn has_meaning(word: &str) -> bool {
    !meanings_of(word).is_empty()
}

/// Whether two different normalized words of an organisation's name are translations of one
/// another ("burenie"/"drilling", "melli"/"national", "chosun"/"korea").
///
/// # Example
/// ```
/// use clearance::engine::lexicon::same_meaning;
///
/// assert!(same_meaning("burenie", "drilling"));
/// assert!(same_meaning("alsahel", "coastal"));
/// assert!(!same_meaning("burenie", "national"));
/// ```
pub fn same_meaning(a: &str, b: &str) -> bool {
    if a == b {
        return false;
    }
    let x = meanings_of(a);
    !x.is_empty() && meanings_of(b).iter().any(|m| x.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::normalize;

    #[test]
    fn translations_agree_both_ways() {
        for (a, b) in [
            ("burenie", "drilling"),
            ("iztok", "east"),
            ("fret", "freight"),
            ("darya", "sea"),
            ("chosun", "korea"),
            ("melli", "national"),
            ("glavnoe", "main"),
            ("razvedka", "exploration"),
            ("razvedka", "intelligence"),
            ("jaish", "army"),
            ("alsahel", "coastal"),
        ] {
            assert!(same_meaning(a, b), "{a}/{b}");
            assert!(same_meaning(b, a), "{b}/{a}");
        }
    }

    #[test]
    fn other_words_do_not() {
        for (a, b) in [
            ("exploration", "intelligence"),
            ("drilling", "drilling"),
            ("huawei", "technology"),
            ("oil", "gas"),
            ("al", "oil"),
        ] {
            assert!(!same_meaning(a, b), "{a}/{b}");
        }
    }

    /// Every word is written as the normalizer leaves it, one token, so that the matcher's
    /// tokens find it; and no word is given twice in one meaning.
    #[test]
    fn words_are_in_normal_form() {
        for group in MEANINGS {
            for (i, w) in group.iter().enumerate() {
                assert_eq!(normalize::tokens(w), [*w], "{w}");
                assert!(!group[..i].contains(w), "{w} twice");
            }
        }
    }
}
