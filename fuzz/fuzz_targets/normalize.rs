//! The name normalizer (`normalize`): never panics, yields lower-case ASCII alphanumeric
//! tokens, is idempotent (as its module promises: list names and query names go through it
//! once each, and a normalized name must stay itself), and the per-token helpers accept every
//! token it yields.
#![no_main]

use clearance::engine::normalize::{
    class_spelling, normalize, phonetic_keys, tokens, translit_fold,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let toks = tokens(input);
    for t in &toks {
        assert!(
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
            "token {t:?} of {input:?} is not lower-case ASCII alphanumeric"
        );
        let _ = translit_fold(t);
        let keys = phonetic_keys(t);
        assert!(keys.is_ascii(), "keys {keys:?} of {t:?} are not ASCII");
        let _ = class_spelling(t);
    }
    let once = toks.join(" ");
    assert_eq!(once, normalize(input));
    assert_eq!(
        normalize(&once),
        once,
        "normalize is not idempotent on {input:?}"
    );
});
