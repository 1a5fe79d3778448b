#!/usr/bin/env bash
# The layer rule (ARCHITECTURE.md, "Layers"): the engine (src/engine) names nothing above it,
# and the service's parts below the server (config, audit, update, tls, auth, metrics, proto,
# request, monitor) do not name the server; nothing but the CLI names the CLI. Imports only point
# down: cli -> service -> engine.
#
# Reads the sources with grep, so it needs no build and runs in well under a second. Every
# mention counts, comments and doc links included: a doc link to the service from the engine
# is a dependency of the engine's documentation on the service.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0

# check DESCRIPTION REGEX PATH...: reports every line under PATH matching REGEX.
check() {
    local rule=$1 regex=$2
    shift 2
    local hits
    hits=$(grep -rnE --include='*.rs' "$regex" "$@")
    if [[ -n $hits ]]; then
        while IFS= read -r hit; do
            local where=${hit%%:*}
            local rest=${hit#*:}
            local line=${rest%%:*}
            local text=${rest#*:}
            echo "layers: $where:$line: $rule" >&2
            echo "    ${text#"${text%%[![:space:]]*}"}" >&2
        done <<<"$hits"
        status=1
    fi
}

# Names above the engine: the service layer and its modules, the CLI, and the crate-wide test
# support (which parses the service's config). `super::testing` inside the engine is the
# engine's own test support, so `super` paths are checked without it.
above_engine='service|cli|config|server|audit|update|tls|auth|metrics|proto|request|monitor'
check "the engine names a module above it (engine -> service or cli); the engine depends on nothing above it" \
    "\bcrate::(${above_engine}|testing)\b|\bsuper(::super)*::(${above_engine})\b|\b(crate|super)::\{[^}]*\b(${above_engine})\b|\bclearance::(service|cli|testing)\b" \
    src/engine

# The service's parts below the server: the server uses them, never the other way round.
check "a part of the service below the server names the server (config, audit, update, tls, auth, metrics, proto, request and monitor sit below it)" \
    "\bcrate::service::server\b|\bsuper(::super)*::server\b|\bcrate::service::\{[^}]*\bserver\b" \
    src/service/config.rs src/service/audit src/service/update src/service/tls.rs \
    src/service/auth.rs src/service/metrics.rs src/service/proto.rs src/service/request.rs \
    src/service/monitor

check "the service names the CLI, which sits on top of it" \
    "\bcrate::cli\b|\bsuper(::super)*::cli\b" \
    src/service

if [[ $status -ne 0 ]]; then
    echo "layers: imports must point down (cli -> service -> engine); see ARCHITECTURE.md, \"Layers\"" >&2
    exit 1
fi
echo "layers: ok (engine names nothing above it; the server's parts do not name the server; only the CLI names the CLI)"
