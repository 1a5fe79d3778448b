//! UN consolidated list XML loader (`lists::un`) on arbitrary file bytes.
#![no_main]

use clearance::index::IndexBuilder;
use clearance::model::LoadedList;
use libfuzzer_sys::fuzz_target;

/// A list that loaded must also index: loader output is the index builder's input.
fn index(list: LoadedList) {
    let mut builder = IndexBuilder::new();
    builder.add_list(list, None);
    let _ = builder.build();
}

fuzz_target!(|data: &[u8]| {
    let path = clearance_fuzz::file("consolidated.xml", data);
    if let Ok(list) = clearance::lists::un::load(&path, "un") {
        index(list);
    }
});
