#!/usr/bin/env bash
# What CI runs in place of `docker build` + `docker run` (there is no Docker engine here):
# the Dockerfile's build steps (docker/build.sh) in a scratch directory holding only what the
# Dockerfile copies, then the image's command and health check against the result.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$scratch"' EXIT

# Build stage: the same COPY steps, the same script.
cd "$scratch"
cp "$root/Cargo.toml" "$root/Cargo.lock" "$root/build.rs" .
cp -r "$root/proto" proto
mkdir docker && cp "$root/docker/build.sh" docker/build.sh
CARGO_TARGET_DIR="$scratch/target" bash docker/build.sh deps
mkdir data && cp -r "$root/data/lexicon" data/lexicon
cp -r "$root/src" src
cp -r "$root/benches" benches
CARGO_TARGET_DIR="$scratch/target" bash docker/build.sh app

# Runtime stage: the binary, the sample data and config at the image's paths.
image="$scratch/image"
mkdir -p "$image/usr/local/bin" "$image/opt/clearance/config" "$image/opt/clearance/cache"
cp "$scratch/target/release/clearance" "$image/usr/local/bin/clearance"
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
