#!/usr/bin/env bash
# Dependency hygiene with cargo-deny (policy in deny.toml): licences on the allow-list, crates
# only from crates.io, banned crates absent, and the RustSec advisory database, including
# yanked versions.
#
# The advisory database is a git repository on GitHub. Where GitHub cannot be reached (this
# project's build machines reach only the package registries) the advisories check cannot run:
# the script says so loudly and does not pretend it passed. Set CLEARANCE_REQUIRE_ADVISORIES=1
# to make that a failure.
#
# cargo-deny itself comes prebuilt (.ci/tools.sh: PyPI's wheel, cached outside the clone),
# not compiled from crates.io on every fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/tools.sh

ci_tool cargo-deny 0.20.2

cargo deny --log-level error check licenses bans sources

if timeout 60 cargo deny --log-level error fetch db; then
    cargo deny --log-level error check advisories
else
    echo "ADVISORIES NOT CHECKED: the RustSec advisory database could not be fetched" >&2
    if [ "${CLEARANCE_REQUIRE_ADVISORIES:-0}" = 1 ]; then
        exit 1
    fi
fi
