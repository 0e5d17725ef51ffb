# Fault injection: an LD_PRELOAD shim (tests/cli/faultshim.c) fails the N-th
# rename, fsync, write, read, mkdir or symlink of a run, for every N the run
# reaches. After each: a documented exit code, no crash, no staging
# directory left, and `latest` is either the previous run or a complete
# new one -- never a mix.
. "$COHORT_TOP/tests/cli/lib.sh"

shim=$scratch/faultshim.so
if cc -shared -fPIC -O1 -o "$shim" "$COHORT_TOP/tests/cli/faultshim.c" -ldl 2>"$scratch/cc.err"; then
    ok "the fault-injection shim builds"
else
    sed 's/^/# /' "$scratch/cc.err"; not_ok "the fault-injection shim builds"; finish; exit 1
fi
ln -s "$COHORT_TOP/config" "$scratch/config"
mkdir "$scratch/demo"
run cohort keygen demo/demo.key
run cohort synth demo/extracts --people 1500 --seed 2
run cohort run config/demo.conf
expect_rc 0 "a first run publishes"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
bad=0; cases=0
for call in rename fsync write read mkdir symlink; do
    n=1
    while [ $n -le 200 ]; do
        before=$(readlink "$scratch/demo/out/latest")
        rc=0
        (cd "$scratch" && COHORT_FAIL="$call:$n" LD_PRELOAD="$shim" "$COHORT" run -q config/demo.conf) \
            >"$out" 2>"$err" || rc=$?
        cases=$((cases + 1))
        after=$(readlink "$scratch/demo/out/latest")
        if ls "$scratch"/demo/out/runs/.tmp-* >/dev/null 2>&1; then
            echo "# $call:$n left a staging directory"; bad=1
        fi
        case $rc in
        0)  [ -f "$scratch/demo/out/latest/manifest.json" ] || { echo "# $call:$n: rc 0 but no complete publication"; bad=1; }
            ;;
        2|3)
            # 2: the job or key file could not be read; 3: any other I/O
            [ "$after" = "$before" ] || { echo "# $call:$n: rc $rc but latest moved"; bad=1; }
            grep -q '^cohort: error: ' "$err" || { echo "# $call:$n: rc $rc without an error line"; bad=1; }
            ;;
        *)  echo "# $call:$n: exit $rc"; sed 's/^/#   /' "$err" | head -n 5; bad=1 ;;
        esac
        # past the last call of this kind: the run went through untouched
        [ $rc -eq 0 ] && ! grep -q . "$err" && break
        n=$((n + 1))
    done
done
check '[ "$cases" -gt 10 ]' "the sweep reached every injection point ($cases runs)"
check '[ "$bad" -eq 0 ]' "every injected failure: exit 0, 2 or 3, no staging left, latest old or complete"
finish
