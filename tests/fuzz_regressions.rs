//! Inputs the fuzz targets in `fuzz/` found to break a promise (a panic, or an invariant the
//! code states), kept here inline so that the normal test suite guards the fix. Each test
//! names the target that found it; see the README (Security, Fuzzing).

use clearance::engine::normalize::normalize;

/// Target `normalize`: "al" before a legal form was joined to it ("alcorporation"), which the
/// next pass read as a misspelt "corporation", so normalizing twice changed the name.
#[test]
fn normalize_is_idempotent_when_al_precedes_a_legal_form() {
    for input in [
        "Semiconductor ManufacturiCCCCCCCCCCCCCCng Internationa al Corporation",
        "al Corporation",
        "El Incorporated",
        "Al Joint Stock Company",
    ] {
        let once = normalize(input);
        assert_eq!(normalize(&once), once, "input {input:?}");
    }
    assert_eq!(normalize("al Corporation"), "al corp");
    // The article still joins an ordinary word.
    assert_eq!(normalize("Al Qaida Corporation"), "alqaida corp");
}

/// Target `normalize`: of several "co" before a "ltd" only the last was folded into it, so
/// "cia cia bhd" became "co ltd", which normalizes to "ltd".
#[test]
fn normalize_is_idempotent_on_repeated_company_words() {
    for input in [
        "J[ntscmt\u{22c0}y\u{ed}ngsnt\u{22c0}yt\u{22c0}y\u{ed}ngsnt\u{22c0}ll\0\0\0cia \0\0\0bhd\0\0\0\0cia \0\0\0bhd\0\0\0ygvnpcmt\u{22c0}y\u{ed}ngsnt\u{22c0}yt\u{22c0}y\u{ed}ngsnt\u{22c0}ll\0\0\0cia \0\0\0cia \0\0\0bhd\0\0\0ygvnpcmy",
        "cia cia bhd",
        "Acme Co Co Ltd",
    ] {
        let once = normalize(input);
        assert_eq!(normalize(&once), once, "input {input:?}");
    }
    assert_eq!(normalize("cia cia bhd"), "ltd");
}

/// Target `normalize`: a fold made a new legal-form phrase ("cia pty bhd" gave "co pty ltd",
/// whose "pty ltd" folds to "ltd" the next time), so normalizing twice changed the name.
#[test]
fn normalize_is_idempotent_when_folding_makes_a_new_phrase() {
    for input in ["cia pty bhd", "Acme Pvt Bhd", "X Co Pte Bhd"] {
        let once = normalize(input);
        assert_eq!(normalize(&once), once, "input {input:?}");
    }
    assert_eq!(normalize("cia pty bhd"), "ltd");
}

// Target `snapshot` found a damaged FST body that decoded and then panicked on lookup; its
// regression test is `index::fst_bytes::tests` (the found input no longer decodes since the
// snapshot format changed, so a test built on it could not fail).
