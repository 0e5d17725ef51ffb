# Tables for demand forecasting (issue 20) on the synth job:
#   - with nothing suppressed or rounded (the true counts), the stock-flow
#     identity persons(t) - ended(t) = persons(t-1) - ended(t-1) + new(t)
#     - ended(t) on every series of a forecast cohort and of three cohorts
#     of one where by sex; the service transitions' row sums; a
#     [transition]'s counts within its cohorts'; overlap and
#     overlap_count counting the same persons;
#   - a job deriving tables is refused unless noise or coarse rounding
#     answers their differences (nested_tables);
#   - the projection: COHORT_forecast.csv, its back-test printed and in the
#     manifest and report, the same bytes twice;
#   - rates per 10 000 against a population table, its vintage in the
#     manifest; the month holding the reference date left out, or flagged.
. "$COHORT_TOP/tests/cli/lib.sh"
cd "$scratch"
ln -s "$COHORT_TOP/config" config
mkdir demo
run cohort keygen demo/demo.key
run cohort synth demo/extracts --people 3000 --seed 20 --spells 6
expect_rc 0 "synth writes extracts with a history of spells"

# job FILE DISCLOSURE [JOB-LINES]: the demo job with DISCLOSURE, more [job]
# lines, and the forecasting tables
job() {
    sed -n '1,/^\[disclosure\]/p' config/demo.conf | sed '$d' |
        sed "s|^periods        = 24|periods        = 24\n${3:-}|" > "$1"
    printf '[disclosure]\n%b\n' "$2" >> "$1"
    cat >> "$1" <<'EOF'

[cohort adults]
where    = age >= 18 and adult_social_care.long_term_support
by       = age_band, sex
forecast = yes

[cohort pupils]
where    = education.any
forecast = yes

[cohort csc]
where = children_social_care.any
by    = sex

[cohort csc_new]
where   = children_social_care.any
by      = sex
measure = new

[cohort csc_ended]
where   = children_social_care.any
by      = sex
measure = ended

[cohort cin]
where = children_social_care.child_in_need

[cohort cpp]
where = children_social_care.child_protection_plan

[transition cin_to_cpp]
from = cin
to   = cpp
by   = sex

[output files]
type = csv
EOF
}

# --- the true counts ----------------------------------------------------------
job exact.conf 'min_count = 1\nrounding = 1' 'standard_tables = service_transitions, overlap'
run cohort run exact.conf
expect_rc 0 "the job with nothing suppressed or rounded publishes"
latest=demo/out/latest
# totals FILE: the grand total per period, one a line (the count is the
# column before margin)
totals() {
    awk -F, 'NR > 1 { t = 1; for (i = 2; i < NF - 1; i++) if ($i != "\"Total\"") t = 0;
                      if (t || NF == 3) print $(NF - 1) }' "$1"
}
# identity P N E: persons - ended moves by new - ended, month after month
identity() {
    paste "$1" "$2" "$3" | awk '{ if (NR > 1 && $1 - $3 != p - e + $2 - $3) bad++; p = $1; e = $3 }
                               END { exit !(NR == 24 && bad == 0) }'
}
for c in adults pupils; do
    totals "$latest/${c}_duration.csv" > p.$c
    totals "$latest/${c}_new.csv" > n.$c
    totals "$latest/${c}_ended.csv" > e.$c
    check "identity p.$c n.$c e.$c" "$c: persons - ended moves by new - ended in each of 24 months"
    totals "$latest/$c.csv" > q.$c
    check "cmp -s p.$c q.$c" "$c: its months-in-cohort table counts the cohort's persons"
done
check '[ "$(awk "{ s += \$1 } END { print s }" e.pupils)" -gt 0 ] && [ "$(awk "{ s += \$1 } END { print s }" n.pupils)" -gt 0 ]' \
    "the synth job has entries and exits to test"
for sex in M F U; do
    for m in csc csc_new csc_ended; do
        grep "^[^,]*,\"$sex\"," "$latest/$m.csv" | cut -d, -f3 > "$m.$sex"
    done
    check "identity csc.$sex csc_new.$sex csc_ended.$sex" "csc by sex $sex: the identity holds on the cell's series"
done
# service transitions: the from_service row of a month sums to that
# service's to_service column of the month before
for f in "$latest"/service_transitions_*.csv; do
    awk -F, 'NR > 1 && $3 == "\"Total\"" && $2 != "\"Total\"" && $2 != "\"none\"" { from[$1 SUBSEP $2] = $4 }
             NR > 1 && $2 == "\"Total\"" && $3 != "\"Total\"" { to[$1 SUBSEP $3] = $4; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
             END { for (i = 2; i <= n; i++) for (k in from) { split(k, a, SUBSEP); if (a[1] != order[i]) continue;
                       if (from[k] != to[order[i - 1] SUBSEP a[2]]) bad++; checked++ }
                   exit !(checked > 0 && bad == 0) }' "$f" > /dev/null
    st=$?
    check '[ "$st" -eq 0 ]' "$(basename "$f" .csv): each service's row sums to its column of the month before"
done
check '[ "$(ls "$latest"/service_transitions_*.csv | wc -l)" -eq 4 ]' "one service_transitions table per department"
# a transition counts persons of both its cohorts
totals "$latest/cin_to_cpp.csv" | tail -n +2 > t.a
totals "$latest/cin.csv" | head -n 23 > t.b
totals "$latest/cpp.csv" | tail -n +2 > t.c
paste t.a t.b t.c > t.sums
check 'awk "{ if (\$1 > \$2 || \$1 > \$3) bad++; s += \$1 } END { exit !(NR == 23 && !bad && s > 0) }" t.sums' \
    "cin_to_cpp: never more than cin the month before or cpp that month, and not always 0"
check '[ "$(totals "$latest/overlap.csv")" = "$(totals "$latest/overlap_count.csv")" ]' \
    "overlap and overlap_count count the same persons each month"
check 'head -n 1 "$latest/overlap.csv" | grep -qx "period,age_band,departments,count,margin"' "overlap is by age band and departments"
check 'grep -q "\"housing+children_social_care\"" "$latest/overlap.csv"' "a combination of departments is a label"

# --- the projection -----------------------------------------------------------
f=$latest/adults_forecast.csv
check '[ -f "$f" ]' "adults_forecast.csv is published"
check 'head -n 1 "$f" | grep -qx "age_band,kind,period,persons,lower_80,upper_80,lower_95,upper_95,seasonal_naive,published,mase,mase_seasonal_naive"' \
    "the projection's columns"
check '[ "$(grep -c "^\"Total\",projection," "$f")" -eq 12 ] && [ "$(grep -c "^\"Total\",backtest," "$f")" -eq 12 ]' \
    "twelve projected months and a twelve-month back-test of the total"
check 'awk -F, "\$2 != \"kind\" { if (!(\$7 <= \$5 && \$5 <= \$4 && \$4 <= \$6 && \$6 <= \$8)) bad++ } END { exit bad > 0 }" "$f"' \
    "every interval holds its point, the 95 % one the 80 % one"
check 'grep -q "^\"Total\",projection,2026-11-01," "$f"' "the projection starts the month after the last published one"
expect_out "^forecast adults Total: back-test MASE [0-9.]+ \(seasonal naive [0-9.]+\), 80% interval held [0-9]+ of 12 months, 95% held [0-9]+" \
    "the run prints the back-test's MASE and coverage"
check 'grep -q "\"forecasts\": \[" "$latest/manifest.json" && grep -q "\"table\": \"adults_forecast\"" "$latest/manifest.json"' \
    "the manifest records each projection's back-test"
check 'grep -q "<h2>Projection: adults</h2>" "$latest/report.html" && grep -q "Back-test over 12 months" "$latest/report.html"' \
    "the report draws the projection"
cp "$f" first.csv
run cohort run exact.conf --accept-drift
check 'cmp -s first.csv "$latest/adults_forecast.csv"' "the same job twice: the same projection, byte for byte"

# --- disclosure ---------------------------------------------------------------
# (the forecast cohorts alone: csc, cin and cpp nest, refused as
# nested_cohorts before the derived tables are looked at)
job all.conf 'preset = ons'
awk '/^\[/ { skip = /^\[(cohort (csc|cin|cpp)|transition)/ } !skip' all.conf > ons.conf
run cohort check ons.conf
expect_rc 2 "forecast tables at rounding 5 (below the protection level 9): refused"
expect_err "nested_tables" "the refusal names the rule"
expect_err "perturbation = cellkey .* or rounding >= 9" "and the fix"
job coarse.conf 'preset = ons\nrounding = 10'
run cohort check coarse.conf
expect_rc 0 "rounding to 10: accepted"
job noisy.conf 'preset = ons\nperturbation = cellkey\nptable = config/ptable_default.csv'
run cohort check noisy.conf
expect_rc 0 "cell-key noise: accepted"
run cohort rules coarse.conf
expect_out "Forecasting tables" "cohort rules has a section for the forecasting tables"
expect_out "argued, not audited" "and states the differencing risk that remains"
run cohort rules coarse.conf --format json
cp "$out" rules.json
if python3 -c 'import jsonschema' 2>/dev/null; then
    check 'python3 -c "import json, sys, jsonschema; jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))" "$COHORT_TOP/docs/rules.schema.json" rules.json' \
        "the forecasting job's rules as JSON validate against docs/rules.schema.json"
else
    ok "# SKIP python3-jsonschema is not installed"
fi
check 'grep -q "\"forecasting\": {" rules.json && grep -q "\"derived_tables_allowed\": true" rules.json' \
    "the JSON has the forecasting section"

# --- rates and partial months -------------------------------------------------
awk 'BEGIN { print "year,age,sex,population"; for (y = 2024; y <= 2025; y++) for (a = 0; a <= 100; a++) { print y "," a ",M,1000"; print y "," a ",F,1100" } }' > pop.csv
job rates.conf 'min_count = 1\nrounding = 1' 'denominators = pop.csv'
run cohort run rates.conf --accept-drift
expect_rc 0 "a job with denominators publishes"
check 'head -n 1 "$latest/adults.csv" | grep -qx "period,age_band,sex,count,rate_per_10000,margin"' \
    "a table by age band and sex gets rate_per_10000"
check 'head -n 1 "$latest/cin.csv" | grep -qx "period,count,rate_per_10000,margin"' "so does a total-only table"
check 'awk -F, "\$2 == \"\\\"65 and over\\\"\" && \$3 == \"\\\"F\\\"\" && \$4 > 0 { r = \$4 * 10000 / (36 * 1100); if (\$5 < r - 0.06 || \$5 > r + 0.06) bad++; n++ } END { exit !(n > 0 && !bad) }" "$latest/adults.csv"' \
    "65+ F: count per 10 000 of 36 single years of 1 100"
check 'grep -q "\"denominators\": {\"blake2b\": \"[0-9a-f]\{64\}\", \"rows\": 404, \"vintage\": \"2024-2025\"}" "$latest/manifest.json"' \
    "the manifest records the population table's hash, rows and vintage"
run cohort check rates.conf
expect_out "^denominators pop.csv: ok \(404 rows, years 2024-2025\)" "cohort check reads the population table"
printf 'year,population,sex\n2025,12,M\n2025,many,F\n' > badpop.csv
sed 's/^denominators = pop.csv/denominators = badpop.csv/' rates.conf > badrates.conf
run cohort check badrates.conf
expect_rc 2 "a population that is not a number: cohort check fails"
expect_err "badpop\.csv:3:2: .*\[population_not_number\]" "naming the file, line, column and rule"
expect_no_err "many" "never the value"
sed 's/^reference_date = 2026-10-31/reference_date = 2026-11-16/' exact.conf > mid.conf
run cohort run mid.conf --accept-drift
expect_rc 0 "a reference date mid-month"
check '[ "$(tail -n 1 "$latest/cin.csv" | cut -d, -f1)" = "2026-10-01" ] && ! head -n 1 "$latest/cin.csv" | grep -q complete' \
    "include_partial = no (default): the periods end with October, the last whole month"
sed 's/^periods        = 24$/periods        = 24\ninclude_partial = yes/' mid.conf > partial.conf
run cohort run partial.conf --accept-drift
expect_rc 0 "include_partial = yes"
check 'head -n 1 "$latest/cin.csv" | grep -qx "period,complete,count,margin" && tail -n 1 "$latest/cin.csv" | grep -q "^2026-11-01,no," && grep -q "^2026-10-01,yes," "$latest/cin.csv"' \
    "the month holding the reference date is flagged complete = no"
check 'grep -q "^\"Total\",projection,2026-11-01," "$latest/adults_forecast.csv"' \
    "the projection starts from the last complete month (and projects the partial one)"


# --- PostgreSQL, when a throwaway server starts ---------------------------------
# The projection as COHORT_forecast (with its history), rate_per_10000
# and complete as columns; a job that stops projecting drops the table.
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/cohort-pg.XXXXXX")
trap 'sh "$COHORT_TOP/scripts/pg-cluster" stop "$pgdir" >/dev/null 2>&1; rm -rf "$scratch" "$pgdir"' EXIT INT TERM
if conn=$(sh "$COHORT_TOP/scripts/pg-cluster" start "$pgdir" 2>/dev/null); then
    q() { psql "$conn" -X -A -t -q -c "$1" 2>&1; }
    sed 's/^include_partial = yes$/include_partial = yes\ndenominators = pop.csv/' partial.conf > pg.conf
    printf '\n[output warehouse]\ntype = postgres\nconninfo = %s\nschema = cohorts\n' "$conn" >> pg.conf
    run cohort run pg.conf --accept-drift
    expect_rc 0 "the forecasting job publishes to PostgreSQL"
    csv=$(($(wc -l < "$latest/adults_forecast.csv") - 1))
    check '[ "$(q "select count(*) from cohorts.adults_forecast")" = "$csv" ] && [ "$(q "select count(*) from cohorts.adults_forecast__history")" = "$csv" ]' \
        "adults_forecast and its history have the CSV's rows ($csv)"
    check '[ "$(q "select count(*) from cohorts.adults_forecast where kind = '"'backtest'"' and mase is null")" = 0 ] && [ "$(q "select count(*) from cohorts.adults_forecast where kind = '"'projection'"' and age_band = '"'Total'"'")" = 12 ]' \
        "its back-test rows carry MASE; twelve projected months of the total"
    check '[ "$(q "select count(*) from cohorts.adults where not complete")" -gt 0 ] && [ "$(q "select count(distinct period) from cohorts.adults where not complete")" = 1 ]' \
        "complete is false on the partial month's rows only"
    check '[ "$(q "select count(*) from cohorts.adults where rate_per_10000 is not null")" -gt 0 ] && [ "$(q "select count(*) from cohorts.adults where symbol is not null and rate_per_10000 is not null")" = 0 ]' \
        "rate_per_10000 is a column, NULL for every hidden cell"
    check 'q "select obj_description('"'cohorts.adults_forecast'::regclass"')" | grep -q "projection computed from its published tables only"' \
        "the projection's table has a COMMENT"
    sed -e 's/^forecast = yes$/forecast = no/' pg.conf > pg2.conf
    run cohort run pg2.conf --accept-drift
    expect_rc 0 "the job without forecast = yes publishes"
    check '[ -z "$(q "select to_regclass('"'cohorts.adults_forecast'"')")" ] && [ -z "$(q "select to_regclass('"'cohorts.adults_duration'"')")" ]' \
        "a projection and flow tables no longer made are dropped"
else
    ok "# SKIP no throwaway PostgreSQL server could be started"
fi

finish
