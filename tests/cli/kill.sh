# kill -9 at 50 moments (6 without the long checks: make soak, CI) spread
# over a whole run (reading, linking, protecting, writing, renaming):
# afterwards `latest` is exactly the old
# publication or exactly a new complete one -- the same inputs give
# byte-identical tables, so every table of `latest` must equal the first
# run's, and its manifest must be whole -- and the next run publishes
# normally (a killed run leaves no lock and no blocking state).
. "$COHORT_TOP/tests/cli/lib.sh"

check 'demo_fixture 1500 2' "the demo key and extracts of 1 500 people"
ms() { date +%s%3N; }
t0=$(ms)
run cohort run config/demo.conf
dur=$(( $(ms) - t0 ))
expect_rc 0 "a first run publishes"
ref=$scratch/ref
cp -R "$scratch/demo/out/latest/" "$ref"
files="quality.csv quarantine.csv linkage.csv children_in_ta_known_to_csc.csv
       adults_long_term_support.csv children_with_ehcp.csv"
same_as_ref() { # same_as_ref DIR: the tables of the first run, and a whole manifest
    for f in $files; do
        cmp -s "$1/$f" "$ref/$f" || { echo "# $f differs from the first run's"; return 1; }
    done
    # the report and manifest name their run: whole, not equal
    grep -q '</html>' "$1/report.html" &&
        grep -q '"run_id"' "$1/manifest.json" && tail -c 3 "$1/manifest.json" | grep -q '}'
}
check 'for f in $files; do [ -s "$ref/$f" ] || exit 1; done' "the first publication has every file"
bad=0; i=0
if soak; then kills=50; else kills=6; fi
while [ $i -lt $kills ]; do
    (cd "$scratch" && exec "$COHORT" run -q config/demo.conf >/dev/null 2>&1) &
    pid=$!
    # moment i of n, spread evenly over the run's duration and a little past it
    wait_ms=$(( (dur * 11 / 10) * ((i * 37) % kills) / kills ))
    sleep "$((wait_ms / 1000)).$(printf %03d $((wait_ms % 1000)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    cur=$(readlink "$scratch/demo/out/latest")
    same_as_ref "$scratch/demo/out/$cur" || { echo "# kill $i at ${wait_ms} ms: latest ($cur) is neither the old nor a whole new publication"; bad=1; }
    i=$((i + 1))
done
check '[ "$bad" -eq 0 ]' "after $kills kill -9s over a ${dur} ms run latest is always exactly a whole publication"
run cohort run config/demo.conf
expect_rc 0 "the next run after the kills publishes"
check 'same_as_ref "$scratch/demo/out/latest"' "and its publication is whole and the same tables"
check '! ls -d "$scratch"/demo/out/runs/.tmp-* >/dev/null 2>&1' "staging left by killed runs is cleaned up"
finish
