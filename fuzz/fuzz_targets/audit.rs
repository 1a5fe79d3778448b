//! The audit log reader and replay (`audit::replay_files`, as `clearance audit replay` runs):
//! arbitrary log bytes are read line by line, and every record accepted is converted back to
//! its request, re-screened against the sample snapshot and compared with its logged result.
#![no_main]

use clearance::service::audit::replay::replay_files;
use clearance::service::audit::ReplayOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = clearance_fuzz::file("audit.jsonl", data);
    let options = ReplayOptions {
        compare_hits: data.len() % 2 == 1,
    };
    let _ = replay_files(&[path], clearance_fuzz::sample_snapshot(), options);
});
