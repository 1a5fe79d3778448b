//! Locating the shared real-list data for tests and benchmarks.
//!
//! The real lists live outside the repository (`../shared/data` beside the checkout, or the
//! folder named by `CLEARANCE_SHARED_DATA`). A user's fresh clone has no such folder: tests that
//! need it print a notice and skip. CI sets `CLEARANCE_REQUIRE_SHARED_DATA=1`, which turns the
//! skip into a failure so that a missing folder cannot pass silently.

use std::path::PathBuf;

/// The shared data folder, or `None` (after printing a notice) when it is absent and not
/// required.
///
/// # Panics
/// When the folder is absent and `CLEARANCE_REQUIRE_SHARED_DATA=1`.
pub fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("CLEARANCE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    if std::env::var("CLEARANCE_REQUIRE_SHARED_DATA").as_deref() == Ok("1") {
        panic!(
            "shared list data not found at {} but CLEARANCE_REQUIRE_SHARED_DATA=1",
            dir.display()
        );
    }
    eprintln!(
        "notice: skipping: shared list data not found at {} (set CLEARANCE_SHARED_DATA)",
        dir.display()
    );
    None
}
