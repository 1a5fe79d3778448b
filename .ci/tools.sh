# Sourced by .ci/deny.sh and fuzz/run.sh:   ci_tool NAME VERSION
#
# Puts cargo subcommand NAME at exactly VERSION on PATH without compiling it on every fresh
# machine, trying in order:
#   1. the one already on PATH, when it reports VERSION;
#   2. a copy cached outside the clone, in ${CLEARANCE_TOOLS:-~/.cache/clearance-ci/tools}/NAME-VERSION;
#   3. the prebuilt binary from PyPI (the astral-dev-toolchain-NAME wheels, built from the
#      upstream release tag), checked against the sha256 pinned in .ci/tools-requirements.txt,
#      installed into that cache;
#   4. `cargo install --locked` from crates.io into that cache (minutes: the fallback for a
#      platform without a pinned wheel).
# Only the first run on a machine pays for 3 or 4.

ci_tool() {
    local name=$1 version=$2
    local cache="${CLEARANCE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/clearance-ci/tools}/$name-$version"
    local requirements
    requirements="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/tools-requirements.txt"
    local subcommand=${name#cargo-}
    if cargo "$subcommand" --version 2>/dev/null | grep -qx "$name $version"; then
        return 0
    fi
    export PATH="$cache/bin:$PATH"
    if cargo "$subcommand" --version 2>/dev/null | grep -qx "$name $version"; then
        return 0
    fi
    rm -rf "$cache"
    mkdir -p "$cache"
    # The pinned line for this tool alone, so that pip checks its hash and fetches nothing else.
    local pinned="$cache/requirements.txt"
    grep "^astral-dev-toolchain-$name==$version " "$requirements" >"$pinned" || true
    echo "installing $name $version (prebuilt, from PyPI) into $cache"
    if [[ -s $pinned ]] && python3 -m pip install --quiet --disable-pip-version-check \
        --root-user-action=ignore --no-input --no-deps --only-binary :all: --require-hashes \
        --target "$cache/wheel" -r "$pinned" && [[ -x $cache/wheel/bin/$name ]]; then
        mkdir -p "$cache/bin"
        ln -s "../wheel/bin/$name" "$cache/bin/$name"
    else
        echo "no prebuilt $name $version for this machine: compiling it from crates.io"
        rm -rf "$cache"
        cargo install --locked --quiet --root "$cache" "$name" --version "$version"
    fi
    if ! cargo "$subcommand" --version 2>/dev/null | grep -qx "$name $version"; then
        echo "$name $version was installed into $cache but does not report that version" >&2
        return 1
    fi
}
