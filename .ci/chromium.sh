#!/usr/bin/env bash
# A headless Chromium behind ChromeDriver for the console's browser tests (tests/console.rs,
# the journeys in tests/console/browser.rs), from Debian's packages. Sourced by .ci/run:
#
#   source .ci/chromium.sh
#   chromedriver_start   # exports CLEARANCE_TEST_WEBDRIVER (the WebDriver URL) and prints it
#   chromedriver_stop    # stops ChromeDriver; does nothing when none runs
#
# or run by hand: `bash .ci/chromium.sh start` prints the URL and the driver's process id, and
# `bash .ci/chromium.sh stop PID` stops it.
#
# chromedriver_start installs the packages chromium and chromium-driver with apt when
# /usr/bin/chromedriver is missing (as root: CI's case), then starts ChromeDriver on the first
# free port from 59515, accepting connections from 127.0.0.1 only. The tests start the browser
# themselves through WebDriver (headless, no sandbox: CI runs as root) and save their
# screenshots under target/console-screenshots/.

chromedriver_pid=""
chromedriver_log=""

chromium_install() {
    if [[ $(id -u) != 0 ]]; then
        echo "Chromium is not installed and installing it needs root: apt-get install chromium chromium-driver" >&2
        return 1
    fi
    echo "installing Chromium and ChromeDriver from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            chromium chromium-driver >/dev/null
}

# A port nothing listens on, from 59515.
chromedriver_free_port() {
    local port
    for port in $(seq 59515 59615); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free port in 59515-59615" >&2
    return 1
}

chromedriver_start() {
    if [[ ! -x /usr/bin/chromedriver || ! -x /usr/bin/chromium ]]; then
        chromium_install || return 1
    fi
    echo "$(/usr/bin/chromium --version 2>/dev/null); $(/usr/bin/chromedriver --version)"
    local port
    port=$(chromedriver_free_port) || return 1
    chromedriver_log=$(mktemp "${TMPDIR:-/tmp}/clearance-chromedriver.XXXXXX")
    /usr/bin/chromedriver --port="$port" --allowed-ips=127.0.0.1 >"$chromedriver_log" 2>&1 &
    chromedriver_pid=$!
    local i
    for i in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            export CLEARANCE_TEST_WEBDRIVER="http://127.0.0.1:$port"
            echo "ChromeDriver running (pid $chromedriver_pid): $CLEARANCE_TEST_WEBDRIVER"
            return 0
        fi
        sleep 0.1
    done
    cat "$chromedriver_log" >&2
    return 1
}

# chromedriver_stop [PID]: stops the driver (default: the one started here) and the browsers
# it started.
chromedriver_stop() {
    local pid=${1:-$chromedriver_pid}
    [[ -n $pid ]] || return 0
    # The browsers a failed test left open are the driver's children: end them first.
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    if [[ $pid == "$chromedriver_pid" ]]; then
        chromedriver_pid=""
        rm -f "$chromedriver_log"
    fi
}

# Run as a script rather than sourced.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    case ${1:-} in
        start)
            chromedriver_start
            # Leave it running after this script exits.
            disown "$chromedriver_pid"
            echo "stop it with: bash $0 stop $chromedriver_pid"
            ;;
        stop)
            chromedriver_stop "${2:?usage: $0 stop PID}"
            ;;
        *)
            echo "usage: $0 start | stop PID" >&2
            exit 2
            ;;
    esac
fi
