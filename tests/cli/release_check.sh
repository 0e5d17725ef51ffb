# The release check (anonymise/disclosure_check.h) on the nightly tables,
# as `cohort protect` applies it to an analyst's table: a cohort table
# that cannot be protected fails the run (exit 1, naming the cohort and
# the rule) and nothing is published; the same job with the usual rules
# publishes.
. "$COHORT_TOP/tests/cli/lib.sh"

ln -s "$COHORT_TOP/config" "$scratch/config"
check 'fixture 40 3 "$scratch/small"' "the key and extracts of 40 people"
sed -e 's/^periods *=.*/periods = 3/' -e 's|demo/|small/|g' \
    "$COHORT_TOP/config/demo.conf" >"$scratch/small.conf"
# every count, zeros too, in the suppression range: even the grand total
# would be hidden, so there is nothing to publish
sed -e 's/^\[disclosure\]$/[disclosure]\nsuppress = 1-1000\nprotect_zeros = yes/' \
    "$scratch/small.conf" >"$scratch/hidden.conf"
run cohort run -q --threads 1 hidden.conf
expect_rc 1 "a cohort table with every cell suppressed: exit 1"
expect_err '^cohort: error: \[cohort [a-z_]*\] the table cannot be protected: every cell, the grand total included, would be suppressed \[all_suppressed\]' \
    "the error names the cohort and the rule"
expect_err 'nothing published; the previous publication stays' "it says nothing was published"
check '[ ! -e "$scratch/small/out/latest" ]' "no publication"
run cohort run -q --threads 1 small.conf
expect_rc 0 "the same job with its own rules publishes"
check '[ -f "$scratch/small/out/latest/manifest.json" ]' "a whole publication"
finish
