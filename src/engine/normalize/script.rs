//! Characters that hide a name: invisible code points and Cyrillic or Greek letters that look
//! like Latin ones.

pub(super) fn is_invisible(c: char) -> bool {
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
/// Whether a Cyrillic or Greek letter looks like a Latin one.
pub fn is_lookalike(c: char) -> bool {
    latin_lookalike(c).is_some()
}

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
pub(super) fn fold_lookalikes(word: &str, latin_context: bool, out: &mut String) {
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
