# Fault injection: an LD_PRELOAD shim (tests/cli/faultshim.c) fails the N-th
# rename, fsync, write, read, mkdir or symlink of a run, for every N the run
# reaches. After each: a documented exit code, no crash, no staging
# directory left, and `latest` is either the previous run or a complete
# new one -- never a mix. Without the long checks (make soak, CI) each
# sweep takes a sample: the N-th call for N = 1, 4, 16, 64 ... of each
# function, and a quarter of the allocation sites (below).
. "$COHORT_TOP/tests/cli/lib.sh"

shim=$scratch/faultshim.so
if cc -shared -fPIC -O1 -o "$shim" "$COHORT_TOP/tests/cli/faultshim.c" -ldl 2>"$scratch/cc.err"; then
    ok "the fault-injection shim builds"
else
    sed 's/^/# /' "$scratch/cc.err"; not_ok "the fault-injection shim builds"; finish; exit 1
fi
check 'demo_fixture 1500 2' "the demo key and extracts of 1 500 people"
run cohort run config/demo.conf
expect_rc 0 "a first run publishes"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
bad=0; cases=0
for call in rename fsync write read mkdir symlink; do
    k=1
    while [ $k -le 200 ]; do
        before=$(readlink "$scratch/demo/out/latest")
        rc=0
        (cd "$scratch" && COHORT_FAIL="$call:$k" LD_PRELOAD="$shim" "$COHORT" run -q config/demo.conf) \
            >"$out" 2>"$err" || rc=$?
        suite_log "$out" "$err"
        cases=$((cases + 1))
        after=$(readlink "$scratch/demo/out/latest")
        if ls "$scratch"/demo/out/runs/.tmp-* >/dev/null 2>&1; then
            echo "# $call:$k left a staging directory"; bad=1
        fi
        case $rc in
        0)  [ -f "$scratch/demo/out/latest/manifest.json" ] || { echo "# $call:$k: rc 0 but no complete publication"; bad=1; }
            ;;
        2|3)
            # 2: the job or key file could not be read; 3: any other I/O
            [ "$after" = "$before" ] || { echo "# $call:$k: rc $rc but latest moved"; bad=1; }
            grep -q '^cohort: error: ' "$err" || { echo "# $call:$k: rc $rc without an error line"; bad=1; }
            ;;
        *)  echo "# $call:$k: exit $rc"; sed 's/^/#   /' "$err" | head -n 5; bad=1 ;;
        esac
        # past the last call of this kind: the run went through untouched
        # (a run that went through logs its summary line only)
        [ $rc -eq 0 ] && ! grep -v "^cohort: summary: exit 0: " "$err" | grep -q . && break
        if soak; then k=$((k + 1)); else k=$((k * 4)); fi
    done
done
check '[ "$cases" -gt 10 ]' "the sweep reached every injection point ($cases runs)"
check '[ "$bad" -eq 0 ]' "every injected failure: exit 0, 2 or 3, no staging left, latest old or complete"

# Out of memory: the N-th malloc/calloc/realloc after main starts returns
# NULL. A small job (40 people, 3 periods) still makes ~2 100 allocation
# calls, and one run under ASan takes 0.2-0.4 s, so failing every one of
# them (10+ minutes) is too slow for CI. The sample is deterministic: a
# counting run (--threads 1, so calls come in the same order every time)
# lists the first call from each distinct call site -- the allocating
# function and its caller, so fopen from two places counts twice -- which
# reaches every allocation site the run has; of GLPK's ~70 internal sites
# every 4th, since they all end in the same error hook; and every 100th
# call, for growth of buffers already reached. The GLPK sites are run once
# more with --threads 2 (which call fails then depends on scheduling, what
# must hold does not): the hook is per-thread state. So is every 25th call
# with --threads 2: sources are then read on threads too, and out of memory
# in a reader must end the run as cleanly as on the main thread.
sed -e 's/^periods *=.*/periods = 3/' -e 's|demo/|small/|g' \
    "$COHORT_TOP/config/demo.conf" >"$scratch/small.conf"
check 'fixture 40 3 "$scratch/small"' "the key and extracts of 40 people"
run cohort run -q --threads 1 small.conf
expect_rc 0 "the small job publishes"
# a publication with its run id and times blanked; the manifest's line for
# report.html goes too, its size and hash follow the times
publication() {
    for f in $(cd "$1" && ls); do
        echo "== $f"
        sed -E -e 's/[0-9]{8}T[0-9]{6}\.[0-9]{3}Z/RUN/g' \
            -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' \
            -e '/"name": "report.html"/d' "$1/$f"
    done
}
publication "$scratch/small/out/latest" >"$scratch/pub.ref"
snapshot() { (cd "$1" && for f in *; do echo "== $f"; cat "$f"; done) | cksum; }
rc=0
(cd "$scratch" && COHORT_FAIL_COUNT="$scratch/alloc.count" COHORT_FAIL_SITES="$scratch/alloc.sites" \
    ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" LD_PRELOAD="$shim" "$COHORT" run -q --threads 1 small.conf) \
    >"$out" 2>"$err" || rc=$?
    suite_log "$out" "$err"
total=$(sed -n 's/^malloc \([0-9]*\) .*/\1/p' "$scratch/alloc.count" 2>/dev/null)
check '[ "$rc" -eq 0 ] && [ "${total:-0}" -gt 500 ] && [ "$(wc -l <"$scratch/alloc.sites")" -gt 50 ]' \
    "a counting run lists the allocation calls (${total:-no} calls, $(wc -l <"$scratch/alloc.sites" 2>/dev/null) sites)"
# Without the long checks: every fourth of our own sites, one GLPK site on
# each thread count, and eight calls spread over the run on one thread and
# eight on two.
if soak; then
    own=1 glpk=4 every1=100 every2=25
else
    own=4 glpk=40 every1=$(( ${total:-0} / 8 + 1 )) every2=$(( ${total:-0} / 8 + 1 ))
fi
{
    grep -v ' libglpk' "$scratch/alloc.sites" | awk -v m="$own" 'NR % m == 1 % m { print $1 " 1" }'
    grep ' libglpk' "$scratch/alloc.sites" | awk -v m="$glpk" 'NR % m == 1 { print $1 " 1" } NR % m == 3 { print $1 " 2" }'
    k=$every1; while [ "$k" -le "${total:-0}" ]; do echo "$k 1"; k=$((k + every1)); done
    k=13; while [ "$k" -le "${total:-0}" ]; do echo "$k 2"; k=$((k + every2)); done
} | sort -n -u >"$scratch/alloc.plan"
bad=0; cases=0; failed_cases=0
while read -r k threads; do
    before=$(readlink "$scratch/small/out/latest")
    snap=$(snapshot "$scratch/small/out/latest")
    rc=0
    (cd "$scratch" && COHORT_FAIL="malloc:$k" LD_PRELOAD="$shim" "$COHORT" run -q --threads "$threads" small.conf) \
        >"$out" 2>"$err" </dev/null || rc=$?
    suite_log "$out" "$err"
    cases=$((cases + 1))
    what="malloc:$k (--threads $threads)"
    if grep -Eq 'Sanitizer|runtime error' "$err"; then
        echo "# $what: sanitizer report"; grep -E 'ERROR|SUMMARY|runtime error' "$err" | head -n 3 | sed 's/^/#   /'; bad=1
    fi
    if [ -n "$(find "$scratch/small/out" -name '.tmp-*' -o -name '*.tmp' | head -n 1)" ]; then
        echo "# $what: a temporary file was left"; bad=1
        find "$scratch/small/out" \( -name '.tmp-*' -o -name '*.tmp' \) -exec rm -rf {} +
    fi
    case $rc in
    0)  # the C library copes with some failures (stdio buffers): then
        # the run must publish exactly what it publishes without one
        publication "$scratch/small/out/latest" | cmp -s - "$scratch/pub.ref" ||
            { echo "# $what: exit 0 but the publication differs"; bad=1; }
        ;;
    2|3|70)
        failed_cases=$((failed_cases + 1))
        after=$(readlink "$scratch/small/out/latest")
        [ "$after" = "$before" ] || { echo "# $what: exit $rc but latest moved"; bad=1; }
        [ "$(snapshot "$scratch/small/out/latest")" = "$snap" ] ||
            { echo "# $what: exit $rc and the previous publication changed"; bad=1; }
        # out of memory must be named as such, never as a broken extract
        # or job file
        grep -Eq '^cohort: error: .*(out of memory|Cannot allocate memory)' "$err" ||
            { echo "# $what: exit $rc without an out-of-memory error"; sed 's/^/#   /' "$err" | head -n 3; bad=1; }
        ;;
    *)  echo "# $what: exit $rc"; sed 's/^/#   /' "$err" | head -n 5; bad=1 ;;
    esac
done <"$scratch/alloc.plan"
if soak; then want_failed=100; else want_failed=30; fi
check '[ "$failed_cases" -gt "$want_failed" ]' "the allocation sweep made runs fail ($failed_cases of $cases)"
check '[ "$bad" -eq 0 ]' "every failed allocation: exit 0 with the same tables, or 2, 3 or 70 naming out of memory; no sanitizer report, no temp file, the previous publication intact"
finish
