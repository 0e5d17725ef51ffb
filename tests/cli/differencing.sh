# Differencing attack on two consecutive nights: exactly one new person
# enters a cohort between them. Without protection the cell-by-cell
# difference reads off that person's cells (age band x sex, both margins,
# the total) every time; with cell-key perturbation (the shipped ptable) and
# rounding it must not, in most trials: 16 trials with the long checks
# (make soak, CI), 6 without.
. "$COHORT_TOP/tests/cli/lib.sh"

check 'demo_fixture 20000 4' "the demo key and extracts of 20 000 people"
cd "$scratch"
cp demo/extracts/adult_social_care.csv.gz night1.csv.gz
sed -e 's|^rounding  = 5|rounding = 5\nperturbation = cellkey\nptable = config/ptable_default.csv|' \
    -e 's|^output_dir .*|output_dir = out_ck|' config/demo.conf > ck.conf
sed -e 's|^min_count = 10|min_count = 1|' -e 's|^rounding  = 5|rounding = 1|' \
    -e 's|^output_dir .*|output_dir = out_plain|' config/demo.conf > plain.conf

# cells of the last month: "age_band,sex count"
# (labels' spaces as _, so that join sees one field: "65_and_over,M 25")
cells() { awk -F, '$1 == "2026-10-01" { gsub(/"/, ""); gsub(/ /, "_"); print $2 "," $3, $4 }' "$1/latest/adults_long_term_support.csv" | sort; }
run cohort run ck.conf;    cells out_ck > ck1
run cohort run plain.conf; cells out_plain > plain1
check '[ -s ck1 ] && [ -s plain1 ]' "night 1 publishes both ways"

trials=0; plain_hits=0; ck_hits=0
# new persons born 1933 .. 1978 (age bands 65 and over, 25 to 64), every third
# without the long checks
if soak; then cases="1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"; else cases="1 4 7 10 13 16"; fi
for i in $cases; do
    sex=$([ $((i % 2)) -eq 0 ] && echo Female || echo Male)
    s=$([ $((i % 2)) -eq 0 ] && echo F || echo M)
    year=$((1930 + i * 3))
    band=$([ $year -le 1961 ] && echo "65_and_over" || echo "25_to_64")
    { gzip -dc night1.csv.gz
      printf 'Z%07d,,Newperson%s,Testcase,%d0615,%s,A,LS20 1BY,LTS,20250101,\n' $i $i $year $sex
    } | gzip -c > demo/extracts/adult_social_care.csv.gz
    run cohort run ck.conf --accept-drift;    cells out_ck > ck2
    run cohort run plain.conf --accept-drift; cells out_plain > plain2
    truth=$(printf '%s\n' "$band,$s" "$band,Total" "Total,$s" "Total,Total" | sort | tr '\n' ' ')
    moved() { join "$1" "$2" | awk '$2 != $3 { print $1 }' | sort | tr '\n' ' '; }
    [ "$(moved plain1 plain2)" = "$truth" ] && plain_hits=$((plain_hits + 1))
    [ "$(moved ck1 ck2)" = "$truth" ] && ck_hits=$((ck_hits + 1))
    trials=$((trials + 1))
done
echo "# unprotected: the difference read off the new person $plain_hits of $trials times"
echo "# cell-key + rounding: $ck_hits of $trials times"
check '[ "$plain_hits" -eq "$trials" ]' "without protection the attack always works (the test can see it)"
check '[ $((ck_hits * 2)) -lt "$trials" ]' "with cell-key perturbation it reads off the person in under half the trials ($ck_hits of $trials)"
finish
