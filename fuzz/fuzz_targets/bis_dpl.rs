//! BIS Denied Persons List loader (`lists::dpl`, tab-separated) on arbitrary file bytes.
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
    let path = clearance_fuzz::file("dpl.txt", data);
    if let Ok(list) = clearance::lists::dpl::load(&path, "dpl") {
        index(list);
    }
});
