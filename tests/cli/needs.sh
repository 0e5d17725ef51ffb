# The multiple-needs job (config/needs.conf) against synth's truth: four
# departments beyond the default four, five [need] groups, count(need.*)
# and within(12, ...), published through the usual disclosure control.
# The truth counts are computed here, in awk, from needs_spells.csv (every
# spell synth wrote, by true person, no identifier), month by month, as
# the README defines each need; every month's published total of every
# table must be that count to within the rounding and the cell-key noise
# (5 and +-2: at most 4 away), or withheld. Then what the declared titles
# reach (rules, report), and the config errors and the warning of issue 27.
. "$COHORT_TOP/tests/cli/lib.sh"

check 'demo_fixture 20000 4' "the demo key and extracts of 20 000 people"
ex=$scratch/demo/extracts
check '[ -s "$ex/benefits.csv" ] && [ -s "$ex/youth_justice.csv" ] && [ -s "$ex/early_help.csv" ] && [ -s "$ex/police_incidents.csv" ] && [ -s "$ex/needs_spells.csv" ]' \
    "synth writes the four multiple-needs extracts and their spells"
check '[ "$(tail -n +2 "$ex/needs_spells.csv" | wc -l)" -eq "$(tail -n +2 "$ex/needs_truth_SYNTHETIC_IDENTIFIERS.csv" | wc -l)" ]' \
    "a truth line for every spell"

run cohort check config/needs.conf
expect_rc 0 "check accepts the needs job"
expect_out '^cohorts: ok \(11 where expressions\)' "check compiles its eleven where expressions and five need groups"
run cohort run config/needs.conf --quiet
expect_rc 0 "the needs job publishes"
latest=$scratch/demo/needs_out/latest
check 'grep -q "^police,rows_quarantined,0$" "$latest/quality.csv" && grep -q "^benefits,rows_quarantined,0$" "$latest/quality.csv"' \
    "the clean needs extracts quarantine nothing"

# The truth: for the twelve months Nov 2025 .. Oct 2026, each person's
# needs (financial: out of work that month; crime: youth justice that
# month or antisocial behaviour in the last twelve months; domestic abuse
# and exploitation: an incident in the last twelve months; family: early
# help that month), and per table and month the persons it selects.
awk -F, '
function month_start(k,   y, m) { y = 2024 + int((11 + k) / 12); m = (11 + k) % 12 + 1
    return sprintf("%04d-%02d-01", y, m) }
BEGIN {
    # ms[k], me[k]: months k = 0 (Dec 2024) .. 22 (Oct 2026)
    split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
    for (k = 0; k <= 22; k++) {
        ms[k] = month_start(k); y = substr(ms[k], 1, 4) + 0; m = substr(ms[k], 6, 2) + 0
        d = mdays[m] + (m == 2 && y % 4 == 0)
        me[k] = sprintf("%04d-%02d-%02d", y, m, d)
    }
}
NR == 1 { next }
{ n[$1]++; i = $1 SUBSEP n[$1]; svc[i] = $2 "." $3; st[i] = $4; en[i] = $5 }
function active(p, what, k,   j, i) {
    for (j = 1; j <= n[p]; j++) { i = p SUBSEP j
        if ((svc[i] == what || index(svc[i], what ".") == 1) &&
            st[i] <= me[k] && (en[i] == "" || en[i] >= ms[k])) return 1 }
    return 0 }
function within12(p, what, k,   j, i) {
    for (j = 1; j <= n[p]; j++) { i = p SUBSEP j
        if (svc[i] == what && st[i] <= me[k] && (en[i] == "" || en[i] >= ms[k - 11])) return 1 }
    return 0 }
END {
    split("financial crime domestic_abuse exploitation family", area, " ")
    for (p in n)
        for (k = 11; k <= 22; k++) {
            need["financial"] = active(p, "benefits.out_of_work", k)
            need["crime"] = active(p, "youth_justice", k) ||
                within12(p, "police_incidents.antisocial_behaviour", k)
            need["domestic_abuse"] = within12(p, "police_incidents.domestic_abuse", k)
            need["exploitation"] = within12(p, "police_incidents.missing_episode", k)
            need["family"] = active(p, "early_help", k)
            c = 0
            for (a = 1; a <= 5; a++) c += need[area[a]]
            # each person-month with a need, for the families below
            if (c) { f = ""; for (a = 1; a <= 5; a++) f = f need[area[a]]
                     print p "," k "," f > pneeds }
            if (c == 1) t["needs_1", ms[k]]++
            if (c == 2) t["needs_2", ms[k]]++
            if (c >= 3) t["needs_3_or_more", ms[k]]++
            if (c >= 2) {
                t["multiple_needs", ms[k]]++
                for (a = 1; a <= 5; a++)
                    if (need[area[a]]) t["multiple_needs_" area[a], ms[k]]++
            }
        }
    split("needs_1 needs_2 needs_3_or_more multiple_needs multiple_needs_financial multiple_needs_crime multiple_needs_domestic_abuse multiple_needs_exploitation multiple_needs_family", tab, " ")
    for (x = 1; x <= 9; x++)
        for (k = 11; k <= 22; k++)
            print tab[x] "," ms[k] "," (t[tab[x], ms[k]] + 0)
}' pneeds="$scratch/person_needs" "$ex/needs_spells.csv" | sort > "$scratch/truth_counts"
check '[ "$(wc -l < "$scratch/truth_counts")" -eq 108 ] && [ "$(awk -F, '\''$1 == "multiple_needs" && $3 >= 20'\'' "$scratch/truth_counts" | wc -l)" -eq 12 ]' \
    "truth: 9 tables x 12 months, at least 20 residents with multiple needs each month"

# Families: the housing register's households (its truth: case, person,
# membership dates), a need counted once when any member present that
# month has it. Months k = 11 .. 22 as above.
awk -F, '
function month_start(k,   y, m) { y = 2024 + int((11 + k) / 12); m = (11 + k) % 12 + 1
    return sprintf("%04d-%02d-01", y, m) }
BEGIN {
    split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
    for (k = 11; k <= 22; k++) {
        ms[k] = month_start(k); y = substr(ms[k], 1, 4) + 0; m = substr(ms[k], 6, 2) + 0
        me[k] = sprintf("%04d-%02d-%02d", y, m, mdays[m] + (m == 2 && y % 4 == 0))
    }
}
FNR == NR { pn[$1 "," $2] = $3; next }
FNR == 1 { next }
{ for (k = 11; k <= 22; k++)
      if ($5 <= me[k] && ($6 == "" || $6 >= ms[k])) {
          f = pn[$2 "," k]
          for (a = 1; a <= 5; a++)
              if (substr(f, a, 1) == "1") has[$1, k, a] = 1
          cases[$1] = 1
      } }
END {
    for (c in cases)
        for (k = 11; k <= 22; k++) {
            n = 0
            for (a = 1; a <= 5; a++) n += ((c, k, a) in has)
            if (n >= 2) t["families_multiple_needs", ms[k]]++
            if (n >= 3) t["families_3_or_more_needs", ms[k]]++
        }
    for (k = 11; k <= 22; k++) {
        print "families_multiple_needs," ms[k] "," (t["families_multiple_needs", ms[k]] + 0)
        print "families_3_or_more_needs," ms[k] "," (t["families_3_or_more_needs", ms[k]] + 0)
    }
}' "$scratch/person_needs" "$ex/truth_households_SYNTHETIC_IDENTIFIERS.csv" |
    sort > "$scratch/family_truth"
check '[ "$(wc -l < "$scratch/family_truth")" -eq 24 ] && [ "$(awk -F, '\''$1 == "families_multiple_needs" && $3 >= 1'\'' "$scratch/family_truth" | wc -l)" -ge 6 ]' \
    "truth: 2 family tables x 12 months, families with multiple needs in most months"
sort -m "$scratch/truth_counts" "$scratch/family_truth" > "$scratch/truth_all"
mv "$scratch/truth_all" "$scratch/truth_counts"

# The published totals (the age_band or household_size margin), against
# the truth.
for t in needs_1 needs_2 needs_3_or_more multiple_needs multiple_needs_financial \
    multiple_needs_crime multiple_needs_domestic_abuse multiple_needs_exploitation \
    multiple_needs_family families_multiple_needs families_3_or_more_needs; do
    awk -F, -v t="$t" '$2 == "\"Total\"" { print t "," $1 "," $3 }' "$latest/$t.csv"
done | sort > "$scratch/published"
awk -F, 'NR == FNR { truth[$1 "," $2] = $3; next }
    { key = $1 "," $2
      if (!(key in truth)) { print "# no truth for " key; bad++; next }
      if ($3 == "[c]") { withheld++; next }
      d = $3 - truth[key]; if (d < 0) d = -d
      if (d > 4) { print "# " key ": published " $3 ", truth " truth[key]; bad++ }
      else shown++ }
    END { printf "%d %d %d\n", shown, withheld, bad + 0 }' \
    "$scratch/truth_counts" "$scratch/published" > "$scratch/compare"
grep '^#' "$scratch/compare"
read -r shown withheld bad <<EOF
$(tail -n 1 "$scratch/compare")
EOF
check '[ "$(wc -l < "$scratch/published")" -eq 132 ] && [ "$bad" -eq 0 ]' \
    "every month's total of the eleven tables is the truth to within rounding and noise, or withheld ($shown shown, $withheld withheld)"
check '[ "$shown" -ge 48 ]' "most totals are shown (needs_1, needs_2, multiple_needs every month at least)"

# What the declared titles and need groups reach.
run cohort rules config/needs.conf
expect_rc 0 "rules for the needs job"
expect_out 'known to the youth offending team' "rules words a department by its declared title"
expect_out "meaning: the need 'Financial stability' \\(receiving out of work \\(revenues and benefits\\) that month\\) and at least 2 of these 5 conditions holding that month: \\(1\\) the need 'Financial stability'; \\(2\\) the need 'Crime prevention and tackling crime'; " \
    "rules words a need group alone in full, and inside count(need.*) by its title"
expect_out "^  where: within\\(12, police_incidents.domestic_abuse\\)$" "rules shows each need group's where"
expect_out '^  order: a youth rehabilitation order supervised by the team$' \
    "rules shows a declared service's description"
expect_out '^Need group domestic_abuse$' "rules has a section per need group"
run cohort rules config/needs.conf --format json
cp "$out" "$scratch/rules.json"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
check '"$py" - "$COHORT_TOP/docs/rules.schema.json" "$scratch/rules.json" <<PY
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator(schema).validate(doc)
assert [d["name"] for d in doc["departments"]] == ["benefits", "youth_justice", "early_help", "police_incidents"]
assert len(doc["need_groups"]) == 5
PY' "rules --format json with departments and need groups validates against docs/rules.schema.json"
check 'grep -q "revenues and benefits" "$latest/report.html" && grep -q "police incidents (shared under agreement)" "$latest/report.html"' \
    "the report names the departments it read by their titles"
check 'grep -q "<li>team_around_the_family: a team around the family plan, working with the whole household</li>" "$latest/report.html" && grep -q "<li>Safety from domestic abuse: <code>within(12, police_incidents.domestic_abuse)</code></li>" "$latest/report.html"' \
    "the report's glossary describes the declared services and the need areas"

# The plan hash covers what the job file declares: a service's
# description and a need's where are in the canonical form.
run cohort rules config/needs.conf --format canonical
check 'grep -q "^\[department youth_justice\]$" "$out" && grep -q "^services = order caution out_of_court_disposal$" "$out" && grep -q "^\[need crime\]$" "$out"' \
    "the canonical form lists the declared departments and need groups"
b2sum -l 256 < "$out" | cut -d" " -f1 > "$scratch/hash1"
cp "$COHORT_TOP/config/needs.conf" "$scratch/desc.conf"
sed -i 's/^service.order = a youth rehabilitation order supervised by the team$/service.order = a youth rehabilitation order/' "$scratch/desc.conf"
run cohort rules desc.conf --format canonical
b2sum -l 256 < "$out" | cut -d" " -f1 > "$scratch/hash2"
cp "$COHORT_TOP/config/needs.conf" "$scratch/same.conf"
run cohort rules same.conf --format canonical
b2sum -l 256 < "$out" | cut -d" " -f1 > "$scratch/hash3"
check 'cmp -s "$scratch/hash1" "$scratch/hash3" && ! cmp -s "$scratch/hash1" "$scratch/hash2"' \
    "a changed service description changes the plan hash (a copy of the file does not)"

# Bad input: an undeclared department or service is a config error naming
# the file, the line and the declared names (exit 2).
cp "$COHORT_TOP/config/needs.conf" "$scratch/bad.conf"
sed -i 's/^department       = youth_justice$/department       = youth_offending/' "$scratch/bad.conf"
run cohort check bad.conf
expect_rc 2 "an undeclared department in a source is a config error"
expect_err "^cohort: error: bad.conf:[0-9]+: \\[source youth_justice\\]: unknown department 'youth_offending' \\(declared: housing, children_social_care, adult_social_care, education, benefits, youth_justice, early_help, police_incidents\\)" \
    "... naming the file, the line and the declared departments"
cp "$COHORT_TOP/config/needs.conf" "$scratch/bad.conf"
sed -i 's/^value.service.YC   = caution$/value.service.YC   = youth_caution/' "$scratch/bad.conf"
run cohort check bad.conf
expect_rc 2 "a value map to a service the department does not carry is a config error"
expect_err "\\[source youth_justice\\]: service 'youth_caution' is not one department 'youth_justice' carries \\(declared on line [0-9]+: order, caution, out_of_court_disposal\\)" \
    "... naming the declared services"
cp "$COHORT_TOP/config/needs.conf" "$scratch/bad.conf"
sed -i 's/^where = benefits.out_of_work$/where = benefits.unemployed/' "$scratch/bad.conf"
run cohort check bad.conf
expect_rc 2 "an undeclared service in a need's where is a config error"
expect_err "^cohort: error: bad.conf:[0-9]+:[0-9]+: \\[need financial\\] where: unknown service 'unemployed' in benefits \\(known: housing_benefit, council_tax_support, out_of_work\\)" \
    "... at the need's where line and column, naming the known services"
cp "$COHORT_TOP/config/needs.conf" "$scratch/bad.conf"
printf '[cohort by_area]\nwhere = count(need.*) >= 1\nby = parks.swings\n' >> "$scratch/bad.conf"
run cohort check bad.conf
expect_rc 2 "an undeclared department in a by is a config error"
expect_err "\\[cohort by_area\\]: 'by' names unknown department 'parks'" "... naming it"

# A declared department no source belongs to: a warning, not an error.
cp "$COHORT_TOP/config/needs.conf" "$scratch/warn.conf"
printf '[department public_health]\ntitle = public health\nservices = smoking_cessation\n' >> "$scratch/warn.conf"
run cohort check warn.conf
expect_rc 0 "a department without a source still checks"
expect_err "warn.conf:[0-9]+: \\[department public_health\\]: no source of this job belongs to it" \
    "check warns about a declared department no source belongs to"
expect_no_err "department (housing|education|adult_social_care|children_social_care)\\]" \
    "and not about the default departments the job does not read"
finish
