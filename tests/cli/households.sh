# Households (README "Households", issue 24): a housing register of whole
# households, counted by household.
#  - The synth register's household counts -- households in TA by size
#    band and number of children, by type, newly in and leaving TA, in TA
#    on each month's last day (measure = at_end, by that day's size and
#    children), with a child, all adults, a lead aged 65 or over -- equal,
#    at every period
#    and exactly (no suppression, no rounding), the counts
#    tests/cli/households_truth.awk computes from the synth truth alone.
#  - Two seeds and two thread counts: the same tables.
#  - No case reference, name or NHS number of the register reaches an
#    output, a log line or the rules; `cohort rules` says how household
#    ids are pseudonymised.
#  - Member qualifiers, composition columns and transitions of household
#    cohorts are refused where they mean nothing: exit 2 with the job
#    file's line.
. "$COHORT_TOP/tests/cli/lib.sh"

cd "$scratch"
run cohort keygen test.key
expect_rc 0 "keygen writes the key"

job() { # job SEED_DIR OUT
cat <<EOF2
[job]
name           = households
reference_date = 2026-10-31
periods        = 24
key_file       = test.key
output_dir     = $2
lookup         = $COHORT_TOP/config/lookups/postcodes.csv

[source register]
department         = housing
path               = $1/housing_register.csv
date_format        = %d/%m/%Y
field.household_id = Case Reference
field.lead         = Lead Applicant
field.forename     = Forename
field.surname      = Surname
field.dob          = Date of Birth
field.sex          = Sex
field.nhs_number   = NHS Number
field.postcode     = Postcode
field.service      = Tenure
field.start_date   = Start Date
field.end_date     = End Date
value.service.TA   = temporary_accommodation
value.service.HP   = homelessness_prevention
value.service.SH   = social_tenancy

[linkage]
keys = nhs_number; forename+surname+dob+postcode

[disclosure]
min_count = 1
rounding  = 1

[cohort ta_households]
unit  = households
where = housing.temporary_accommodation
by    = household_size, children

[cohort ta_types]
unit  = households
where = housing.temporary_accommodation
by    = household_type

[cohort ta_new]
unit    = households
measure = new
where   = housing.temporary_accommodation

[cohort ta_ended]
unit    = households
measure = ended
where   = housing.temporary_accommodation

[cohort ta_at_end]
unit    = households
measure = at_end
where   = housing.temporary_accommodation
by      = household_size, children

[cohort with_child]
unit  = households
where = any member(age < 18) and housing.any
by    = housing.temporary_accommodation

[cohort all_adults]
unit  = households
where = all members(age >= 18)

[cohort lead_65]
unit  = households
where = lead(age >= 65)
EOF2
}

# published: the non-zero interior cells and each period's total, in the
# truth's form
published() {
    for t in ta_households ta_types ta_new ta_ended ta_at_end with_child all_adults lead_65; do
        # columns: period, the by columns, count, margin (yes/no)
        awk -F, -v t="$t" 'NR > 1 {
            gsub(/"/, "")
            c = NF - 1
            inner = 1; total = 1
            for (i = 2; i < c; i++) { if ($i == "Total") inner = 0; else total = 0 }
            if (total) print t "," $1 ",Total," $c
            else if (inner && $c != 0) { s = t; for (i = 1; i <= c; i++) s = s "," $i; print s }
        }' "$1/$t.csv"
    done | grep -v ',0$' | sort
}

for seed in 1 7; do
    run cohort synth "s$seed" --people 3000 --seed "$seed" \
        --lookup "$COHORT_TOP/config/lookups/postcodes.csv"
    expect_rc 0 "seed $seed: synth writes the register"
    job "s$seed" "out$seed" > "job$seed.conf"
    run cohort run "job$seed.conf"
    expect_rc 0 "seed $seed: the household job publishes"
    awk -f "$COHORT_TOP/tests/cli/households_truth.awk" \
        "s$seed/truth_households_SYNTHETIC_IDENTIFIERS.csv" | sort > "truth$seed.txt"
    published "out$seed/latest" > "got$seed.txt"
    check '[ -s "truth$seed.txt" ] && [ "$(grep -c ",Total," "truth$seed.txt")" -ge 100 ]' \
        "seed $seed: the truth has households in every cohort's periods"
    if [ -s "got$seed.txt" ] && cmp -s "truth$seed.txt" "got$seed.txt"; then
        ok "seed $seed: every household count equals the truth's at every period"
    else
        not_ok "seed $seed: every household count equals the truth's at every period"
        diff "truth$seed.txt" "got$seed.txt" | head -n 10 | sed 's/^/# /'
    fi
    # the cases the synth truth says exist: lead changes, leavers with a
    # case of their own, members joining part-way
    check '[ "$(awk -F, "NR > 1 && \$3 == \"N\" { n[\$1 \",\" \$2]++ } NR > 1 && \$3 == \"Y\" { y[\$1 \",\" \$2]++ } END { for (k in n) if (k in y) c++; print c + 0 }" "s$seed/truth_households_SYNTHETIC_IDENTIFIERS.csv")" -ge 1 ]' \
        "seed $seed: the register has a lead change"
    check '[ "$(tail -n +2 "s$seed/truth_households_SYNTHETIC_IDENTIFIERS.csv" | cut -d, -f1,2 | sort -u | cut -d, -f2 | sort | uniq -d | wc -l)" -ge 1 ]' \
        "seed $seed: a person is in two households over time"
done

# threads: the same tables
job s1 outt > jobt.conf
run cohort run jobt.conf --threads 4
expect_rc 0 "the household job publishes with 4 threads"
check '[ "$(published outt/latest)" = "$(cat got1.txt)" ]' \
    "the household tables are the same at 4 threads"

# --- privacy -------------------------------------------------------------
# no case reference, NHS number or name of the register in any output or
# message
cut -d, -f1 s1/housing_register.csv | tail -n +2 | sort -u > refs.txt
cut -d, -f7 s1/housing_register.csv | tail -n +2 | sort -u > nhs.txt
cut -d, -f4 s1/housing_register.csv | tail -n +2 | awk 'length($0) > 4' | sort -u > names.txt
cat refs.txt nhs.txt names.txt | grep -v "^$" > planted.txt
leaks=$(cat out1/latest/* "$out" "$err" | grep -F -c -f planted.txt || true)
check '[ "$leaks" -eq 0 ]' "no case reference, NHS number or surname of the register is published or logged ($leaks)"
run cohort rules job1.conf
expect_rc 0 "rules shows the household job"
expect_out 'household_id' "rules lists the household id column"
expect_out 'keyed hash.*household|household.*keyed hash' "rules says household ids become keyed hashes"
expect_out 'any member of the household' "rules says what a member qualifier means"
expect_out "as it is on the month's last day: that day's members" "rules says what at_end means for a household"
leaks=$(grep -F -c -f refs.txt "$out" || true)
check '[ "$leaks" -eq 0 ]' "rules shows no case reference"

# --- refused -------------------------------------------------------------
bad() { # bad SED-SCRIPT RULE-TEXT DESCRIPTION
    sed "$1" job1.conf > bad.conf
    run cohort check bad.conf
    expect_rc 2 "$3: exit 2"
    expect_err "$2" "$3: the message says why"
}
bad 's/^where = lead(age >= 65)$/where = lead(age >= 65)\nunit = persons/; /^\[cohort lead_65\]/,$ { /^unit  = households$/d }' \
    'bad\.conf:[0-9]+:.*need unit = households' "a member qualifier in a person cohort"
bad 's/^by    = household_type$/by    = household_type, age_band/' \
    'bad\.conf:[0-9]+:.*household has no single age_band' "a household cohort by age band"
bad '/^\[cohort all_adults\]/,/^$/ s/^unit  = households$/unit  = persons\nby = children/' \
    'bad\.conf:[0-9]+:.*needs unit = households' "a person cohort by children"
bad 's/^where = any member(age < 18) and housing.any$/where = any member(lead(age < 18))/' \
    'qualifier inside another' "a qualifier inside a qualifier"
bad '$ a [transition t]\nfrom = ta_types\nto = lead_65' \
    'a transition follows persons' "a transition between household cohorts"
bad '/^field.household_id/d' \
    'field.lead but no field.household_id' "a lead flag without a household id"
finish
