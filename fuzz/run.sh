#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, on the stable toolchain:
#   fuzz/run.sh SECONDS [TARGET...]
#   fuzz/run.sh build               only build the targets (CI starts this early, see .ci/run)
# Installs cargo-fuzz when it is missing (.ci/tools.sh: a prebuilt binary, cached outside the
# clone), builds the targets in release with debug assertions and overflow checks and without a
# sanitizer (`-s none`: AddressSanitizer needs nightly; the code under test has no `unsafe` of
# its own, so what the fuzzer hunts is panics, aborts, timeouts and runaway allocations, which
# libFuzzer catches without one), cuts seed corpora (fuzz/seeds.py) and prints a table of
# executions, speed, coverage and crashes per target.
#
# Targets run FUZZ_JOBS at a time (default: one per core; libFuzzer uses one core), each for
# the full SECONDS. The corpus a run grows is kept in fuzz/corpus/<target> (not committed), so
# repeated runs carry on where the last stopped; crashing inputs land in
# fuzz/artifacts/<target>, logs in fuzz/logs. Exits non-zero when any target found a crash,
# timeout or out-of-memory input.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/tools.sh

seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...] | fuzz/run.sh build}
shift
all=(ofac_csv trade_csl un_xml bis_dpl native ftm edges normalize query snapshot audit config)
targets=("${@:-${all[@]}}")
flags=(-O -a -s none)
# Its own target folder whatever CARGO_TARGET_DIR says: the fuzzing flags apply to every crate,
# so nothing compiled for the main build could be reused, and a shared folder's lock would
# make this build wait for the main one (CI runs the two side by side).
triple=$(rustc -vV | sed -n 's/^host: //p')
build_dir="$PWD/fuzz/target"
bin_dir="$build_dir/$triple/release"

ci_tool cargo-fuzz 0.13.2
echo "== toolchain: $(rustc --version)"
echo "== building the fuzz targets"
(cd fuzz && cargo fuzz build "${flags[@]}" --target "$triple" --target-dir "$build_dir")
if [[ $seconds == build ]]; then
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Loaders read files: the targets write them under $TMPDIR, removed with $work.
export TMPDIR=$work

echo "== seed corpora"
cargo run --release --quiet --bin clearance -- build --config config/sample.toml \
    --output "$work/sample.clr" >/dev/null
rm -rf fuzz/seeds
python3 fuzz/seeds.py fuzz/seeds "$work/sample.clr"

# One target for SECONDS, as `cargo fuzz run TARGET CORPUS SEEDS -- ...` would run it but
# without asking cargo to build again; its exit status goes to fuzz/logs/TARGET.status.
fuzz_one() {
    local t=$1 status=0
    "$bin_dir/$t" -artifact_prefix="fuzz/artifacts/$t/" -max_total_time="$seconds" \
        -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        "fuzz/corpus/$t" "fuzz/seeds/$t" >"fuzz/logs/$t.log" 2>&1 || status=$?
    echo "$status" >"fuzz/logs/$t.status"
}

mkdir -p fuzz/logs
jobs_max=${FUZZ_JOBS:-$(nproc)}
for t in "${targets[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs_max)); do
        wait -n || true
    done
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    rm -f "fuzz/logs/$t.status"
    echo "== $t (${seconds}s)"
    fuzz_one "$t" &
done
wait

summary=()
failed=0
for t in "${targets[@]}"; do
    log="fuzz/logs/$t.log"
    status=$(cat "fuzz/logs/$t.status" 2>/dev/null || echo "?")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
    if [ "$status" != 0 ]; then
        failed=1
        result="FAILED (exit $status, see $log and fuzz/artifacts/$t)"
        grep -m5 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" || true
    else
        result="ok"
    fi
    summary+=("| $t | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | $corpus | $result |")
done

echo
echo "| target | execs | exec/s | coverage (edges) | features | corpus | result |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${summary[@]}"
exit "$failed"
