//! Native list loader (`lists::native`): the CSV form, or the JSON-lines form when the input starts with `{` (as the loader decides by file name).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let name = if data.trim_ascii_start().starts_with(b"{") {
        "list.jsonl"
    } else {
        "list.csv"
    };
    let path = clearance_fuzz::file(name, data);
    if let Ok(list) = clearance::engine::lists::native::load(&path, "native") {
        clearance_fuzz::index(list);
    }
});
