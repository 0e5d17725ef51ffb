# `cohort rules`: the IG reviewer's view of the job, and the proof that a
# run applied exactly the rules reviewed (the plan hash in its manifest).
. "$COHORT_TOP/tests/cli/lib.sh"

ln -s "$COHORT_TOP/config" "$scratch/config"
mkdir "$scratch/demo"
run cohort rules config/demo.conf
expect_rc 0 "rules exits 0"
expect_out '^plan hash: [0-9a-f]{64}$' "rules prints the plan hash"
expect_out 'nhs_number <- column NHS_NO: identifier' "every mapped field's fate is listed"
expect_out 'wiped' "identifiers are said to be wiped"
expect_out 'aged under 18' "cohort definitions are in plain English"
hash=$(sed -n 's/^plan hash: //p' "$out")
run cohort rules config/demo.conf --format json
expect_rc 0 "rules --format json exits 0"
check 'python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out" 2>/dev/null || ! command -v python3 >/dev/null' "the JSON parses"
expect_out "$hash" "the JSON carries the same plan hash"
run cohort rules config/demo.conf --format html
expect_rc 0 "rules --format html exits 0"
expect_out '<html' "HTML is a page"
run cohort rules config/demo.conf --format pdf
expect_rc 2 "an unknown format exits 2"

run cohort keygen demo/demo.key
run cohort synth demo/extracts --people 2000
run cohort run config/demo.conf
expect_rc 0 "the demo job runs"
check 'grep -q "\"plan_hash\": \"$hash\"" "$scratch/demo/out/latest/manifest.json"' \
    "the manifest's plan hash is the one the reviewer saw"
sed 's/^min_count = 10/min_count = 5/' config/demo.conf > "$scratch/changed.conf"
run cohort rules changed.conf
check '! grep -q "$hash" "$out"' "changing a threshold changes the plan hash"

# a service flag as a by column: named in the rules, published as yes/no
sed 's/^by    = age_band, sex$/by    = sex, housing.temporary_accommodation/' \
    config/demo.conf > "$scratch/flag.conf"
run cohort rules flag.conf
expect_rc 0 "rules accepts a service flag in by"
expect_out 'housing.temporary_accommodation \(yes when the person had a spell' \
    "the rules explain the service flag"
expect_out 'period, sex, housing_temporary_accommodation, count \(\[c\] when hidden, \[z\] when impossible\), margin' \
    "the flag's published column name is listed"
run cohort run flag.conf
expect_rc 0 "a job with a service flag in by runs"
check 'head -1 "$scratch/demo/out/latest/adults_long_term_support.csv" | grep -qx "period,sex,housing_temporary_accommodation,count,margin"' \
    "the flag is a column of the published table"
check 'cut -d, -f3 "$scratch/demo/out/latest/adults_long_term_support.csv" | sed 1d | tr -d "\"" | sort -u | tr "\n" " " | grep -qx "Total no yes "' \
    "the flag's values are yes, no and Total"
finish
