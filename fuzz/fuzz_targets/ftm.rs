//! FollowTheMoney JSON-lines loader (`lists::ftm`) on arbitrary file bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = clearance_fuzz::file("entities.ftm.json", data);
    if let Ok(list) = clearance::engine::lists::ftm::load(&path, "ftm") {
        clearance_fuzz::index(list);
    }
});
