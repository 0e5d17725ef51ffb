# The command line itself: help, version, unknown commands and options.
. "$COHORT_TOP/tests/cli/lib.sh"

run cohort --version
expect_rc 0 "--version exits 0"
expect_out '^cohort [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"

run cohort --help
expect_rc 0 "--help exits 0"
for c in run check rules keygen synth; do
    expect_out "^  $c " "--help lists $c"
done

run cohort
expect_rc 2 "no command exits 2"
expect_err '^usage: cohort' "no command prints the usage"

run cohort frobnicate
expect_rc 2 "unknown command exits 2"
expect_err "^cohort: error: unknown command 'frobnicate'$" "unknown command named in one line"

run cohort --frob
expect_rc 2 "unknown option exits 2"
expect_err "unknown option '--frob'" "unknown option named"

for c in run check rules keygen synth; do
    run cohort $c --help
    expect_rc 0 "$c --help exits 0"
    expect_out "^usage: cohort $c" "$c --help prints its usage"
    run cohort $c --no-such-option
    expect_rc 2 "$c with an unknown option exits 2"
    expect_err '^cohort: error: ' "$c unknown option is one error line"
done

run cohort run
expect_rc 2 "run without a job file exits 2"
run cohort run a.conf b.conf
expect_rc 2 "run with two job files exits 2"
run cohort run missing.conf
expect_rc 2 "run with a missing job file exits 2"
expect_err "^cohort: error: missing.conf: cannot read the job file" "missing job file named"

printf '[job]\nname = x\npathh = y\n' > "$scratch/bad.conf"
run cohort check bad.conf
expect_rc 2 "config error exits 2"
expect_err "^cohort: error: bad.conf:3: unknown key 'pathh' in \[job\]" "config error names file, line and key"
finish
