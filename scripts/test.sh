#!/usr/bin/env bash
# The whole Utväg Hub test suite, as run by CI (`make test`):
#   1. scripts/setup.sh               machine set-up (installs only what is missing)
#   2. scripts/start-postgres.sh      PostgreSQL for the storage tests (HUB_TEST_DATABASE_URL)
#   3. swift build --build-tests; swift test   (swift-testing + XCTest)
#   4. end-to-end: `hub up` on SQLite, then pytest Tests/protocol Tests/browser Tests/reliability,
#      then SIGTERM and a check that the hub stops within 15 s. Some reliability tests start
#      hubs of their own: test_partition.py and test_two_hosts.py in network namespaces (root
#      and /dev/net/tun; they skip without), test_workers_postgres.py and test_two_hosts.py on a
#      PostgreSQL cluster of their own (when HUB_TEST_DATABASE_URL says PostgreSQL is there).
# Ends with a line `N passed, M failed`; exits non-zero if anything failed or no test ran.
#
# Switches:
#   HUB_TEST_ONLY_E2E=1   skip set-up, PostgreSQL and swift build/test (uses the existing
#                         .build/debug/hub)
#   HUB_TEST_SKIP_E2E=1   skip the end-to-end part
#   HUB_TEST_SKIP_FUZZ=1  skip the fuzz section; HUB_TEST_FUZZ_SECONDS (10) per target
#   HUB_TEST_BROKER_ENDPOINT (tcp://127.0.0.1:17600), HUB_TEST_BROKER2_ENDPOINT (…:17601: the hub
#   runs two brokers), HUB_TEST_GATEWAY_PORT (18080)
#   HUB_TEST_LOG_DIR      where logs are kept (default .build/test-logs)
#   HUB_TEST_KEEP_TMP=1   keep the temporary data directory
#   HUB_TEST_HUB_BIN      the hub binary for the e2e part (default .build/debug/hub)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2

ONLY_E2E="${HUB_TEST_ONLY_E2E:-0}"
SKIP_E2E="${HUB_TEST_SKIP_E2E:-0}"
E2E_BROKER="${HUB_TEST_BROKER_ENDPOINT:-tcp://127.0.0.1:17600}"
# The end-to-end hub runs two brokers (no single point of failure; the kill tests kill one).
E2E_BROKER2="${HUB_TEST_BROKER2_ENDPOINT:-tcp://127.0.0.1:17601}"
E2E_PORT="${HUB_TEST_GATEWAY_PORT:-18080}"
LOG_DIR="${HUB_TEST_LOG_DIR:-$ROOT/.build/test-logs}"
HUB_BIN="${HUB_TEST_HUB_BIN:-$ROOT/.build/debug/hub}"

mkdir -p "$LOG_DIR"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/utvag-hub-test.XXXXXX")"
HUB_PID=""

passed=0
failed=0
problems=()   # failures that are not counted by a test runner

problem() {
    echo "test.sh: FAILED: $*" >&2
    problems+=("$*")
}

section() {
    printf '\n==== %s ====\n' "$*"
}

stop_hub_hard() {
    if [ -n "$HUB_PID" ]; then
        # The hub runs in its own session (setsid; session id = its pid) and its
        # children have process groups of their own: end everything in that session.
        kill -KILL "$HUB_PID" 2>/dev/null || true
        pkill -KILL -s "$HUB_PID" 2>/dev/null || true
        wait "$HUB_PID" 2>/dev/null || true
        HUB_PID=""
    fi
}

# shellcheck disable=SC2317  # invoked by trap
cleanup() {
    stop_hub_hard
    if [ "${HUB_TEST_KEEP_TMP:-0}" = 1 ]; then
        echo "test.sh: kept $TMP"
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'echo "test.sh: interrupted" >&2; exit 130' INT TERM

# ---------------------------------------------------------------------------
# Output parsers
# ---------------------------------------------------------------------------

# swift test output → "passed failed" (swift-testing + XCTest).
parse_swift_test() {
    python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
passed = failed = 0
# XCTest: the last "Executed N tests, with F failures" line is the grand total;
# failed tests are the "Test Case '…' failed" lines (F counts assertions).
executed = re.findall(r"Executed (\d+) tests?, with (\d+) failures?", text)
if executed:
    total = int(executed[-1][0])
    xfailed = len(re.findall(r"^\s*Test Case '[^']*' failed", text, re.M))
    if xfailed == 0 and int(executed[-1][1]) > 0:
        xfailed = 1
    xfailed = min(xfailed, total)
    passed += total - xfailed
    failed += xfailed
# swift-testing: "Test run with 42 tests in 7 suites passed|failed after …"
runs = re.findall(r"Test run with (\d+) tests?\b.*?\b(passed|failed) after", text)
if runs:
    total = sum(int(n) for n, _ in runs)
    tfailed = len([l for l in text.splitlines()
                   if re.search(r"\bTest .* failed after", l) and "Test run with" not in l])
    if tfailed == 0 and any(r == "failed" for _, r in runs):
        tfailed = 1
    tskipped = len([l for l in text.splitlines()
                    if re.search(r"\bTest \S.* skipped\b", l) and "Test run with" not in l])
    tfailed = min(tfailed, total)
    passed += max(total - tfailed - tskipped, 0)
    failed += tfailed
print(passed, failed)
PY
}

# pytest -q output → "passed failed" (errors count as failed).
parse_pytest() {
    python3 - "$1" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
passed = failed = 0
for line in reversed(lines):
    line = line.strip().strip("=").strip()
    if re.search(r"\b(passed|failed|error|errors|skipped|no tests ran)\b.* in [\d.]+s", line):
        for n, what in re.findall(r"(\d+) (passed|failed|errors?|xpassed)", line):
            if what in ("passed", "xpassed"):
                passed += int(n)
            else:
                failed += int(n)
        break
print(passed, failed)
PY
}

# ---------------------------------------------------------------------------
# 1–3: set-up, PostgreSQL, swift build and test
# ---------------------------------------------------------------------------
build_ok=1
if [ "$ONLY_E2E" != 1 ]; then
    section "setup"
    if ! bash "$ROOT/scripts/setup.sh"; then
        problem "scripts/setup.sh"
    fi

    section "PostgreSQL"
    if [ -f "$ROOT/scripts/start-postgres.sh" ]; then
        if bash "$ROOT/scripts/start-postgres.sh" 2>&1 | tee "$LOG_DIR/postgres.log"; then
            pg_url="$(grep -v '^[[:space:]]*$' "$LOG_DIR/postgres.log" | tail -n 1 | tr -d '[:space:]')"
            case "$pg_url" in
                postgres://*|postgresql://*)
                    export HUB_TEST_DATABASE_URL="$pg_url"
                    echo "HUB_TEST_DATABASE_URL=$HUB_TEST_DATABASE_URL" ;;
                *) problem "scripts/start-postgres.sh did not print a postgres:// URL last" ;;
            esac
        else
            problem "scripts/start-postgres.sh"
        fi
    else
        problem "scripts/start-postgres.sh is missing"
    fi

    section "swift build --build-tests"
    if ! swift build --build-tests 2>&1 | tee "$LOG_DIR/swift-build.log"; then
        problem "swift build --build-tests"
        build_ok=0
    fi

    if [ "$build_ok" = 1 ]; then
        section "swift test"
        swift test --skip-build 2>&1 | tee "$LOG_DIR/swift-test.log"
        swift_rc=${PIPESTATUS[0]}
        read -r sp sf < <(parse_swift_test "$LOG_DIR/swift-test.log")
        echo "swift test: $sp passed, $sf failed (exit $swift_rc)"
        passed=$((passed + sp))
        failed=$((failed + sf))
        if [ "$swift_rc" -ne 0 ] && [ "$sf" -eq 0 ]; then
            problem "swift test exited with $swift_rc"
        fi
    fi
fi

# ---------------------------------------------------------------------------
# 3b: fuzzing: replay the seeds and every past crash (debug build), then each
#     target for a short, bounded time with libFuzzer (scripts/fuzz.sh)
# ---------------------------------------------------------------------------
if [ "$ONLY_E2E" != 1 ] && [ "$build_ok" = 1 ] && [ "${HUB_TEST_SKIP_FUZZ:-0}" != 1 ]; then
    section "fuzz"
    bash scripts/fuzz.sh --replay 2>&1 | tee "$LOG_DIR/fuzz-replay.log"
    bash scripts/fuzz.sh --seconds "${HUB_TEST_FUZZ_SECONDS:-10}" 2>&1 | tee "$LOG_DIR/fuzz.log"
    fuzz_rc=${PIPESTATUS[0]}
    fp=$(grep -cE '^(replay [a-z]+: [0-9]+ inputs|fuzz [a-z]+: .* 0 crashes \(exit 0\))$' "$LOG_DIR/fuzz-replay.log" "$LOG_DIR/fuzz.log" | awk -F: '{s+=$NF} END {print s+0}')
    ff=$(grep -cE '^(replay [a-z]+: CRASHED|fuzz [a-z]+: .*([1-9][0-9]* crashes|exit [1-9][0-9]*\)))$' "$LOG_DIR/fuzz-replay.log" "$LOG_DIR/fuzz.log" | awk -F: '{s+=$NF} END {print s+0}')
    echo "fuzz: $fp passed, $ff failed"
    passed=$((passed + fp))
    failed=$((failed + ff))
    if [ "$fuzz_rc" -ne 0 ] && [ "$ff" -eq 0 ]; then
        problem "scripts/fuzz.sh exited with $fuzz_rc"
    fi
fi

# ---------------------------------------------------------------------------
# 4: end-to-end against `hub up`
# ---------------------------------------------------------------------------
healthz_ok() {
    python3 - "$1" <<'PY'
import json, sys, urllib.request
try:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(sys.argv[1] + "/healthz", timeout=3) as r:
        sys.exit(0 if json.load(r).get("status") == "ok" else 1)
except Exception:
    sys.exit(1)
PY
}

run_e2e() {
    if [ ! -x "$HUB_BIN" ]; then
        problem "$HUB_BIN is missing (build first)"
        return
    fi
    local data="$TMP/data" log="$LOG_DIR/hub.log" url="" password="" deadline
    mkdir -m 0700 -p "$data"   # private, as hub up would make it (it warns about an open one)
    : > "$log"

    # The police adapter on a known port with a key made for this run (reliability tests use it).
    POLICE_PORT="${HUB_TEST_POLICE_PORT:-18181}"
    POLICE_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
    PSYCHIATRY_PORT="${HUB_TEST_PSYCHIATRY_PORT:-18182}"
    PSYCHIATRY_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(24))')"

    section "hub up (e2e)"
    # Own session so that cleanup can end the whole process tree; SQLite, not Postgres.
    env -u HUB_DATABASE_URL \
        HUB_BROKER_ENDPOINTS="$E2E_BROKER,$E2E_BROKER2" HUB_GATEWAY_PORT="$E2E_PORT" \
        HUB_ADAPTER_POLICE_PORT="$POLICE_PORT" HUB_ADAPTER_PSYCHIATRY_PORT="$PSYCHIATRY_PORT" \
        HUB_ADAPTER_POLICE_API_KEY="$POLICE_KEY" HUB_ADAPTER_PSYCHIATRY_API_KEY="$PSYCHIATRY_KEY" \
        setsid "$HUB_BIN" up --data-dir "$data" --config "$ROOT/config" >"$log" 2>&1 </dev/null &
    HUB_PID=$!
    echo "hub pid $HUB_PID, log $log"

    deadline=$((SECONDS + 120))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$HUB_PID" 2>/dev/null; then
            wait "$HUB_PID"; local rc=$?
            HUB_PID=""
            tail -n 40 "$log" >&2
            problem "hub up exited early (exit $rc)"
            return
        fi
        if [ -z "$url" ]; then
            url="$(sed -n 's/.*Gateway: \(http[^[:space:]]*\).*/\1/p' "$log" | head -n 1)"
            url="${url%/}"
        fi
        if [ -n "$url" ] && healthz_ok "$url"; then
            break
        fi
        sleep 0.5
    done
    if [ -z "$url" ] || ! healthz_ok "$url"; then
        tail -n 40 "$log" >&2
        if [ -z "$url" ]; then
            problem "hub up printed no 'Gateway:' line within 120 s"
        else
            problem "$url/healthz did not report status ok within 120 s"
            curl -sS --noproxy '*' --max-time 3 "$url/healthz" >&2 || true
        fi
        stop_hub_hard
        return
    fi
    password="$(sed -n 's/.*Admin password (shown once): *\([^[:space:]]*\).*/\1/p' "$log" | head -n 1)"
    if [ -z "$password" ]; then
        problem "hub up printed no 'Admin password (shown once):' line on first start"
    fi
    echo "gateway $url is healthy after ${SECONDS}s of script time"

    export HUB_URL="$url" HUB_ADMIN_PASSWORD="$password" HUB_DATA_DIR="$data"
    export HUB_BROKER_ENDPOINT="$E2E_BROKER" HUB_BROKER_ENDPOINTS="$E2E_BROKER,$E2E_BROKER2" HUB_BIN HUB_CONFIG_DIR="$ROOT/config"
    export HUB_TEST_POLICE_URL="http://127.0.0.1:$POLICE_PORT" HUB_TEST_POLICE_KEY="$POLICE_KEY" HUB_TEST_HUB_PID="$HUB_PID"
    export HUB_TEST_PSYCHIATRY_URL="http://127.0.0.1:$PSYCHIATRY_PORT" HUB_TEST_PSYCHIATRY_KEY="$PSYCHIATRY_KEY"

    section "pytest"
    local dirs=() d
    for d in Tests/protocol Tests/browser Tests/reliability; do
        [ -d "$d" ] && dirs+=("$d")
    done
    if [ "${#dirs[@]}" -eq 0 ]; then
        problem "no Tests/protocol or Tests/browser"
    else
        python3 -m pytest -q -rfEs -p no:cacheprovider "${dirs[@]}" 2>&1 | tee "$LOG_DIR/pytest.log"
        local py_rc=${PIPESTATUS[0]} pp pf
        read -r pp pf < <(parse_pytest "$LOG_DIR/pytest.log")
        echo "pytest: $pp passed, $pf failed (exit $py_rc)"
        passed=$((passed + pp))
        failed=$((failed + pf))
        if [ "$py_rc" -ne 0 ] && [ "$py_rc" -ne 5 ] && [ "$pf" -eq 0 ]; then
            problem "pytest exited with $py_rc"
        fi
    fi

    section "hub stop (SIGTERM)"
    kill -TERM "$HUB_PID" 2>/dev/null || true
    deadline=$((SECONDS + 15))
    while kill -0 "$HUB_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
        sleep 0.2
    done
    if kill -0 "$HUB_PID" 2>/dev/null; then
        tail -n 20 "$log" >&2
        problem "hub did not exit within 15 s of SIGTERM"
        stop_hub_hard
        return
    fi
    wait "$HUB_PID"; local stop_rc=$?
    echo "hub exited with $stop_rc"
    # Every child must be gone too (give stragglers a moment).
    sleep 1
    local left
    left="$(pgrep -s "$HUB_PID" -d ' ' 2>/dev/null || true)"
    if [ -n "$left" ]; then
        pgrep -a -s "$HUB_PID" 2>/dev/null | sed 's/^/  left: /' >&2 || true
        problem "processes of the hub left running after it exited: $left"
    fi
    stop_hub_hard
}

if [ "$SKIP_E2E" != 1 ] && [ "$build_ok" = 1 ]; then
    run_e2e
fi

# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------
section "summary"
echo "logs: $LOG_DIR"
status=0
if [ "${#problems[@]}" -gt 0 ]; then
    for p in "${problems[@]}"; do echo "problem: $p"; done
    failed=$((failed + ${#problems[@]}))
    status=1
fi
if [ "$failed" -gt 0 ]; then status=1; fi
if [ $((passed + failed)) -eq 0 ]; then
    echo "no tests ran"
    status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
