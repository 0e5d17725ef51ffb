# cohort linkage: the demo job's linkage measured against synth's truth
# file -- the overall line, department pairs, persons split and merged,
# groups from the truth's own columns -- and a measure that can fail: a
# truth with its persons shuffled scores low, one that matches nothing or
# is malformed is an error naming file, line and rule (exit 1), never 1.0.
# --trace writes source,line,person and nothing else; without --truth the
# diagnostics print.
. "$COHORT_TOP/tests/cli/lib.sh"

mkdir "$scratch/traced"
check 'demo_fixture 3000 7' "the demo key and extracts of 3 000 people"
truth=demo/extracts/truth_SYNTHETIC_IDENTIFIERS.csv
num='[0-9]\.[0-9]{4}'

run cohort linkage config/demo.conf --truth "$truth" --trace traced/trace.csv --threads 1
expect_rc 0 "linkage against synth's truth exits 0"
check '[ "$(head -n 1 "$out" | grep -Ec "^precision $num recall $num f1 $num\$")" -eq 1 ]' \
    "the first line is precision P recall R f1 F, 4 decimals"
check 'head -n 1 "$out" | awk "{ exit !(\$2 >= 0.99 && \$4 >= 0.9) }"' \
    "synth's truth: precision >= 0.99, recall >= 0.9 ($(head -n 1 "$out"))"
# the floor the demo job must keep on this synth (keys and probabilistic
# stage; README "Linkage accuracy" has the figures): a regression shows here
check 'head -n 1 "$out" | awk "{ exit !(\$2 >= 0.995 && \$4 >= 0.985) }"' \
    "the demo job's floor: precision >= 0.995, recall >= 0.985 ($(head -n 1 "$out"))"
expect_out '^pairs: [0-9]+ true, [0-9]+ linked, [0-9]+ both$' "pair counts printed"
expect_out '^persons: [0-9]+ true, [0-9]+ linked; [0-9]+ true persons split over several linked persons, [0-9]+ linked persons merging several true persons$' \
    "persons split and merged printed"
check '[ "$(grep -Ec "^  [a-z_]+ \+ [a-z_]+ +[0-9]+ +($num|n/a) +($num|n/a)" "$out")" -ge 3 ]' \
    "per department pair: true pairs, precision, recall"
expect_out '^  housing \+ education +[0-9]+ ' "housing + education is one of the pairs"
expect_out '^match keys' "the diagnostics follow"
# person assembly's counts: the demo's id scope completes some records
# (the SSDA903 episodes' postcodes with the header's date of birth and
# the case system's names), and says how many
expect_out '^  person assembly inside id scopes, before the pairs were compared: [0-9]+ ids, their [0-9]+ records, [1-9][0-9]* of them completed' \
    "person assembly's ids, records and records completed are printed"
cp "$out" "$scratch/measured.out"

# --trace: a header and source,line,person per accepted record, persons
# numbered in order of first appearance, nothing else
t=$scratch/traced/trace.csv
check '[ "$(head -n 1 "$t")" = "source,line,person" ]' "trace header is source,line,person"
check '[ "$(tail -n +2 "$t" | grep -Evc "^(housing|register|children|lac_header|lac_episodes|adults|pupils),[0-9]+,[0-9]+\$")" -eq 0 ]' \
    "every trace row is source,line,person"
records=$(sed -n 's/^records: \([0-9]*\) accepted.*/\1/p' "$scratch/measured.out")
check '[ "$(tail -n +2 "$t" | wc -l)" -eq "$records" ]' "one trace row per accepted record ($records)"
check 'tail -n +2 "$t" | awk -F, "BEGIN { next_p = 0 } { if (\$3 > next_p) exit 1; if (\$3 == next_p) next_p++ }"' \
    "persons numbered in order of first appearance"
suite_outputs "$scratch/traced"

run cohort linkage config/demo.conf --trace traced/trace3.csv --threads 3
expect_rc 0 "linkage on three threads"
check 'cmp -s "$t" "$scratch/traced/trace3.csv"' "the trace is the same on three threads"

# the trace read back as truth: every link agrees with itself
run cohort linkage config/demo.conf --truth traced/trace.csv
expect_rc 0 "the trace is a truth file"
check '[ "$(head -n 1 "$out")" = "precision 1.0000 recall 1.0000 f1 1.0000" ]' \
    "the trace as truth measures 1.0"

# a wrong truth: synth's persons shuffled over its rows -- the measure
# must be able to fail
awk -F, 'BEGIN { srand(42); OFS = "," }
         NR == 1 { print; next }
         { row[NR] = $0; p[NR] = $3; n = NR }
         END { for (i = n; i > 2; i--) { j = 2 + int(rand() * (i - 1)); t = p[i]; p[i] = p[j]; p[j] = t }
               for (i = 2; i <= n; i++) { $0 = row[i]; $3 = p[i]; print } }' \
    "$scratch/$truth" > "$scratch/shuffled.csv"
run cohort linkage config/demo.conf --truth shuffled.csv
expect_rc 0 "a shuffled truth is still a truth file"
check 'head -n 1 "$out" | awk "{ exit !(\$2 < 0.2 && \$4 < 0.2) }"' \
    "a shuffled truth gives low precision and recall ($(head -n 1 "$out"))"

# synth's truth carries its people's groups: naming convention, ethnic
# group, sex and age band, each a section, every label shown
expect_out '^convention \(from the truth\)' "synth's truth: a naming-convention section"
expect_out '^age_band \(from the truth\)' "synth's truth: an age-band section"
expect_out '^  south_asian_muslim +[0-9]+ ' "a convention's line"
check '! grep -q "(not shown)" "$scratch/measured.out"' "every group label of synth's truth is shown"

# groups from the truth's own columns, small ones marked (the first three
# columns of synth's truth and two groups of this test's own)
awk -F, 'BEGIN { OFS = "," }
         NR == 1 { print $1, $2, $3, "ethnicity", "sex"; next }
         { g = ($3 % 97 == 0) ? "RARE" : ($3 % 2 ? "ODD" : "EVEN"); print $1, $2, $3, g, ($3 % 3 ? "F" : "M") }' \
    "$scratch/$truth" > "$scratch/grouped.csv"
run cohort linkage config/demo.conf --truth grouped.csv
expect_rc 0 "a truth with group columns"
expect_out '^ethnicity \(from the truth\)' "an ethnicity section"
expect_out '^sex \(from the truth\)' "a sex section"
expect_out "^  EVEN +[0-9]+ +$num +$num\$" "a group's true pairs, precision and recall"
expect_out '^  RARE .*\(few pairs\)$' "a group with few pairs is marked, not hidden"
check '! grep -q "^age_band" "$out"' "no section for a column the truth lacks"

# a truth that matches nothing: an error, never 1.0
printf 'source,line,person\nnowhere,2,1\nhousing,999999,2\n' > "$scratch/nothing.csv"
run cohort linkage config/demo.conf --truth nothing.csv
expect_rc 1 "a truth that matches no record exits 1"
expect_err '^cohort: error: nothing\.csv: .*\[matches_nothing\]$' "the error names the file and the rule"
check '! grep -q "^precision" "$out"' "and prints no measure"

# malformed truths: file, line, column and rule
printf 'source,line,person\nhousing,2,1\nhousing,x3,1\n' > "$scratch/badline.csv"
run cohort linkage config/demo.conf --truth badline.csv
expect_rc 1 "a bad line number exits 1"
expect_err '^cohort: error: badline\.csv:3:2: .*\[bad_line_number\]$' "bad line number: file:line:column and rule"
printf 'record,line,person\nhousing,2,1\n' > "$scratch/badhead.csv"
run cohort linkage config/demo.conf --truth badhead.csv
expect_rc 1 "a wrong header exits 1"
expect_err '^cohort: error: badhead\.csv:1: .*\[truth_header\]$' "wrong header: file:1 and rule"
printf 'source,line,person\nhousing,2,1\nhousing,3\n' > "$scratch/ragged.csv"
run cohort linkage config/demo.conf --truth ragged.csv
expect_rc 1 "a ragged row exits 1"
expect_err '^cohort: error: ragged\.csv:3: .*\[ragged_row\]$' "ragged row: file:line and rule"
printf 'source,line,person\nhousing,2,1\nhousing,2,2\n' > "$scratch/twice.csv"
run cohort linkage config/demo.conf --truth twice.csv
expect_rc 1 "two rows for one record exit 1"
expect_err '^cohort: error: twice\.csv:3: .*\[duplicate_row\]$' "duplicate row: file:line and rule"
check '! grep -q "^precision" "$out"' "a malformed truth prints no measure"

run cohort linkage config/demo.conf --truth missing.csv
expect_rc 3 "an unreadable truth file exits 3"

# without truth: the diagnostics only
run cohort linkage config/demo.conf
expect_rc 0 "linkage without truth exits 0"
check '! grep -q "^precision" "$out"' "no measure without truth"
expect_out '^linked: [0-9]+ records into ([0-9]+|\[c\]) persons$' "records and persons"
expect_out '^  1 nhs_number +[0-9]+ records +([0-9]+|\[c\]) links +([0-9]+|\[c\]) refused$' "per match key: records, links, refused"
expect_out '^  id scopes \(local_id\) ' "the id scopes' links"
expect_out '^  housing +[0-9]+ records +[0-9]+ linked elsewhere +[0-9.]+ %' "records linked to another department, per department"
expect_out '^ethnic groups' "per ethnic group"
expect_out '^  WHITE +[0-9]+ records' "an ethnic group's line"
expect_out '^records per person$' "a records-per-person histogram"
expect_out '^  largest person +[0-9]+ records$' "the largest person's records"

# the probabilistic stage's diagnostics (app/linkdiag.h), after the keys'
expect_out '^probabilistic linkage: pairs of records the keys did not link' "the probabilistic stage's section"
expect_out '^  threshold: match probability 0\.9900 = weight [0-9.]+ bits' "its threshold as a probability and a weight"
expect_out '^  pairs: ([0-9]+|\[c\]) compared, ([0-9]+|\[c\]) over the threshold and accepted' "pairs compared and accepted, through the rule"
expect_out '^blocking rules: ' "the blocking rules' section"
expect_out '^  1 dob +[0-9]+ records +([0-9]+|\[c\]) blocks +([0-9]+|\[c\]) pairs; over the cap: ([0-9]+|\[c\]) blocks' "per rule: records, blocks, pairs, cap hits"
expect_out '^EM per blocking rule' "EM per rule"
expect_out '^  1 dob +[0-9]+ iterations, (converged|NOT converged), lambda [0-9.]+, fields:' "iterations, convergence, lambda, fields"
expect_out '^m and u per comparison level' "m and u per level"
expect_out '^  forename: ' "per field"
expect_out '^    exact +m [0-9.]+  u [0-9.]+  weight [+-] *[0-9.]+$' "a level's m, u and weight"
expect_out '^    day_month_swapped +m ' "the date of birth's levels"
expect_out '^match weights: compared pairs per bit of weight' "the weight histogram"
expect_out '^match probability: compared pairs per band$' "pairs per band of match probability"
expect_out '^  0\.9900 to below 0\.9990 +([0-9]+|\[c\]) pairs  \(the threshold is in this band\)$' "the threshold's band marked"

# on and off: with the strictest keys alone (NHS number, UPN, local id,
# exact names + dob + postcode) the synth's typos, swaps, moves and
# missing values split people; the probabilistic stage finds them again
awk '/^keys = / { print "keys = nhs_number; upn; local_id; forename+surname+dob+postcode"; skip = 1; next }
     skip && /^ / { next } { skip = 0; print }' "$COHORT_TOP/config/demo.conf" > "$scratch/strong.conf"
awk '/^\[linkage\]/ { print; print "probabilistic = no"; next } { print }' "$scratch/strong.conf" > "$scratch/strong_off.conf"
run cohort linkage strong.conf --truth "$truth"
expect_rc 0 "the strict keys and the probabilistic stage"
on=$(head -n 1 "$out")
run cohort linkage strong_off.conf --truth "$truth"
expect_rc 0 "the strict keys alone (probabilistic = no)"
off=$(head -n 1 "$out")
expect_out '^probabilistic linkage: off \(\[linkage\] probabilistic = no\): the keys alone$' "off says so"
check 'echo "$on $off" | awk "{ exit !(\$4 >= \$10 + 0.03 && \$2 >= 0.995) }"' \
    "the stage adds at least 3 points of recall to the strict keys, precision >= 0.995 (on: $on; off: $off)"

# the same output at any thread count, and on a rerun
run cohort linkage config/demo.conf --threads 1
cp "$out" "$scratch/t1.out"; cp "$err" "$scratch/t1.err"
run cohort linkage config/demo.conf --threads 3
check 'cmp -s "$scratch/t1.out" "$out" && cmp -s "$scratch/t1.err" "$err"' \
    "the probabilistic stage's output is the same on 1 and 3 threads"
run cohort linkage config/demo.conf --threads 2
check 'cmp -s "$scratch/t1.out" "$out"' "and on 2 threads, a second run"

# EM that cannot converge: too few pairs for any blocking rule to train on;
# a warning names each field, the documented defaults are used, and the
# run counts them (linkage.csv)
mkdir "$scratch/tiny"
printf 'CASE_REF,FIRST_NAME,LAST_NAME,DATE_OF_BIRTH,GENDER,NHS_NO,ADDRESS,POSTCODE,TENURE,START_DATE,END_DATE\n' > "$scratch/tiny/housing.csv"
printf 'H1,Ann,Smith,01/02/2003,F,,x,LS20 1BY,TA,01/01/2026,\nH2,Bob,Jones,02/03/1999,M,,x,LS21 2AB,TA,01/01/2026,\n' >> "$scratch/tiny/housing.csv"
awk '/^\[source children\]/ { exit } { print }' "$COHORT_TOP/config/demo.conf" |
    sed -e 's|demo/extracts/housing.csv|tiny/housing.csv|' -e 's|demo/out|tiny/out|' > "$scratch/tiny.conf"
printf '[cohort t]\nwhere = housing.any\n[output files]\ntype = csv\n' >> "$scratch/tiny.conf"
run cohort run tiny.conf --accept-drift
expect_rc 0 "a job too small for EM runs"
expect_err '^cohort: warning: probabilistic linkage: EM did not converge for the field forename on any blocking rule; its documented default m is used' \
    "EM's failure is a warning naming the field"
check 'awk -F, "\$2 ~ /^probabilistic/ { found = 1; exit !(\$12 >= 5) } END { exit !found }" "$scratch/tiny/out/latest/linkage.csv"' \
    "linkage.csv counts the fields on default m"
check 'head -n 1 "$scratch/tiny/out/latest/linkage.csv" | grep -q ",pairs_compared,pairs_accepted,refused_by_guard,refused_in_cluster,blocks_over_cap,pairs_over_cap,fields_on_default_m$"' \
    "linkage.csv's columns for the probabilistic stage"
suite_outputs "$scratch/tiny/out/latest"

# usage and config errors
run cohort linkage
expect_rc 2 "no job file exits 2"
run cohort linkage config/demo.conf --truth
expect_rc 2 "--truth without a file exits 2"
run cohort linkage config/demo.conf --bogus
expect_rc 2 "an unknown option exits 2"
run cohort linkage config/demo.conf --threads 0
expect_rc 2 "--threads 0 exits 2"
printf '[job]\nname = x\n' > "$scratch/bad.conf"
run cohort linkage bad.conf
expect_rc 2 "a bad job file exits 2"
run cohort linkage --help
expect_rc 0 "--help exits 0"
expect_out '^usage: cohort linkage JOB.conf' "--help prints the usage"

finish
