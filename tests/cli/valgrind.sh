# valgrind on a whole run (a build without sanitizers, made for this test):
# no invalid read or write, no use of uninitialised memory, no definite leak.
# One of the long checks: it runs in make soak and CI only (make check's
# ASan and UBSan build covers the same ground faster).
. "$COHORT_TOP/tests/cli/lib.sh"

if ! soak; then
    ok "valgrind on a whole run # SKIP runs in make soak and CI"
    finish; exit 0
fi
if ! command -v valgrind >/dev/null 2>&1; then
    not_ok "valgrind is installed (scripts/bootstrap test)"; finish; exit 1
fi
vg=$COHORT_BUILD/../valgrind
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$COHORT_TOP" BUILD="$vg" CFLAGS="-O1 -g" LDFLAGS= EXTRA_CFLAGS= WERROR= all >"$scratch/build.log" 2>&1; then
    ok "a plain build for valgrind"
else
    sed 's/^/# /' "$scratch/build.log" | tail -n 20; not_ok "a plain build for valgrind"; finish; exit 1
fi
check 'demo_fixture 1500 2' "the demo key and extracts of 1 500 people"
for args in "check config/demo.conf" "run --threads 2 config/demo.conf" "rules config/demo.conf --format html"; do
    rc=0
    # shellcheck disable=SC2086
    (cd "$scratch" && valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        "$vg/cohort" $args) >"$out" 2>"$err" || rc=$?
    suite_log "$out" "$err"
    check '[ "$rc" -ne 99 ]' "valgrind finds no error in: cohort $args"
    expect_rc 0 "cohort $args exits 0 under valgrind"
done
finish
