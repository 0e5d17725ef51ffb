# Fuzzing in make check: every libFuzzer target (CSV connector, job file,
# where parser, normalisers and validators).
#  - With the long checks (make soak, CI): under libFuzzer, ASan and UBSan
#    (a clang build of its own, scripts/run-fuzz) for CHECK_FUZZ_SECONDS
#    each, 60 by default. `make fuzz` runs them longer.
#  - Without: each target as this build made it (ASan and UBSan in make
#    check) with tests/fuzz/replay.c instead of libFuzzer, on its corpus
#    and crash regressions, then CHECK_FUZZ_SECONDS (default 3) of
#    mutations of them from a fixed seed: the same inputs on every run.
. "$COHORT_TOP/tests/cli/lib.sh"

if soak; then
    secs=${CHECK_FUZZ_SECONDS:-60}
    cd "$COHORT_TOP" && exec sh scripts/run-fuzz "$secs"
fi
secs=${CHECK_FUZZ_SECONDS:-3}
bin=$COHORT_BUILD/fuzz-replay
for t in "$COHORT_TOP"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c); short=${name#fuzz_}
    if [ ! -x "$bin/$name" ]; then
        not_ok "fuzz $short: $bin/$name is built (make unit-bins)"
        continue
    fi
    set --
    for seed in "$COHORT_TOP/tests/fuzz/corpus/$short" "$COHORT_TOP/tests/data/fuzz/$short"; do
        [ -d "$seed" ] || continue
        for f in "$seed"/*; do [ -f "$f" ] && set -- "$@" "$f"; done
    done
    crash=$bin/$name.crash
    rc=0
    "$bin/$name" -t "$((secs * 1000))" -s 17 -o "$crash" "$@" >"$out" 2>"$err" || rc=$?
    if [ "$rc" -eq 0 ]; then
        ok "fuzz $short (replay): $(cat "$out")"
    else
        not_ok "fuzz $short (replay) crashed: the input is $crash, to add to tests/data/fuzz/$short/"
        grep -E 'ERROR|SUMMARY|runtime error' "$err" | head -n 5 | sed 's/^/# /'
    fi
done
finish
