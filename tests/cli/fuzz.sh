# Fuzzing in make check: every libFuzzer target (CSV and XML connectors, job file,
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
    rm -rf "$scratch"
    cd "$COHORT_TOP" && exec sh scripts/run-fuzz "$secs"
fi
secs=${CHECK_FUZZ_SECONDS:-3}
bin=$COHORT_BUILD/fuzz-replay
jobs=$(nproc 2>/dev/null || echo 1)
# replay NAME: runs one target, its result in $scratch/NAME.{rc,out,err}
replay() {
    _name=$1
    set --
    for seed in "$COHORT_TOP/tests/fuzz/corpus/${_name#fuzz_}" "$COHORT_TOP/tests/data/fuzz/${_name#fuzz_}"; do
        [ -d "$seed" ] || continue
        for f in "$seed"/*; do [ -f "$f" ] && set -- "$@" "$f"; done
    done
    _rc=0
    "$bin/$_name" -t "$((secs * 1000))" -s 17 -o "$bin/$_name.crash" "$@" \
        >"$scratch/$_name.out" 2>"$scratch/$_name.err" || _rc=$?
    echo "$_rc" >"$scratch/$_name.rc"
}
# the targets run nproc at a time; results in the targets' order
names=; running=0
for t in "$COHORT_TOP"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    names="$names $name"
    [ -x "$bin/$name" ] || continue
    replay "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait; running=0; fi
done
wait
for name in $names; do
    short=${name#fuzz_}
    if [ ! -x "$bin/$name" ]; then
        not_ok "fuzz $short: $bin/$name is built (make unit-bins)"
    elif [ "$(cat "$scratch/$name.rc")" = 0 ]; then
        ok "fuzz $short (replay): $(cat "$scratch/$name.out")"
    else
        not_ok "fuzz $short (replay) crashed: the input is $bin/$name.crash, to add to tests/data/fuzz/$short/"
        grep -E 'ERROR|SUMMARY|runtime error' "$scratch/$name.err" | head -n 5 | sed 's/^/# /'
    fi
done
finish
