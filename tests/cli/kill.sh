# kill -9 at random moments of a run, 40 times: afterwards `latest` is
# exactly the old run or exactly a new complete one, and the next run
# publishes normally (a killed run leaves no lock and no blocking state).
. "$COHORT_TOP/tests/cli/lib.sh"

ln -s "$COHORT_TOP/config" "$scratch/config"
mkdir "$scratch/demo"
run cohort keygen demo/demo.key
run cohort synth demo/extracts --people 4000 --seed 8
run cohort run config/demo.conf
expect_rc 0 "a first run publishes"
complete() { # complete DIR: every file a publication has
    for f in manifest.json report.html quality.csv linkage.csv \
             children_in_ta_known_to_csc.csv adults_long_term_support.csv \
             children_with_ehcp.csv; do
        [ -s "$1/$f" ] || return 1
    done
}
bad=0; i=0
while [ $i -lt 40 ]; do
    (cd "$scratch" && exec "$COHORT" run -q config/demo.conf >/dev/null 2>&1) &
    pid=$!
    # 0 to ~0.4 s: the whole run takes about that long here
    sleep "0.$(( (i * 7919) % 40 ))" 2>/dev/null || sleep 0
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    cur=$(readlink "$scratch/demo/out/latest")
    complete "$scratch/demo/out/$cur" || { echo "# kill $i: latest ($cur) is incomplete"; bad=1; }
    i=$((i + 1))
done
check '[ "$bad" -eq 0 ]' "after 40 kill -9s latest is always a complete run"
run cohort run config/demo.conf
expect_rc 0 "the next run after the kills publishes"
check 'complete "$scratch/demo/out/latest"' "and its publication is complete"
check '! ls -d "$scratch"/demo/out/runs/.tmp-* >/dev/null 2>&1' "staging left by killed runs is cleaned up"
finish
