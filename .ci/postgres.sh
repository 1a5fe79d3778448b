#!/usr/bin/env bash
# A throwaway PostgreSQL server for the monitoring store's tests (tests/monitor_store.rs), from
# Debian's packages. Sourced by .ci/run:
#
#   source .ci/postgres.sh
#   postgres_start   # exports CLEARANCE_TEST_POSTGRES (the URL) and prints it
#   postgres_stop    # stops the server and deletes its folder; does nothing when none runs
#
# or run by hand: `bash .ci/postgres.sh start` prints the URL and the server's folder, and
# `bash .ci/postgres.sh stop FOLDER` stops it.
#
# postgres_start installs the server with apt when no initdb is found under
# /usr/lib/postgresql/*/bin (as root: CI's case; the install starts no server of its own), then
# creates a cluster in a new temporary folder and starts it as the `postgres` user (or as the
# caller, when not root) on the first free port from 55432, listening on 127.0.0.1 only, with
# its unix socket in that folder. Authentication is `trust`: the server lives for one CI run on
# the loopback address. It creates the role `clearance` (CREATEDB: each test creates and drops
# its own database) and its database `clearance`, and exports
# CLEARANCE_TEST_POSTGRES=postgres://clearance@127.0.0.1:PORT/clearance.

postgres_dir=""
postgres_bin=""

# Runs a PostgreSQL program as the server's owner (from /, which that user can read: the
# programs look up their working folder).
postgres_as_owner() {
    if [[ $(id -u) == 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# The newest installed server's bin folder, or nothing.
postgres_find_bin() {
    local initdb
    initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    [[ -n $initdb ]] && dirname "$initdb"
}

postgres_install() {
    if [[ $(id -u) != 0 ]]; then
        echo "PostgreSQL is not installed and installing it needs root: apt-get install postgresql" >&2
        return 1
    fi
    echo "installing PostgreSQL from Debian's packages"
    # The package would create and start a system cluster on port 5432: nothing here needs
    # it, so service starts are refused while it installs (policy-rc.d, exit 101).
    local policy=/usr/sbin/policy-rc.d added_policy=""
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        added_policy=1
    fi
    local status=0
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            postgresql >/dev/null || status=$?
    if [[ -n $added_policy ]]; then
        rm -f "$policy"
    fi
    return "$status"
}

# A port nothing listens on, from 55432.
postgres_free_port() {
    local port
    for port in $(seq 55432 55532); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free port in 55432-55532" >&2
    return 1
}

postgres_start() {
    postgres_bin=$(postgres_find_bin) || true
    if [[ -z $postgres_bin ]]; then
        postgres_install
        postgres_bin=$(postgres_find_bin) || true
        if [[ -z $postgres_bin ]]; then
            echo "the postgresql package installed no /usr/lib/postgresql/*/bin/initdb" >&2
            return 1
        fi
    fi
    echo "PostgreSQL: $("$postgres_bin/postgres" --version)"
    local port
    port=$(postgres_free_port)
    postgres_dir=$(mktemp -d "${TMPDIR:-/tmp}/clearance-postgres.XXXXXX")
    if [[ $(id -u) == 0 ]]; then
        chown postgres: "$postgres_dir"
    fi
    # --no-sync: the cluster is thrown away after the run.
    postgres_as_owner "$postgres_bin/initdb" --pgdata="$postgres_dir/data" --auth=trust \
        --username=postgres --encoding=UTF8 --no-locale --no-sync >"$postgres_dir/initdb.log" ||
        { cat "$postgres_dir/initdb.log" >&2; return 1; }
    if ! postgres_as_owner "$postgres_bin/pg_ctl" --pgdata="$postgres_dir/data" \
        --log="$postgres_dir/server.log" --wait --timeout=60 \
        -o "-p $port -k $postgres_dir -c listen_addresses=127.0.0.1 -c max_connections=200" \
        start >/dev/null; then
        cat "$postgres_dir/server.log" >&2
        return 1
    fi
    postgres_as_owner "$postgres_bin/psql" --no-psqlrc --quiet -v ON_ERROR_STOP=1 \
        --host="$postgres_dir" --port="$port" --username=postgres --dbname=postgres \
        -c "CREATE ROLE clearance LOGIN CREATEDB" \
        -c "CREATE DATABASE clearance OWNER clearance"
    export CLEARANCE_TEST_POSTGRES="postgres://clearance@127.0.0.1:$port/clearance"
    echo "PostgreSQL running in $postgres_dir: $CLEARANCE_TEST_POSTGRES"
}

# postgres_stop [FOLDER]: stops the server started from FOLDER (default: the one started here).
postgres_stop() {
    local dir=${1:-$postgres_dir}
    [[ -n $dir && -d $dir ]] || return 0
    local bin=${postgres_bin:-$(postgres_find_bin)}
    if [[ -f $dir/data/postmaster.pid ]]; then
        postgres_as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop \
            >/dev/null || true
    fi
    rm -rf "$dir"
    if [[ $dir == "$postgres_dir" ]]; then
        postgres_dir=""
    fi
}

# Run as a script rather than sourced.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    case ${1:-} in
        start)
            postgres_start
            echo "stop it with: bash $0 stop $postgres_dir"
            ;;
        stop)
            postgres_stop "${2:?usage: $0 stop FOLDER}"
            ;;
        *)
            echo "usage: $0 start | stop FOLDER" >&2
            exit 2
            ;;
    esac
fi
