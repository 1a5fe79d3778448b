#!/usr/bin/env bash
# What CI runs in place of `docker build` + `docker run` (there is no Docker engine here): the
# image's build stage, then the image's command and health check against its binary.
#
# The build stage is `cargo build --release --locked --bin clearance` (docker/build.sh) on the
# files the Dockerfile copies. Compiling every dependency again in a scratch directory costs
# minutes, so by default the script proves instead that the checkout's release binary is what
# that stage builds, and uses it:
#   1. it runs the same cargo command in the checkout: cargo's fingerprints make it a no-op when
#      an earlier step (CI's) built this binary from these sources, and rebuild it otherwise;
#   2. it copies what the Dockerfile copies into a scratch directory and checks that every file
#      of the checkout the binary was compiled from (cargo's dep-info, release/clearance.d) is
#      there with the same bytes: the image's build context holds all the inputs;
#   3. for the dependency layer, which sees only the manifest, the lock file, build.rs, the
#      protos and docker/build.sh: it writes build.sh's stub sources beside those, checks that
#      the manifest and the lock file resolve there (`cargo metadata --locked`), and that every
#      input of build.rs (its rerun-if-changed list) is among them.
# (The stub crate itself is not compiled against the shared target folder: its units have the
# real crate's names and hashes, and would overwrite them.)
# CLEARANCE_SMOKE_SCRATCH=1 runs docker/build.sh deps and app in the scratch directory instead,
# exactly as the image does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
# (No server yet: `kill 0` would signal this whole process group, CI included.)
trap 'if [[ -n ${server:-} ]]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$scratch"' EXIT

# The Dockerfile's COPY steps: the dependency layer's files first, then the crate's.
copy_layer_files() {
    cp "$root/Cargo.toml" "$root/Cargo.lock" "$root/build.rs" "$1/"
    cp -r "$root/proto" "$1/proto"
    mkdir "$1/docker" && cp "$root/docker/build.sh" "$1/docker/build.sh"
}
copy_crate_files() {
    mkdir "$1/data" && cp -r "$root/data/lexicon" "$1/data/lexicon"
    cp -r "$root/src" "$1/src"
    cp -r "$root/benches" "$1/benches"
}

# Reads paths (absolute, or relative to the checkout) from stdin; fails unless each one inside
# the checkout is in the scratch layout $1 with the same bytes. Counts them in $copied.
copied=0
all_copied() {
    local path relative
    while IFS= read -r path; do
        case "$path" in
        "$target"/*) continue ;; # written by build.rs from copied inputs
        "$root"/*) relative=${path#"$root"/} ;;
        /*) continue ;; # crates.io sources, pinned by Cargo.lock
        *) relative=$path ;;
        esac
        if ! cmp -s "$root/$relative" "$1/$relative"; then
            echo "docker/smoke.sh: the binary is built from $relative, which the Dockerfile" \
                "does not copy into its $(basename "$1") stage" >&2
            return 1
        fi
        copied=$((copied + 1))
    done
}

mkdir "$scratch/build"
if [[ ${CLEARANCE_SMOKE_SCRATCH:-0} == 1 ]]; then
    echo "build stage: docker/build.sh deps and app in a scratch directory"
    cd "$scratch/build"
    copy_layer_files .
    CARGO_TARGET_DIR="$scratch/target" bash docker/build.sh deps
    copy_crate_files .
    CARGO_TARGET_DIR="$scratch/target" bash docker/build.sh app
    built="$scratch/target/release/clearance"
else
    (cd "$root" && cargo build --release --locked --bin clearance)
    target="$(cd "$root" && cd "${CARGO_TARGET_DIR:-target}" && pwd)"
    built="$target/release/clearance"
    copy_layer_files "$scratch/build"
    copy_crate_files "$scratch/build"
    # dep-info: "TARGET: INPUT INPUT ...", with spaces inside paths escaped as "\ ".
    all_copied "$scratch/build" < <(sed -e 's/^[^:]*: //' -e 's/\\ /\x00/g' \
        "$target/release/clearance.d" | tr ' ' '\n' | tr '\0' ' ' | grep -v '^$')
    if ((copied == 0)); then
        echo "docker/smoke.sh: no inputs listed in $target/release/clearance.d" >&2
        exit 1
    fi
    mkdir "$scratch/deps"
    copy_layer_files "$scratch/deps"
    (cd "$scratch/deps" && bash docker/build.sh stubs \
        && cargo metadata --locked --format-version 1 >/dev/null)
    # build.rs's own inputs: the build script's output beside the OUT_DIR the binary includes.
    out_dir=$(tr ' ' '\n' <"$target/release/clearance.d" \
        | grep -m1 "^$target/release/build/clearance-[^/]*/out/") || {
        echo "docker/smoke.sh: no build script output named in $target/release/clearance.d" >&2
        exit 1
    }
    all_copied "$scratch/deps" < <(echo build.rs
        sed -n 's/^cargo:rerun-if-changed=//p' "${out_dir%/out/*}/output")
    echo "build stage: $built is the Dockerfile's build of these sources" \
        "($copied inputs checked against the build context; the dependency layer resolves)"
fi

# Runtime stage: the binary, the sample data and config at the image's paths.
image="$scratch/image"
mkdir -p "$image/usr/local/bin" "$image/opt/clearance/config" "$image/opt/clearance/cache"
cp "$built" "$image/usr/local/bin/clearance"
cp -r "$root/data" "$image/opt/clearance/data"
cp "$root/config/sample.toml" "$root/config/official.toml" "$image/opt/clearance/config/"
bin="$image/usr/local/bin/clearance"

# The image's CMD (ports moved off the defaults), then its HEALTHCHECK.
"$bin" serve --config "$image/opt/clearance/config/sample.toml" \
    --listen 127.0.0.1:50151 --admin-listen 127.0.0.1:50152 --http-listen 127.0.0.1:50153 \
    --log-json &
server=$!
for _ in $(seq 1 100); do
    if "$bin" health --addr http://127.0.0.1:50151 >/dev/null 2>&1; then
        break
    fi
    sleep 0.2
done
"$bin" health --addr http://127.0.0.1:50151
"$bin" client --addr http://127.0.0.1:50151 screen "Huawei Cloud Singapore Pte. Ltd." | head -1 \
    | grep -q "decision: deny"
kill -TERM "$server"
wait "$server"

# The snapshot path the Kubernetes manifests use: build a file, serve it, screen.
"$bin" build --config "$image/opt/clearance/config/sample.toml" --output "$scratch/current.clr"
"$bin" serve --snapshot "$scratch/current.clr" \
    --listen 127.0.0.1:50161 --admin-listen 127.0.0.1:50162 --http-listen off --log-json &
server=$!
for _ in $(seq 1 100); do
    if "$bin" health --addr http://127.0.0.1:50161 >/dev/null 2>&1; then
        break
    fi
    sleep 0.2
done
"$bin" client --addr http://127.0.0.1:50161 screen "Huawei Cloud Singapore Pte. Ltd." | head -1 \
    | grep -q "decision: deny"
kill -TERM "$server"
wait "$server"
echo "image build steps and command: ok"
