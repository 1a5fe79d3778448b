//! The layer rule (ARCHITECTURE.md, "Layers") under `cargo test` too: `.ci/layers.sh` finds
//! every import that points up (the engine naming the service or the CLI, a part of the
//! service below the server naming the server).

use std::process::Command;

#[test]
fn imports_point_down_from_cli_to_service_to_engine() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("bash")
        .arg(format!("{root}/.ci/layers.sh"))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
