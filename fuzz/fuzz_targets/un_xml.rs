//! UN consolidated list XML loader (`lists::un`) on arbitrary file bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = clearance_fuzz::file("consolidated.xml", data);
    if let Ok(list) = clearance::engine::lists::un::load(&path, "un") {
        clearance_fuzz::index(list);
    }
});
