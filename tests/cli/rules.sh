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
finish
