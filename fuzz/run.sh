#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, on the stable toolchain:
#   fuzz/run.sh SECONDS [TARGET...]
# Installs cargo-fuzz when it is missing, builds the targets in release with debug assertions
# and overflow checks and without a sanitizer (`-s none`: AddressSanitizer needs nightly; the
# code under test has no `unsafe` of its own, so what the fuzzer hunts is panics, aborts,
# timeouts and runaway allocations, which libFuzzer catches without one), cuts seed corpora
# (fuzz/seeds.py) and prints a table of executions, speed, coverage and crashes per target.
#
# The corpus a run grows is kept in fuzz/corpus/<target> (not committed), so repeated runs
# carry on where the last stopped; crashing inputs land in fuzz/artifacts/<target>, logs in
# fuzz/logs. Exits non-zero when any target found a crash, timeout or out-of-memory input.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
all=(ofac_csv trade_csl un_xml bis_dpl native ftm edges normalize query snapshot audit config)
targets=("${@:-${all[@]}}")
flags=(-O -a -s none)

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked --version 0.13.2
fi
echo "== toolchain: $(rustc --version)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Loaders read files: the targets write them under $TMPDIR, removed with $work.
export TMPDIR=$work

echo "== building the fuzz targets"
cargo fuzz build "${flags[@]}"

echo "== seed corpora"
cargo run --release --quiet --bin clearance -- build --config config/sample.toml \
    --output "$work/sample.clr" >/dev/null
rm -rf fuzz/seeds
python3 fuzz/seeds.py fuzz/seeds "$work/sample.clr"

mkdir -p fuzz/logs
summary=()
failed=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    log="fuzz/logs/$t.log"
    echo "== $t (${seconds}s)"
    status=0
    cargo fuzz run "${flags[@]}" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
    if [ "$status" -ne 0 ]; then
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
