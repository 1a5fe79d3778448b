//! OFAC legacy CSV loader (`lists::ofac`): the input is split at NUL bytes into `sdn.csv`, `alt.csv`, `add.csv` and `sdn_comments.csv` (files past the last part are absent).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    const FILES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];
    let dir = clearance_fuzz::scratch().join("ofac");
    std::fs::create_dir_all(&dir).expect("the scratch folder can be created");
    let mut parts = data.splitn(FILES.len(), |&b| b == 0);
    for name in FILES {
        let path = dir.join(name);
        match parts.next() {
            Some(part) => std::fs::write(&path, part).expect("the scratch file can be written"),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    if let Ok(list) = clearance::engine::lists::ofac::load(&dir, "ofac") {
        clearance_fuzz::index(list);
    }
});
