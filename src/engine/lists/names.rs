//! Names as the US government's tabular exports (CSL, DPL) write them: names embedded in a
//! name (`X (a.k.a. Y; Z)`, `X, f.k.a. Y`), a trailing parenthetical abbreviation, stray
//! whitespace and line breaks, and the legal forms that show an untyped party is an
//! organization.

use super::text::split_multi;
use crate::engine::model::{Entity, NameKind};

/// Adds a name as published, plus the names embedded in it: `Gazprom Promgaz, AO (f.k.a.
/// Otkrytoe ...)` is listed verbatim, and also as `Gazprom Promgaz, AO` (alias) and
/// `Otkrytoe ...` (former), so a query for either name finds the entity.
pub(super) fn push_names(e: &mut Entity, name: &str, kind: NameKind) {
    e.push_name(name, kind);
    let mut rest = name.to_string();
    // A few names carry two markers; four rounds is more than any published name needs.
    for _ in 0..4 {
        let Some((base, embedded)) = split_embedded(&rest) else {
            break;
        };
        for (k, n) in embedded {
            e.push_name(&n, k);
        }
        e.push_name(&base, NameKind::Alias);
        rest = base;
    }
    if let Some(base) = without_trailing_parenthetical(&rest) {
        e.push_name(&base, NameKind::Alias);
    }
}

/// The name without a trailing parenthetical abbreviation, `Huawei Technologies Co., Ltd.
/// (Huawei)` → `Huawei Technologies Co., Ltd.`, so that the name as a counterparty writes it
/// matches exactly. Only when at least two words remain: a lone word would be a loose alias.
fn without_trailing_parenthetical(name: &str) -> Option<String> {
    let inner_end = name.trim_end().strip_suffix(')')?;
    let open = inner_end.rfind('(')?;
    if inner_end[open + 1..].contains(['(', ')']) || !name[..open].ends_with(' ') {
        return None;
    }
    let base = clean(name[..open].trim_end_matches([',', ' ']));
    (base.split_whitespace().count() >= 2).then_some(base)
}

/// A leading `a.k.a.` / `f.k.a.` marker and the text after it.
pub(super) fn strip_marker(s: &str) -> Option<(NameKind, &str)> {
    let lower = s.to_ascii_lowercase();
    for (marker, kind) in MARKERS {
        if lower.starts_with(marker) {
            let rest = s[marker.len()..].trim_start_matches([',', ':', ' ']);
            if !rest.is_empty() && s[marker.len()..].starts_with([',', ':', ' ']) {
                return Some((kind, rest));
            }
        }
    }
    None
}

const MARKERS: [(&str, NameKind); 4] = [
    ("a.k.a.", NameKind::Alias),
    ("f.k.a.", NameKind::Former),
    ("aka", NameKind::Alias),
    ("fka", NameKind::Former),
];

/// Finds the first `a.k.a.`/`f.k.a.` marker inside a name and splits the name into the part
/// without it and the embedded names. Handles bracketed forms (`X (a.k.a. Y; Z)`, `X [aka Y]`,
/// `PEARL (A.K.A. NEI-CHIEN CHU) LI`) and the bare form (`X, a.k.a. Y`).
fn split_embedded(name: &str) -> Option<(String, Vec<(NameKind, String)>)> {
    let lower = name.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let (at, len, kind) = MARKERS.iter().find_map(|&(marker, kind)| {
        lower.match_indices(marker).find_map(|(at, _)| {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(at + marker.len()).copied();
            let opens = matches!(before, Some(b' ' | b'(' | b'[' | b','));
            let closes = matches!(after, Some(b' ' | b',' | b':'));
            (opens && closes).then_some((at, marker.len(), kind))
        })
    })?;
    let head = name[..at].trim_end();
    let (base, inner) = match head.chars().last() {
        Some(open @ ('(' | '[')) => {
            let close = if open == '(' { ')' } else { ']' };
            let start = at + len;
            let mut depth = 0usize;
            let mut end = name.len();
            for (i, ch) in name[start..].char_indices() {
                if ch == open {
                    depth += 1;
                } else if ch == close {
                    if depth == 0 {
                        end = start + i;
                        break;
                    }
                    depth -= 1;
                }
            }
            let tail = name.get(end + 1..).unwrap_or("");
            let base = format!("{} {}", &head[..head.len() - 1], tail);
            (base, &name[start..end])
        }
        _ => (head.to_string(), &name[at + len..]),
    };
    let base = clean(base.trim_end_matches([',', ' ']));
    let embedded: Vec<(NameKind, String)> = split_multi(inner.trim_start_matches([',', ':', ' ']))
        .map(|n| (kind, clean(n)))
        .filter(|(_, n)| !n.is_empty())
        .collect();
    if base.is_empty() || embedded.is_empty() {
        return None;
    }
    Some((base, embedded))
}

/// Collapses runs of whitespace (including the line breaks some cells contain) to one space.
pub(super) fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when a name contains a legal form or an unmistakable business word, the evidence that
/// lets a loader call an untyped party an organization. The words were chosen from the DPL and
/// CSL names, where none of them occurs in a person's name; bare two-letter forms that are
/// also name parts (`SA`, `AO`, `AG`, `CO` without a dot) are left out on purpose.
pub(super) fn has_company_form(name: &str) -> bool {
    const FORMS: [&str; 36] = [
        "INC",
        "LTD",
        "LLC",
        "L.L.C",
        "LLP",
        "PLC",
        "CORP",
        "CORPORATION",
        "COMPANY",
        "LIMITED",
        "GMBH",
        "S.A",
        "S.A.S",
        "S.R.L",
        "SRL",
        "B.V",
        "SARL",
        "LTDA",
        "PTE",
        "PVT",
        "JSC",
        "PJSC",
        "OJSC",
        "CJSC",
        "OOO",
        "OAO",
        "ZAO",
        "FZE",
        "FZCO",
        "AIRLINES",
        "AVIATION",
        "TRADING",
        "INDUSTRIES",
        "ENTERPRISE",
        "ENTERPRISES",
        "TECHNOLOGY",
    ];
    let upper = name.to_uppercase();
    upper
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '/'))
        .filter(|t| !t.is_empty())
        .any(|token| {
            let bare = token.trim_end_matches('.');
            FORMS.contains(&bare) || (token == "CO." || token == "CO.,")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_names_and_trailing_abbreviations() {
        let mut e = Entity::default();
        push_names(&mut e, "PEARL (A.K.A. NEI-CHIEN CHU) LI", NameKind::Primary);
        let names: Vec<&str> = e.names.iter().map(|n| n.value.as_str()).collect();
        assert_eq!(
            names,
            [
                "PEARL (A.K.A. NEI-CHIEN CHU) LI",
                "NEI-CHIEN CHU",
                "PEARL LI"
            ]
        );
        let mut e = Entity::default();
        push_names(
            &mut e,
            "Precision Image Corporation (a.k.a. Precision Industries, Inc.; CK Enterprises, Inc.)",
            NameKind::Primary,
        );
        assert_eq!(e.names.len(), 4);
        let mut e = Entity::default();
        push_names(
            &mut e,
            "Huawei Technologies Co., Ltd. (Huawei)",
            NameKind::Primary,
        );
        push_names(&mut e, "Poly Asia Pacific Ltd., (PAPL)", NameKind::Alias);
        push_names(&mut e, "ASMAT (APPLIED SYSTEMS)", NameKind::Alias);
        push_names(&mut e, "GUARD CORPS (IRGC)-QODS FORCE", NameKind::Alias);
        let names: Vec<&str> = e.names.iter().map(|n| n.value.as_str()).collect();
        assert_eq!(
            names,
            [
                "Huawei Technologies Co., Ltd. (Huawei)",
                "Huawei Technologies Co., Ltd.",
                "Poly Asia Pacific Ltd., (PAPL)",
                "Poly Asia Pacific Ltd.",
                "ASMAT (APPLIED SYSTEMS)",
                "GUARD CORPS (IRGC)-QODS FORCE",
            ]
        );
        let mut e = Entity::default();
        push_names(&mut e, "YK-AKA", NameKind::Primary);
        push_names(&mut e, "(a.k.a. X)", NameKind::Alias);
        push_names(&mut e, "aka", NameKind::Alias);
        assert_eq!(e.names.len(), 3);
    }
}
