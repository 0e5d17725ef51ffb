# compare_fields: the comparison-only fields (address lines, e-mail, phone,
# town; README "[source NAME]"). A field mapped to a column the source's
# header lacks is a configuration error naming the job file, the line of
# the field.X setting and the rule (exit 2, nothing published, no value in
# the message) -- for `cohort run` and `cohort check` alike. A mapped one
# is compared (its m and u in `cohort linkage` under its own name), named
# with its fate by `cohort rules`, and never written.
. "$COHORT_TOP/tests/cli/lib.sh"

check 'demo_fixture 600 3' "the demo key and extracts of 600 people"
# housing's extract has an ADDRESS column; no extract has EMAIL
awk '/^\[source housing\]/ { h = 1 } /^\[source / && !/^\[source housing\]/ { h = 0 }
     { print } h && /^field.postcode/ { print "field.address   = ADDRESS" }' \
    "$COHORT_TOP/config/demo.conf" > "$scratch/address.conf"
awk '/^\[source housing\]/ { h = 1 } /^\[source / && !/^\[source housing\]/ { h = 0 }
     { print } h && /^field.postcode/ { print "field.email     = EMAIL" }' \
    "$COHORT_TOP/config/demo.conf" > "$scratch/email.conf"
line=$(grep -n '^field.email' "$scratch/email.conf" | cut -d: -f1)

run cohort run email.conf --accept-drift
expect_rc 2 "a compared column the source lacks: exit 2"
expect_err "^cohort: error: email\.conf:$line: \[source housing\] compares field\.email on column 'EMAIL', which the source's header lacks \[compared_column\]" \
    "the error names the job file, the field.email line and the rule"
check '[ ! -e "$scratch/demo/out/latest" ]' "nothing published"
run cohort check email.conf
expect_rc 2 "cohort check: exit 2 too"
expect_err "email\.conf:$line: .*\[compared_column\]" "cohort check names the same line"

run cohort rules address.conf
expect_rc 0 "cohort rules with an address field"
expect_out '^  address <- column ADDRESS: comparison-only identifier: normalised \(folded as names are, street words in their short form\), then, with the probabilistic stage on, a keyed SipHash' \
    "cohort rules names the address and its fate"
expect_out 'never in a match key, never written, wiped with the row' "its fate: never written"

# postcode_country: uk (the default) or any, anything else a config error
awk '{ print } /^\[source pupils\]/ { print "postcode_country = any" }' \
    "$scratch/address.conf" > "$scratch/any.conf"
awk '{ print } /^\[source pupils\]/ { print "postcode_country = mars" }' \
    "$scratch/address.conf" > "$scratch/mars.conf"
pline=$(grep -n '^postcode_country' "$scratch/mars.conf" | cut -d: -f1)
run cohort check mars.conf
expect_rc 2 "postcode_country = mars: exit 2"
expect_err "mars\.conf:$pline: " "the error names the postcode_country line"
run cohort rules any.conf
expect_rc 0 "cohort rules with postcode_country = any"
expect_out 'postcode_country = any: a postcode that is not a UK one is kept as a token' \
    "cohort rules says what any does"
# a pupil's postcode made French: kept as a token, not an invalid postcode
awk -F, 'BEGIN { OFS = "," } NR == 2 { $7 = "75008" } { print }' \
    "$scratch/demo/extracts/education.csv" > "$scratch/edu.csv" &&
    mv "$scratch/edu.csv" "$scratch/demo/extracts/education.csv"
run cohort check address.conf
expect_out 'invalid_postcode' "postcode_country = uk: a French postcode is an invalid postcode"
run cohort check any.conf
check '! grep -q "invalid_postcode" "$out"' "postcode_country = any: it is kept"

# min_dob: a date of birth in 1890 is dropped and noted by default, kept
# with min_dob = 1850-01-01 under [linkage] or in the source
awk -F, 'BEGIN { OFS = "," } NR == 2 { $4 = "03/04/1890" } { print }' \
    "$scratch/demo/extracts/housing.csv" > "$scratch/housing.csv" &&
    mv "$scratch/housing.csv" "$scratch/demo/extracts/housing.csv"
awk '{ print } /^\[linkage\]/ { print "min_dob = 1850-01-01" }' \
    "$scratch/address.conf" > "$scratch/old.conf"
awk '{ print } /^\[source housing\]/ { print "min_dob = 1850-01-01" }' \
    "$scratch/address.conf" > "$scratch/old_source.conf"
awk '{ print } /^\[linkage\]/ { print "min_dob = 1850-13-01" }' \
    "$scratch/address.conf" > "$scratch/bad_dob.conf"
run cohort check address.conf
expect_out 'dob_before_1900' "min_dob unset: a date of birth in 1890 is dropped and noted"
run cohort check old.conf
check '! grep -q "dob_before_1900" "$out"' "[linkage] min_dob = 1850-01-01: it is kept"
run cohort check old_source.conf
check '! grep -q "dob_before_1900" "$out"' "the source's min_dob = 1850-01-01: it is kept"
run cohort check bad_dob.conf
expect_rc 2 "min_dob = 1850-13-01: exit 2"

run cohort linkage address.conf --truth demo/extracts/truth_SYNTHETIC_IDENTIFIERS.csv
expect_rc 0 "linkage with an address field"
expect_out '^  address: ' "the address's m and u under its own name"
check 'head -n 1 "$out" | awk "{ exit !(\$2 >= 0.99 && \$4 >= 0.95) }"' \
    "precision and recall still hold ($(head -n 1 "$out"))"

run cohort run address.conf --accept-drift
expect_rc 0 "a run with an address field publishes"
# no address of the extract reaches an output
awk -F, 'NR > 1 && $7 != "" { print $7 }' "$scratch/demo/extracts/housing.csv" |
    sort -u | head -n 50 > "$scratch/addresses"
check '[ -s "$scratch/addresses" ]' "the extract has addresses to look for"
check '! grep -rFqi -f "$scratch/addresses" "$scratch/demo/out/latest/"' \
    "no address in any published file"

finish
