//! The snapshot reader. A first byte of 0 feeds the rest to `snapfile::decode_payload` (postcard
//! decoding, `Index::check`, the ownership graph and policy checks, past the sha256 a fuzzer
//! cannot forge); any other input is written as a file and read with `snapfile::read` and
//! `read_meta` (header, length and checksum checks). A snapshot that decodes is screened with
//! a few names, so a decoded index that passed its checks is also safe to query.
#![no_main]

use clearance::engine::model::Identifier;
use clearance::engine::screen::{Party, ScreenOptions};
use clearance::engine::snapfile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let snapshot = match data.split_first() {
        Some((0, payload)) => snapfile::decode_payload(payload),
        _ => {
            let path = clearance_fuzz::file("snapshot.clr", data);
            let _ = snapfile::read_meta(&path);
            snapfile::read(&path)
        }
    };
    let Ok(snapshot) = snapshot else {
        return;
    };
    for name in [
        "Huawei Technologies",
        "Rosneft",
        "Ahmad",
        "Aeroflot Airlines PJSC",
    ] {
        let party = Party {
            name: name.to_string(),
            countries: vec!["RU".into()],
            identifiers: vec![Identifier {
                scheme: "imo".into(),
                value: "9187629".into(),
                country: None,
            }],
            parents: vec!["Rosneft".into()],
            ..Party::default()
        };
        let _ = snapshot.screen(&party, &ScreenOptions::default());
    }
});
