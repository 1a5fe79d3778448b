//! BIS Denied Persons List loader (`lists::dpl`, tab-separated) on arbitrary file bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = clearance_fuzz::file("dpl.txt", data);
    if let Ok(list) = clearance::engine::lists::dpl::load(&path, "dpl") {
        clearance_fuzz::index(list);
    }
});
