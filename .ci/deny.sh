#!/usr/bin/env bash
# Dependency hygiene with cargo-deny (policy in deny.toml): licences on the allow-list, crates
# only from crates.io, banned crates absent, and the RustSec advisory database, including
# yanked versions.
#
# The advisory database is a git repository on GitHub. Where GitHub cannot be reached (this
# project's build machines reach only the package registries) the advisories check cannot run:
# the script says so loudly and does not pretend it passed. Set CLEARANCE_REQUIRE_ADVISORIES=1
# to make that a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -q "$DENY_VERSION"; then
    echo "installing cargo-deny $DENY_VERSION from crates.io"
    cargo install cargo-deny --version "$DENY_VERSION" --locked --quiet
fi

cargo deny --log-level error check licenses bans sources

if timeout 60 cargo deny --log-level error fetch db; then
    cargo deny --log-level error check advisories
else
    echo "ADVISORIES NOT CHECKED: the RustSec advisory database could not be fetched" >&2
    if [ "${CLEARANCE_REQUIRE_ADVISORIES:-0}" = 1 ]; then
        exit 1
    fi
fi
