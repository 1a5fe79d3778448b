#!/usr/bin/env bash
# The build steps of the Dockerfile, in one script so that CI runs exactly what the image runs.
#
#   docker/build.sh deps   with only Cargo.toml, Cargo.lock, build.rs and proto/ present:
#                          compile every dependency against stub sources (the cached layer)
#   docker/build.sh app    with src/ present too: build the real binary
#   docker/build.sh stubs  only write the stub sources of `deps` (docker/smoke.sh checks that
#                          the manifest resolves against them without building)
#
# deps and app run `cargo build --release --locked --bin clearance` in the current directory.
set -euo pipefail

target="${CARGO_TARGET_DIR:-target}"

build() {
    cargo build --release --locked --bin clearance
}

# Stubs for every target Cargo.toml declares, so the manifest resolves without sources.
stubs() {
    mkdir -p src benches
    echo 'fn main() {}' > src/main.rs
    : > src/lib.rs
    # One stub per [[bench]] name in Cargo.toml.
    for bench in $(awk '/^\[\[bench\]\]/ { b = 1; next } b && /^name *=/ { gsub(/[" ]/, "", $3); print $3; b = 0 }' Cargo.toml); do
        echo 'fn main() {}' > "benches/$bench.rs"
    done
}

case "${1:-}" in
stubs)
    stubs
    ;;
deps)
    stubs
    build
    # Forget the stub crate, keep the compiled dependencies.
    rm -rf src benches
    # (COPY keeps the sources' old modification times, so cargo must not find the stub's
    # fingerprints and take it for the real crate.)
    rm -f "$target"/release/clearance "$target"/release/deps/clearance-* \
        "$target"/release/deps/libclearance-*
    rm -rf "$target"/release/.fingerprint/clearance-* "$target"/release/build/clearance-*
    ;;
app)
    touch src/main.rs src/lib.rs
    build
    ;;
*)
    echo "usage: docker/build.sh deps|app|stubs" >&2
    exit 2
    ;;
esac
