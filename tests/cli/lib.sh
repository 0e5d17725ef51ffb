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
    _cohort=0
    if [ "$1" = cohort ]; then shift; set -- "$COHORT" "$@"; _cohort=1; fi
    rc=0; (cd "$scratch" && "$@") >"$out" 2>"$err" </dev/null || rc=$?
    if [ "$_cohort" -eq 1 ]; then
        suite_log "$out" "$err"
        [ "${2:-}" = synth ] && [ "$rc" -eq 0 ] && suite_identifiers "$scratch/${3:-}"
    fi
    return 0
}

# The suite-wide privacy scan (scripts/run-tests, tests/suite_privacy.sh):
# when COHORT_SUITE_DIR is set, every message the binary prints is kept in
# it, and every synth run adds its truth file's identifiers, so one scan at
# the end searches every log of the whole suite for every synth identifier
# (and the outputs kept by suite_outputs for those and for the values
# registered by suite_planted, below). Each script writes files of its own
# (NAME.PID.EXT: scripts may run at the same time) that the scan joins.
# A test that runs the binary outside run() passes its captured stdout and
# stderr to suite_log itself.
suite_log() {
    [ -n "${COHORT_SUITE_DIR:-}" ] || return 0
    for _f in "$@"; do
        [ -f "$_f" ] && cat "$_f" >> "$COHORT_SUITE_DIR/messages.$$.log"
    done
    return 0
}
suite_identifiers() {
    [ -n "${COHORT_SUITE_DIR:-}" ] || return 0
    [ -f "$1/truth_SYNTHETIC_IDENTIFIERS.csv" ] || return 0
    tail -n +2 "$1/truth_SYNTHETIC_IDENTIFIERS.csv" >> "$COHORT_SUITE_DIR/truth.$$.csv"
    # the multiple-needs extracts' truth (app/synth_needs.h), same columns
    [ -f "$1/needs_truth_SYNTHETIC_IDENTIFIERS.csv" ] || return 0
    tail -n +2 "$1/needs_truth_SYNTHETIC_IDENTIFIERS.csv" >> "$COHORT_SUITE_DIR/truth.$$.csv"
}
# A test that plants values of its own in an extract's non-identifier
# columns (an NHS number spaced, a name, free text ...) lists them, one a
# line, in a file it hands to suite_planted; and it hands the directory of
# the run that read them to suite_outputs, which keeps a copy of every
# file: the final scan searches every message and every kept output file
# for every planted value, as well as for every synth identifier.
suite_planted() {
    [ -n "${COHORT_SUITE_DIR:-}" ] || return 0
    [ -f "$1" ] && cat "$1" >> "$COHORT_SUITE_DIR/planted.$$.txt"
    return 0
}
suite_outputs() {
    [ -n "${COHORT_SUITE_DIR:-}" ] || return 0
    _keep=$(mktemp -d "$COHORT_SUITE_DIR/outputs.XXXXXX") &&
        cp -RL "$1"/. "$_keep"/
    return 0
}
# The long checks (make soak, and make check when CI=true): fuzzing 60 s a
# target, 50 kills, valgrind, ThreadSanitizer, the full fault sweeps. A
# script runs its short version otherwise:
#   if soak; then kills=50; else kills=6; fi
soak() { [ "${COHORT_SOAK:-}" = 1 ] || [ "${CI:-}" = true ]; }

# fixture PEOPLE SEED [DIR]: the extracts `cohort synth --people PEOPLE
# --seed SEED` writes and a key, copied into DIR (default $scratch/demo) as
# DIR/extracts/ and DIR/demo.key -- where config/demo.conf looks for them.
# Each (PEOPLE, SEED) is made once per suite (and per build of $COHORT)
# under $COHORT_BUILD/fixtures and copied from there, so a test may change
# its copy; a script run alone makes what it needs. Its truth file is
# registered for the suite-wide privacy scan once per suite. Returns
# non-zero (and prints why as TAP comments) when keygen or synth failed.
fixture() {
    _people=$1 _seed=$2 _dest=${3:-$scratch/demo}
    _root=${COHORT_BUILD:-$scratch}/fixtures/$(cksum < "$COHORT" | cut -d' ' -f1)
    _fx=$_root/synth-$_people-$_seed
    if [ ! -d "$_fx" ]; then
        mkdir -p "$_root" || return 1
        _tmp=$(mktemp -d "$_root/.tmp-synth-$_people-$_seed.XXXXXX") || return 1
        if "$COHORT" keygen "$_tmp/demo.key" >"$_tmp/.out" 2>"$_tmp/.err" &&
            "$COHORT" synth "$_tmp/extracts" --people "$_people" --seed "$_seed" \
                >>"$_tmp/.out" 2>>"$_tmp/.err"; then
            suite_log "$_tmp/.out" "$_tmp/.err"
            # published by one atomic symlink: of two scripts making the
            # same fixture at once, the first one's stays
            ln -s "$(basename "$_tmp")" "$_fx" 2>/dev/null || rm -rf "$_tmp"
        else
            suite_log "$_tmp/.out" "$_tmp/.err"
            sed 's/^/# fixture: /' "$_tmp/.err" | head -n 5
            rm -rf "$_tmp"
            return 1
        fi
    fi
    mkdir -p "$_dest" && rm -rf "$_dest/extracts" &&
        cp -R "$_fx/extracts" "$_dest/extracts" &&
        cp "$_fx/demo.key" "$_dest/demo.key" && chmod 600 "$_dest/demo.key" || return 1
    if [ -n "${COHORT_SUITE_DIR:-}" ] &&
        mkdir "$COHORT_SUITE_DIR/fixture.$(basename "$_root").$_people.$_seed" 2>/dev/null; then
        suite_identifiers "$_dest/extracts"
    fi
    return 0
}
# demo_fixture PEOPLE SEED: the demo job's layout in $scratch -- config/
# linked to the repository's, demo/demo.key and demo/extracts/ from
# fixture -- so `cohort run config/demo.conf` runs in $scratch.
demo_fixture() {
    [ -e "$scratch/config" ] || ln -s "$COHORT_TOP/config" "$scratch/config"
    fixture "$1" "$2" "$scratch/demo"
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
