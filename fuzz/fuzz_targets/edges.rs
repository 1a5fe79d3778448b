//! Ownership edge loader (`lists::edges`, JSON lines or CSV) on arbitrary file bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = clearance_fuzz::file("edges.jsonl", data);
    if let Ok(list) = clearance::engine::lists::edges::load(&path, "edges") {
        clearance_fuzz::index(list);
    }
});
