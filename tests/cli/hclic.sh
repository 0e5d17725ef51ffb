# H-CLIC (README "H-CLIC: case-level homelessness returns", issue 24 b):
# the three tables cohort synth writes for the register's TA cases, read
# through the profiles hclic_people, hclic_main and hclic_ta.
#  - Households in TA on each month's last day (measure = at_end),
#    households owed a relief duty in each month, and those in TA by
#    `housing.relief_duty` (a service flag column) equal, at every period
#    and exactly (no suppression, rounding 1), the counts
#    tests/cli/hclic_truth.awk computes from synth's truth_hclic.csv.
#  - The main and TA tables are the household's own spells: they add no
#    person, and a row without a case reference is quarantined.
#  - No case reference, NHS number or name of hclic_people.csv reaches an
#    output, a log line or the rules.
. "$COHORT_TOP/tests/cli/lib.sh"

cd "$scratch"
run cohort keygen test.key
expect_rc 0 "keygen writes the key"

job() { # job SYNTH_DIR OUT
cat <<EOF2
[job]
name           = hclic
reference_date = 2026-10-31
periods        = 24
key_file       = test.key
output_dir     = $2
lookup         = $COHORT_TOP/config/lookups/postcodes.csv

[source people]
profile = hclic_people
path    = $1/hclic_people.csv

[source main]
profile = hclic_main
path    = $1/hclic_main.csv

[source ta]
profile = hclic_ta
path    = $1/hclic_ta.csv

[linkage]
keys = nhs_number; forename+surname+dob+postcode

[disclosure]
min_count = 1
rounding  = 1

[cohort in_ta]
unit    = households
measure = at_end
where   = housing.ta_bed_and_breakfast or housing.ta_hostel or housing.ta_private_sector or housing.ta_social_housing or housing.ta_other

[cohort relief]
unit  = households
where = housing.relief_duty

[cohort ta_relief]
unit    = households
measure = at_end
where   = housing.ta_bed_and_breakfast or housing.ta_hostel or housing.ta_private_sector or housing.ta_social_housing or housing.ta_other
by      = housing.relief_duty

[cohort people]
where = all
EOF2
}

# published: period and count of each month of the two household tables
published() {
    {
    for t in in_ta relief; do
        awk -F, -v t="$t" 'NR > 1 { print t "," $1 "," $2 }' "$1/$t.csv"
    done
    # the service flag column's yes rows: a member's spell or the
    # household's own
    awk -F, 'NR > 1 { gsub(/"/, "") } NR > 1 && $2 == "yes" { print "ta_relief," $1 "," $3 }' "$1/ta_relief.csv"
    } | sort
}

for seed in 1 7; do
    run cohort synth "s$seed" --people 3000 --seed "$seed" \
        --lookup "$COHORT_TOP/config/lookups/postcodes.csv"
    expect_rc 0 "seed $seed: synth writes the H-CLIC tables"
    check '[ -s "s$seed/hclic_people.csv" ] && [ -s "s$seed/hclic_main.csv" ] && [ -s "s$seed/hclic_ta.csv" ] && [ -s "s$seed/truth_hclic.csv" ]' \
        "seed $seed: people, main, TA and their truth are written"
    job "s$seed" "out$seed" > "job$seed.conf"
    run cohort run "job$seed.conf"
    expect_rc 0 "seed $seed: the H-CLIC job publishes"
    expect_out 'people: [0-9]+ rows in, [0-9]+ accepted, 0 quarantined|0 quarantined' \
        "seed $seed: nothing is quarantined"
    awk -v ref=2026-10 -v periods=24 -f "$COHORT_TOP/tests/cli/hclic_truth.awk" \
        "s$seed/truth_hclic.csv" | sort > "truth$seed.txt"
    published "out$seed/latest" > "got$seed.txt"
    check '[ "$(awk -F, "\$1 == \"in_ta\" && \$3 > 0" "truth$seed.txt" | wc -l)" -eq 24 ] && [ "$(awk -F, "\$1 == \"relief\" && \$3 > 0" "truth$seed.txt" | wc -l)" -ge 12 ]' \
        "seed $seed: the truth has households in TA every month and relief duties in most"
    if [ -s "got$seed.txt" ] && cmp -s "truth$seed.txt" "got$seed.txt"; then
        ok "seed $seed: households in TA at each month's end and owed a relief duty each month equal the truth's"
    else
        not_ok "seed $seed: households in TA at each month's end and owed a relief duty each month equal the truth's"
        diff "truth$seed.txt" "got$seed.txt" | head -n 10 | sed 's/^/# /'
    fi
    # persons come from the people table alone: the main and TA rows are
    # the households' own spells
    npeople=$(tail -n +2 "s$seed/hclic_people.csv" | cut -d, -f3-8 | sort -u | wc -l)
    nper=$(awk -F, 'NR > 1 && $1 == "2026-10-01" { print $2 }' "out$seed/latest/people.csv")
    check '[ -n "$nper" ] && [ "$nper" -gt 0 ] && [ "$nper" -le "$npeople" ]' \
        "seed $seed: the person count ($nper) is at most the people table's distinct members ($npeople)"
done

# threads: the households' own spells are merged in config order
sed 's|^output_dir .*|output_dir     = outt|' job1.conf > jobt.conf
run cohort run jobt.conf --threads 4
expect_rc 0 "the H-CLIC job publishes with 4 threads"
check '[ "$(published outt/latest)" = "$(cat got1.txt)" ]' \
    "the tables are the same at 4 threads"

# --- a household's own spell without its case reference ------------------
cp s1/hclic_main.csv main_bad.csv
echo ',2026-01-05,R,2026-01-05,' >> main_bad.csv
sed 's|s1/hclic_main.csv|main_bad.csv|; s|^output_dir .*|output_dir     = outq|' job1.conf > jobq.conf
run cohort run jobq.conf
expect_rc 0 "a main row without a case reference: the job still publishes"
expect_out 'no_identifier' "it is quarantined as no_identifier"
check '[ "$(published outq/latest)" = "$(cat got1.txt)" ]' \
    "and the counts are unchanged"

# --- privacy -------------------------------------------------------------
tail -n +2 s1/hclic_people.csv | cut -d, -f1 | sort -u > refs.txt
tail -n +2 s1/hclic_people.csv | cut -d, -f7 | grep -v '^$' | sort -u > nhs.txt
tail -n +2 s1/hclic_people.csv | cut -d, -f4 | awk 'length($0) > 4' | sort -u > names.txt
cat refs.txt nhs.txt names.txt > planted.txt
check '[ "$(wc -l < planted.txt)" -ge 100 ]' "the scan plants case references, NHS numbers and surnames"
run cohort run job1.conf
leaks=$(cat out1/latest/*.csv out1/latest/*.json out1/latest/*.html "$out" "$err" 2>/dev/null | grep -F -c -f planted.txt || true)
check '[ "$leaks" -eq 0 ]' "no case reference, NHS number or surname of the H-CLIC people is published or logged ($leaks)"
run cohort rules job1.conf
expect_rc 0 "rules shows the H-CLIC job"
expect_out "the household's own spells, no person" "rules names the main and TA tables as the household's own spells"
expect_out "also holds on the household's own spells" "rules says what a household term means with them"
leaks=$(cat "$out" "$err" | grep -F -c -f planted.txt || true)
check '[ "$leaks" -eq 0 ]' "rules shows no case reference or name ($leaks)"

# --- refused -------------------------------------------------------------
sed '/^profile = hclic_main$/a field.lead = DutyType' job1.conf > bad.conf
run cohort check bad.conf
expect_rc 2 "a lead flag on a table of the household's own spells: exit 2"
expect_err "bad\.conf:[0-9]+:.*no lead" "the message says why"
finish
