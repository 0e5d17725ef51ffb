# tests/cli/lib.sh - sourced by every CLI test. Each test file runs the real
# binary ($COHORT) in its own scratch directory and prints TAP.
#
#   . "$COHORT_TOP/tests/cli/lib.sh"
#   run cohort --version          # sets $rc, $out (stdout file), $err (stderr file)
#   expect_rc 0 "version exits 0"
#   expect_out 'cohort [0-9]' "version printed"
#   finish
set -u
: "${COHORT:?COHORT must name the binary}"
: "${COHORT_TOP:?}"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/cohort-cli.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
out=$scratch/.stdout; err=$scratch/.stderr
rc=0; n=0; nfail=0

run() {
    if [ "$1" = cohort ]; then shift; set -- "$COHORT" "$@"; fi
    rc=0; (cd "$scratch" && "$@") >"$out" 2>"$err" </dev/null || rc=$?
}
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); nfail=$((nfail + 1)); echo "not ok $n - $1"
    echo "# rc=$rc"; sed 's/^/# stdout: /' "$out" | head -n 20; sed 's/^/# stderr: /' "$err" | head -n 20
}
check() { if eval "$1"; then ok "$2"; else not_ok "$2"; fi; }
expect_rc() { if [ "$rc" -eq "$1" ]; then ok "$2"; else not_ok "$2 (want exit $1, got $rc)"; fi; }
expect_out() { if grep -Eq -- "$1" "$out"; then ok "$2"; else not_ok "$2 (stdout lacks /$1/)"; fi; }
expect_err() { if grep -Eq -- "$1" "$err"; then ok "$2"; else not_ok "$2 (stderr lacks /$1/)"; fi; }
expect_no_err() { if grep -Eq -- "$1" "$err"; then not_ok "$2 (stderr has /$1/)"; else ok "$2"; fi; }
finish() { echo "1..$n"; [ "$nfail" -eq 0 ]; }
