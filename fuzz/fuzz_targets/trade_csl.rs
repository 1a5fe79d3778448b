//! Trade.gov Consolidated Screening List CSV loader (`lists::csl`) on arbitrary file bytes; input length parity toggles `skip_sdn_rows`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = clearance_fuzz::file("consolidated.csv", data);
    let options = clearance::engine::lists::LoadOptions {
        skip_sdn_rows: data.len() % 2 == 1,
    };
    if let Ok(list) = clearance::engine::lists::csl::load(&path, "csl", &options) {
        clearance_fuzz::index(list);
    }
});
