#!/usr/bin/env bash
# Fuzzes every decoder of outside input with libFuzzer (Tests/Fuzz/README.md).
#
#   scripts/fuzz.sh                      each target 30 s
#   scripts/fuzz.sh --seconds 10         each target 10 s (CI)
#   scripts/fuzz.sh --runs 1000000       each target 1M inputs (the long run in docs/fuzzing.md)
#   scripts/fuzz.sh --replay             no fuzzing: replay the seeds and past crashes with
#                                        the normal debug build (.build/debug/HubFuzz)
#   scripts/fuzz.sh ... json csv         only these targets
#
# Builds `HubFuzz` (debug: assertions and overflow checks on) with -sanitize=fuzzer into .build-fuzz/ (its own scratch
# path: every module is instrumented). Seeds: Tests/Fuzz/corpus/<target>/ (read only);
# the growing corpus is kept in .build-fuzz/corpus/<target>/; a crash is written to
# .build-fuzz/crashes/<target>/ and fails the run — copy it to Tests/Fuzz/crashes/<target>/
# with the fix, so every later test run replays it.
# Ends with one line per target ("fuzz <target>: N runs, 0 crashes") and exits non-zero
# when a target crashed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2

ALL=(json envelope frames csv xml fhir minutes personnummer form)
seconds=30
runs=""
replay=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --replay) replay=1; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ "${#targets[@]}" -eq 0 ] && targets=("${ALL[@]}")

# Extra seeds outside the repository (read only): real minutes from ../shared/samples.
extra_seeds() {
    case "$1" in
        minutes) [ -d "$ROOT/../shared/samples/minutes" ] && echo "$ROOT/../shared/samples/minutes" ;;
    esac
}

failed=0
if [ "$replay" = 1 ]; then
    bin="$ROOT/.build/debug/HubFuzz"
    [ -x "$bin" ] || swift build --product HubFuzz >/dev/null || exit 2
    for t in "${targets[@]}"; do
        dirs=("Tests/Fuzz/corpus/$t")
        [ -d "Tests/Fuzz/crashes/$t" ] && dirs+=("Tests/Fuzz/crashes/$t")
        extra="$(extra_seeds "$t")"; [ -n "$extra" ] && dirs+=("$extra")
        if out="$(HUB_FUZZ_TARGET="$t" HUB_FUZZ_CONFIG="$ROOT/config" "$bin" "${dirs[@]}" 2>&1)"; then
            echo "replay $t: ${out##*replayed }"
        else
            echo "replay $t: CRASHED"; echo "$out" | tail -n 5; failed=1
        fi
    done
    exit "$failed"
fi

echo "fuzz: building HubFuzz with libFuzzer (.build-fuzz)"
mkdir -p .build-fuzz
if ! swift build --scratch-path .build-fuzz --product HubFuzz \
        -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING > .build-fuzz/build.log 2>&1; then
    tail -n 30 .build-fuzz/build.log
    echo "fuzz: build failed"
    exit 2
fi
bin="$ROOT/.build-fuzz/debug/HubFuzz"

summary=()
for t in "${targets[@]}"; do
    work=".build-fuzz/corpus/$t"; crashes=".build-fuzz/crashes/$t"
    mkdir -p "$work" "$crashes"
    seeds=("Tests/Fuzz/corpus/$t")
    [ -d "Tests/Fuzz/crashes/$t" ] && seeds+=("Tests/Fuzz/crashes/$t")
    extra="$(extra_seeds "$t")"; [ -n "$extra" ] && seeds+=("$extra")
    # Minutes are read with Swift Regex per line (slow in a debug build): shorter documents
    # keep the run to a few hundred inputs a second instead of tens.
    max_len=65536
    [ "$t" = minutes ] && max_len="${HUB_FUZZ_MINUTES_MAX_LEN:-3000}"
    limit=(-max_total_time="$seconds")
    [ -n "$runs" ] && limit=(-runs="$runs")
    log=".build-fuzz/$t.log"
    start=$SECONDS
    # SWIFT_BACKTRACE off: libFuzzer, not the Swift runtime, must catch a trap and save its input.
    SWIFT_BACKTRACE=enable=no HUB_FUZZ_TARGET="$t" HUB_FUZZ_CONFIG="$ROOT/config" "$bin" "${limit[@]}" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$work" "${seeds[@]}" > "$log" 2>&1
    rc=$?
    n="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    found="$(find "$crashes" -type f | wc -l)"
    line="fuzz $t: ${n:-0} runs in $((SECONDS - start)) s, $found crashes (exit $rc)"
    echo "$line"; summary+=("$line")
    if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
        failed=1
        grep -m 5 -E "ERROR|Fatal|invariant|==[0-9]+==" "$log" || tail -n 5 "$log"
    fi
done
printf '%s\n' "${summary[@]}" > .build-fuzz/summary.txt
exit "$failed"
